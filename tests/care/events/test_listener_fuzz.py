"""Random, truncated and corrupted messages: the listener always answers, never crashes,
and never writes part of a message."""

from __future__ import annotations

import socket
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ltc.care.alerts.services import AlertRules
from ltc.care.events.models import Alert, CareEvent, Flag, InboundMessage, Notification
from ltc.care.work.models import Task
from ltc.interop.hl7v2 import adt
from ltc.interop.hl7v2 import parser as hl7v2
from ltc.interop.hl7v2.listener import Listener
from ltc.interop.hl7v2.mllp import EB, SB, frame

from ..care import IN_AREA
from .listening import listening, populate, session

FUZZ = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
VALID = adt.message("A01", "F1", IN_AREA, datetime(2026, 2, 3, 4, 5), spell_id="F",
                    links=[("9000000009", "CGV")])


def consistent(url: str) -> None:
    """Every applied message has exactly one event; nothing else has any; every alert,
    task, flag and notice belongs to an applied event."""
    with session(url) as s:
        applied = s.scalar(select(func.count()).select_from(InboundMessage)
                           .where(InboundMessage.status == "applied"))
        assert s.scalar(select(func.count()).select_from(CareEvent)) == applied
        orphan = (select(func.count()).select_from(CareEvent)
                  .join(InboundMessage, InboundMessage.id == CareEvent.message_id)
                  .where(InboundMessage.status != "applied"))
        assert s.scalar(orphan) == 0
        for model in (Alert, Flag, Task):
            assert s.scalar(select(func.count()).select_from(model).where(
                model.event_id.is_not(None),
                ~model.event_id.in_(select(CareEvent.id)))) == 0
        assert s.scalar(select(func.count()).select_from(Notification).where(
            ~Notification.alert_id.in_(select(Alert.id)))) == 0


@st.composite
def broken(draw: st.DrawFn) -> str:
    how = draw(st.sampled_from(["truncate", "mutate", "random", "segments"]))
    if how == "truncate":
        return VALID[: draw(st.integers(0, len(VALID)))]
    if how == "mutate":
        chars = list(VALID)
        for _ in range(draw(st.integers(1, 8))):
            chars[draw(st.integers(0, len(chars) - 1))] = draw(st.characters())
        return "".join(chars)
    if how == "segments":
        parts = VALID.split("\r")
        return "\r".join(draw(st.permutations(parts))[: draw(st.integers(1, len(parts)))])
    return draw(st.text(max_size=300))


@pytest.fixture
def store(care_url: str) -> str:
    populate(care_url, per_group=2)
    return care_url


@FUZZ
@given(raw=broken())
def test_any_message_gets_an_answer_and_is_applied_whole_or_not_at_all(
        store: str, raw: str) -> None:
    from ltc.care.db import make_engine, sessions
    from ltc.care.events.rules import load

    engine = make_engine(store)
    try:
        handled = Listener(sessions(engine), load()).handle(raw)
    finally:
        engine.dispose()
    assert handled.outcome.code in {"AA", "AE", "AR"}
    assert hl7v2.parse(handled.ack)  # the acknowledgement itself is HL7
    assert f"MSA|{handled.outcome.code}|" in handled.ack
    if handled.outcome.code != "AA":
        assert handled.outcome.status == "quarantined"
    consistent(store)


def test_a_failure_half_way_leaves_nothing_but_the_quarantined_message(
        store: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def fail_after_the_alert(self: AlertRules) -> None:
        self._alert("admission", "half made", user_id=None)
        raise RuntimeError(f"a rule broke for {self.person.nhs_number}")

    monkeypatch.setattr(AlertRules, "_admission", fail_after_the_alert)
    from ltc.care.db import make_engine, sessions
    from ltc.care.events.rules import load

    engine = make_engine(store)
    try:
        handled = Listener(sessions(engine), load()).handle(VALID)
    finally:
        engine.dispose()
    assert handled.outcome.code == "AE"
    assert handled.outcome.status == "quarantined"
    assert "kept in the quarantine" in handled.outcome.problem
    assert "ERR|||207^Application internal error^HL70357|" in handled.ack
    logged = caplog.text
    assert "RuntimeError" in logged
    assert "fail_after_the_alert" in logged  # where it failed, for whoever mends it
    assert "a rule broke" not in logged  # never the message: it may name the patient
    with session(store) as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 0
        assert s.scalar(select(func.count()).select_from(CareEvent)) == 0
        kept = s.scalars(select(InboundMessage)).all()
        assert [(m.status, m.raw) for m in kept] == [("quarantined", VALID)]
    consistent(store)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(noise=st.lists(st.binary(max_size=200), max_size=5))
def test_noise_on_the_wire_does_not_stop_the_listener(store: str, noise: list[bytes]) -> None:
    """Bytes outside frames, frames of garbage and a connection closed mid-frame: the
    listener goes on answering the next well-formed message."""
    with listening(store, threads=2) as (port, _):
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            for chunk in noise:  # garbage, possibly with stray frame bytes
                sock.sendall(chunk.replace(SB, b"").replace(EB, b""))
            sock.sendall(SB + b"half a frame")  # never finished on this connection
        for chunk in noise:
            acks = adt.send("127.0.0.1", port, [frame(chunk.decode("latin-1"))])
            assert adt.ack_code(acks[0]) in {"AE", "AR"}
        ok = adt.send("127.0.0.1", port, [VALID])
        assert adt.ack_code(ok[0]) == "AA"
    consistent(store)
