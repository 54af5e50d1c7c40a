"""1,000 ADT messages from real TCP clients over MLLP: valid, duplicate, malformed,
unknown person and cancellations, with every acknowledgement and every count checked
against what the rules say each message should do."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ltc.care.events.feed import FeedError
from ltc.care.events.models import Alert, CareEvent, InboundMessage, Notification
from ltc.care.events.rules import load
from ltc.care.work.models import Task
from ltc.interop.hl7v2 import adt
from ltc.interop.hl7v2 import parser as hl7v2

from .listening import People, listening, populate, session

CONNECTIONS = 4
TOTAL = 1000


@dataclass
class Expect:
    """What the messages should leave in the store, worked out from the rules."""

    acks: list[str] = field(default_factory=list)
    status: Counter[str] = field(default_factory=Counter)
    events: int = 0
    alerts: Counter[str] = field(default_factory=Counter)
    tasks: Counter[str] = field(default_factory=Counter)
    cancelled_alerts: int = 0
    cancelled_tasks: int = 0


@dataclass
class Plan:
    lanes: list[list[str | bytes]]  # per connection, in order
    codes: list[list[str]]  # the expected acknowledgement code of each
    expect: Expect


def malformed(i: int, at: datetime, nhs: str) -> tuple[str | bytes, str]:
    """One of several broken messages, with the acknowledgement it must get."""
    good = adt.message("A01", f"BAD{i}", nhs, at, spell_id=f"B{i}")
    kinds: list[tuple[str | bytes, str]] = [
        (good.replace(at.strftime("%Y%m%d%H%M%S"), "20261345250000"), "AE"),  # no such date
        (adt.message("A01", f"BAD{i}", nhs, at, admission_type="ZZ"), "AE"),
        ("\r".join(s for s in good.split("\r") if not s.startswith("PV1")), "AE"),
        (good.replace("ADT^A01^ADT_A01", "ORU^R01^ORU_R01"), "AR"),
        ("HELLO, this is not HL7", "AR"),
        (good.replace(f"|BAD{i}|P|", "||P|"), "AR"),  # no control id
        (good.replace(f"|BAD{i}|P|", f"|BAD{i}|T|"), "AR"),  # training, not production
        (good.replace("|P|2.4", "|P|3.0"), "AR"),
        (good.replace("\rPID|", "\rPID|1||9434765919^^^NHS^NH\rPID|", 1), "AE"),  # 2 PIDs
        (good[: good.index("\rPID|") + 9], "AE"),  # truncated inside PID: no PV1
    ]
    return kinds[i % len(kinds)]


def plan(people: People, seed_value: int = 20261126) -> Plan:
    rng = random.Random(seed_value)
    rules = load()
    expect = Expect()
    streams: dict[str, list[tuple[str | bytes, str]]] = {}
    sent_valid: list[tuple[str, str]] = []  # (person, message) to duplicate later
    base = datetime(2026, 1, 5, 9, 0)
    everyone = ([(n, "cm") for n in people.case_managed]
                + [(n, "l3") for n in people.level3] + [(n, "l1") for n in people.level1])
    count = 0
    spell = 0

    def add(person: str, message: str | bytes, code: str) -> None:
        nonlocal count
        streams.setdefault(person, []).append((message, code))
        count += 1

    valid_target = TOTAL - 150  # then 50 duplicates, 50 malformed, 50 unknown person
    while count < valid_target:
        nhs, group = rng.choice(everyone)
        spell += 1
        sid = f"S{spell}"
        at = base + timedelta(hours=spell * 5)
        method = rng.choice(["21", "21", "11", "2A"])
        unplanned = method != "11"
        seq = [("A01", at)]
        if rng.random() < 0.3:
            seq.append(("A02", at + timedelta(hours=3)))
        if rng.random() < 0.2:
            seq.append(("A08", at + timedelta(hours=4)))
        ending = rng.random()
        if ending < 0.1:
            seq.append(("A11", at + timedelta(hours=5)))
        elif ending < 0.9:
            seq.append(("A03", at + timedelta(days=3)))
            if rng.random() < 0.15:
                seq.append(("A13", at + timedelta(days=3, hours=1)))
        else:
            seq.append(("A04", at + timedelta(hours=1)))
        for n, (trigger, when) in enumerate(seq):
            if count >= valid_target:
                break
            control = f"M{spell}-{n}"
            message = adt.message(trigger, control, nhs, when, spell_id=sid,
                                  admission_type=method)
            add(nhs, message, "AA")
            sent_valid.append((nhs, message))
            expect.status["applied"] += 1
            expect.events += 1
            _rules(expect, group, trigger, unplanned, rules_of=rules)
            if trigger == "A11" and seq[0][0] == "A01" and n > 0:
                expect.cancelled_alerts += 1 if group in ("cm", "l3") else 0
                expect.cancelled_tasks += (1 + unplanned) if group == "cm" else 0
            if trigger == "A13":
                expect.cancelled_alerts += 1 if group == "l3" else 0
                expect.cancelled_tasks += 1 if group == "cm" else 0
    for _ in range(50):  # a duplicate is sent after the original, on the same connection
        nhs, message = rng.choice(sent_valid)
        add(nhs, message, "AA")
        expect.status["duplicate"] += 1
    for i in range(50):
        nhs = rng.choice(people.case_managed)
        message, code = malformed(i, base + timedelta(days=i), nhs)
        add(f"bad{i % CONNECTIONS}", message, code)
        expect.status["quarantined"] += 1
    for i in range(50):
        at = base + timedelta(days=i, hours=2)
        given = [people.unknown[i % len(people.unknown)], "4000000001", None][i % 3]
        add(f"unknown{i % CONNECTIONS}", adt.message("A01", f"U{i}", given, at), "AA")
        expect.status["unmatched"] += 1
    lanes: list[list[str | bytes]] = [[] for _ in range(CONNECTIONS)]
    codes: list[list[str]] = [[] for _ in range(CONNECTIONS)]
    for k, person in enumerate(sorted(streams, key=lambda p: rng.random())):
        for message, code in streams[person]:
            lanes[k % CONNECTIONS].append(message)
            codes[k % CONNECTIONS].append(code)
    return Plan(lanes, codes, expect)


def _rules(expect: Expect, group: str, trigger: str, unplanned: bool, rules_of: object) -> None:
    if trigger == "A01":
        if group == "cm":
            expect.alerts["admission"] += 1
            expect.tasks["discharge_planning"] += 1
            if unplanned:
                expect.tasks["admission_review"] += 1
        elif group == "l3":
            expect.alerts["practice_admission"] += 1
    elif trigger == "A03":
        if group == "cm":
            expect.tasks["follow_up"] += 1
        elif group == "l3":
            expect.alerts["practice_discharge"] += 1


def test_one_thousand_messages_over_mllp(care_url: str) -> None:
    _, people = populate(care_url)
    p = plan(people)
    assert sum(len(lane) for lane in p.lanes) == TOTAL
    acks: list[list[str]] = [[] for _ in range(CONNECTIONS)]
    with listening(care_url) as (port, listener):
        def run(k: int) -> None:
            acks[k] = adt.send("127.0.0.1", port, p.lanes[k])

        threads = [threading.Thread(target=run, args=(k,)) for k in range(CONNECTIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        assert listener.counts == p.expect.status
    for k in range(CONNECTIONS):
        assert [adt.ack_code(a) for a in acks[k]] == p.codes[k]
    e = p.expect
    print(f"\nacks {Counter(c for lane in p.codes for c in lane)}; messages {dict(e.status)}")
    with session(care_url) as s:
        status = dict(s.execute(select(InboundMessage.status, func.count())
                                .group_by(InboundMessage.status)).all())
        assert status == {"applied": e.status["applied"], "unmatched": 50, "quarantined": 50}
        assert s.scalar(select(func.sum(InboundMessage.duplicates))) == 50
        assert s.scalar(select(func.count()).select_from(CareEvent)) == e.events
        alerts = Counter(dict(s.execute(select(Alert.kind, func.count())
                                        .group_by(Alert.kind)).all()))
        assert alerts == e.alerts
        tasks = Counter(dict(s.execute(select(Task.kind, func.count())
                                       .group_by(Task.kind)).all()))
        assert tasks == e.tasks
        assert s.scalar(select(func.count()).select_from(Alert)
                        .where(Alert.cancelled_at.is_not(None))) == e.cancelled_alerts
        assert s.scalar(select(func.count()).select_from(Task)
                        .where(Task.cancelled_at.is_not(None))) == e.cancelled_tasks
        # one notice per alert: the case manager, or the practice's one clinician
        assert s.scalar(select(func.count()).select_from(Notification)) == e.alerts.total()
        print(f"events {e.events}; alerts {dict(alerts)} ({e.cancelled_alerts} cancelled); "
              f"tasks {dict(tasks)} ({e.cancelled_tasks} cancelled)")


def test_a_message_sent_again_after_a_lost_ack_changes_nothing(care_url: str) -> None:
    _, people = populate(care_url, per_group=2)
    nhs = people.case_managed[0]
    first = adt.message("A01", "R1", nhs, datetime(2026, 3, 2, 10), spell_id="X1")
    with listening(care_url) as (port, _):
        assert [adt.ack_code(a) for a in adt.send("127.0.0.1", port, [first])] == ["AA"]
        again = adt.send("127.0.0.1", port, [first, first])
    assert [adt.ack_code(a) for a in again] == ["AA", "AA"]
    assert all("MSA|AA|R1" in a for a in again)
    with session(care_url) as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 1
        assert s.scalar(select(func.count()).select_from(Task)) == 2
        assert s.scalar(select(InboundMessage.duplicates)) == 2


def test_a_refusal_says_its_hl7_error_condition() -> None:
    """ERR-3 carries the HL7 table 0357 code of what was wrong."""
    good = adt.message("A01", "C1", "9434765919", datetime(2026, 3, 2, 9))
    cases = {
        good.replace("|P|2.4", "|P|3.0"): "203^Unsupported version id",
        good.replace("|P|2.4", "|T|2.4"): "202^Unsupported processing id",
        good.replace("ADT^A01^ADT_A01", "ADT^A99^ADT_A01"): "201^Unsupported event code",
        good.replace("ADT^A01^ADT_A01", "ORU^R01^ORU_R01"): "200^Unsupported message type",
        good.replace("|C1|", "||"): "101^Required field missing",
        "PID|1||nothing": "100^Segment sequence error",
    }
    for raw, condition in cases.items():
        try:
            hl7v2.read(raw)
        except FeedError as error:
            reply = hl7v2.ack(raw, error.code, error.reason, condition=error.condition)
        else:
            raise AssertionError(f"{raw!r} was read")
        assert "MSA|AR|" in reply
        assert f"ERR|||{condition}^HL70357|" in reply, (raw, reply)
