"""Notifications: written with their alert, delivered afterwards through the outbox file
in batches, never naming a patient, tried again when the provider fails."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.events import notify
from ltc.care.events.models import Notification
from ltc.care.events.rules import load
from ltc.interop import feeds
from ltc.interop.hl7v2 import adt

from .listening import listening, populate, session

MONDAY = datetime(2026, 3, 2, 10, 30)


class Down:
    def __init__(self) -> None:
        self.calls = 0

    def send(self, notices: Sequence[notify.Notice]) -> None:
        self.calls += 1
        raise ConnectionError("the provider is down")


def lines(folder: Path) -> list[dict[str, object]]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text().splitlines()]


def test_notices_go_out_once_name_no_patient_and_wait_while_the_provider_is_down(
        care_url: str, tmp_path: Path) -> None:
    _, people = populate(care_url, per_group=2)
    engine = make_engine(care_url)
    factory = sessions(engine)
    with unit_of_work(factory) as s:
        for i, nhs in enumerate(people.case_managed + list(people.level3)):
            feeds.receive(s, load(), "hl7v2", adt.message("A01", f"N{i}", nhs, MONDAY))
    down = Down()
    with unit_of_work(factory) as s:
        assert notify.deliver(s, down) == 0
    assert down.calls == 5  # the batch of 4, then each on its own
    with unit_of_work(factory) as s:
        pending = s.scalars(select(Notification)).all()
        assert len(pending) == 4  # 2 case manager alerts, 2 practice alerts (1 clinician each)
        assert {(n.sent_at, n.attempts) for n in pending} == {(None, 1)}
    outbox = notify.OutboxFile(tmp_path / "outbox")
    with unit_of_work(factory) as s:
        assert notify.deliver(s, outbox) == 4
    with unit_of_work(factory) as s:
        assert notify.deliver(s, outbox) == 0  # nothing is sent twice
    sent = lines(tmp_path / "outbox")
    assert sorted(str(n["username"]) for n in sent) == ["gp", "gp2", "matron", "matron"]
    assert all(str(n["link"]).startswith("/inbox#alert-") for n in sent)
    text = "".join(p.read_text() for p in (tmp_path / "outbox").glob("*.jsonl"))
    for nhs in people.case_managed + list(people.level3):
        assert nhs not in text
    assert "Testperson" not in text
    engine.dispose()


class Refuses:
    """A provider that cannot reach one user (say, no address for them)."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.took: list[notify.Notice] = []

    def send(self, notices: Sequence[notify.Notice]) -> None:
        if any(n.username == self.username for n in notices):
            raise ValueError(f"no address for {self.username}")
        self.took += notices


def test_one_refused_notice_holds_up_no_other_and_withdrawn_alerts_are_not_sent(
        care_url: str) -> None:
    _, people = populate(care_url, per_group=2)
    engine = make_engine(care_url)
    factory = sessions(engine)
    spells = {nhs: f"S{i}" for i, nhs in enumerate(people.case_managed + list(people.level3))}
    with unit_of_work(factory) as s:
        for i, (nhs, spell) in enumerate(spells.items()):
            feeds.receive(s, load(), "hl7v2", adt.message("A01", f"R{i}", nhs, MONDAY,
                                                           spell_id=spell))
        # the hospital cancels one case-managed admission before anything is sent
        cancelled = people.case_managed[1]
        feeds.receive(s, load(), "hl7v2", adt.message("A11", "R-cancel", cancelled,
                                                       MONDAY, spell_id=spells[cancelled]))
    provider = Refuses("gp2")
    with unit_of_work(factory) as s:
        assert notify.deliver(s, provider) == 2  # matron's one, gp's; not gp2's
    assert sorted(n.username for n in provider.took) == ["gp", "matron"]
    with unit_of_work(factory) as s:
        waiting = s.scalars(select(Notification).where(Notification.sent_at.is_(None))).all()
        assert len(waiting) == 2  # gp2's, to be tried again; the withdrawn alert's, never
        assert notify.deliver(s, provider) == 0
    engine.dispose()


def test_the_listener_delivers_what_it_receives(care_url: str, tmp_path: Path) -> None:
    _, people = populate(care_url, per_group=1)
    outbox = notify.OutboxFile(tmp_path / "outbox")
    with listening(care_url, notifier=outbox) as (port, _):
        acks = adt.send("127.0.0.1", port, [
            adt.message("A01", "L1", people.case_managed[0], MONDAY)])
        assert adt.ack_code(acks[0]) == "AA"
        deadline = time.monotonic() + 10
        while not lines(tmp_path / "outbox") and time.monotonic() < deadline:
            time.sleep(0.1)
    assert [n["username"] for n in lines(tmp_path / "outbox")] == ["matron"]
    with session(care_url) as s:
        assert s.scalar(select(func.count()).select_from(Notification)
                        .where(Notification.sent_at.is_(None))) == 0
