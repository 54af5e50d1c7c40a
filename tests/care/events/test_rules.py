"""The alert rules, one at a time: who is told, which tasks are made and when they are
due, cancellations, the frequent-caller and bereavement flags, the review queue and the
quarantine; and the rules file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ltc.care.auth.models import User
from ltc.care.db import make_engine, now, sessions, to_store, uk_time, unit_of_work
from ltc.care.events import services as events
from ltc.care.events.feed import Event
from ltc.care.events.models import Alert, CareEvent, Flag, InboundMessage, PersonLink
from ltc.care.events.rules import Rules, RulesError, load, parse
from ltc.care.work.models import Task
from ltc.interop import feeds
from ltc.interop.hl7v2 import adt
from ltc.interop.hl7v2 import parser as hl7v2

from ..care import IN_AREA, IN_AREA_2, LOW, MISSING, OTHER_AREA
from .listening import People, populate

RULES = load()
MONDAY = datetime(2026, 3, 2, 10, 30)


def send(url: str, *messages: str, rules: Rules = RULES) -> list[events.Outcome]:
    engine = make_engine(url)
    out = []
    for raw in messages:
        with unit_of_work(sessions(engine)) as s:
            out.append(feeds.receive(s, rules, "hl7v2", raw))
    engine.dispose()
    return out


def ambulance(url: str, nhs: str, n: int, at: datetime, conveyed: bool) -> events.Outcome:
    engine = make_engine(url)
    with unit_of_work(sessions(engine)) as s:
        out = events.apply(s, RULES, Event(
            feed="ambulance", sender="ambulance", control_id=f"I{n}",
            message_type="incident", kind="ambulance", nhs_number=nhs, occurred_at=at,
            conveyed=conveyed), f'{{"incident_id": "I{n}"}}')
    engine.dispose()
    return out


@pytest.fixture
def people(care_url: str) -> People:
    return populate(care_url, per_group=2)[1]


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    assert RULES.add_working_days(date(2026, 3, 2), 2) == date(2026, 3, 4)  # Mon -> Wed
    assert RULES.add_working_days(date(2026, 3, 5), 2) == date(2026, 3, 9)  # Thu -> Mon
    # Christmas 2026: Fri 25 and Mon 28 December (Boxing Day's substitute) are holidays
    assert RULES.add_working_days(date(2026, 12, 24), 2) == date(2026, 12, 30)
    # a discharge on a Friday, Saturday or Sunday: Monday is the first working day after
    # it, Tuesday the second
    for weekend in (date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8)):
        assert RULES.add_working_days(weekend, 2) == date(2026, 3, 10)
    # no days: that day, or the next working day
    assert RULES.add_working_days(date(2026, 3, 4), 0) == date(2026, 3, 4)
    assert RULES.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 9)
    # Easter 2026: Good Friday 3 April and Easter Monday 6 April
    assert RULES.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_working_days_past_the_calendar_are_refused_not_guessed() -> None:
    assert RULES.calendar_ends == date(2027, 12, 31)
    assert RULES.add_working_days(date(2027, 12, 29), 2) == date(2027, 12, 31)
    with pytest.raises(RulesError, match=r"end with 2027.*add 2028's"):
        RULES.add_working_days(date(2027, 12, 30), 2)  # would be Monday 3 January 2028


def test_a_message_past_the_calendar_waits_in_the_quarantine(care_url: str,
                                                             people: People) -> None:
    nhs = people.case_managed[0]
    [out] = send(care_url, adt.message("A03", "CAL1", nhs, datetime(2028, 1, 5, 9)))
    assert (out.status, out.code) == ("quarantined", "AE")
    assert "bank holidays" in out.problem
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(CareEvent)) == 0
        assert s.scalar(select(func.count()).select_from(Task)) == 0
        kept = s.scalars(select(InboundMessage)).one()
        assert kept.status == "quarantined"
    # with next year's holidays added, the administrator's replay applies it
    later = replace(RULES, bank_holidays=RULES.bank_holidays | {date(2028, 1, 3)})
    with unit_of_work(sessions(make_engine(care_url))) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        again = feeds.replay(s, later, kept.id, admin)
    assert (again.status, len(again.tasks)) == ("applied", 1)


def test_times_without_an_offset_are_uk_time_and_dates_are_uk_days() -> None:
    # summer: 00:30 BST on Thursday 4 June 2026 is 23:30 UTC on the Wednesday
    assert hl7v2.timestamp("20260604003000", "EVN-2") == datetime(2026, 6, 3, 23, 30)
    assert hl7v2.timestamp("20260604003000+0100", "EVN-2") == datetime(2026, 6, 3, 23, 30)
    # winter: UK time is UTC
    assert hl7v2.timestamp("20261126143000", "EVN-2") == datetime(2026, 11, 26, 14, 30)
    assert uk_time(datetime(2026, 6, 3, 23, 30)) == datetime(2026, 6, 4, 0, 30)
    assert to_store(datetime(2026, 6, 4, 0, 30)) == datetime(2026, 6, 3, 23, 30)


def test_a_discharge_just_after_midnight_in_summer_counts_from_that_uk_day(
        care_url: str, people: People) -> None:
    nhs = people.case_managed[0]
    [out] = send(care_url, adt.message("A03", "BST1", nhs, datetime(2026, 6, 4, 0, 30)))
    with sessions(make_engine(care_url))() as s:
        task = s.get(Task, out.tasks[0])
        assert task is not None
        assert task.due_on == date(2026, 6, 8)  # Thursday + 2 working days = Monday
        assert "4 June 2026 at 00:30" in task.title


def test_admission_of_a_case_managed_person(care_url: str, people: People) -> None:
    nhs = people.case_managed[0]
    [out] = send(care_url, adt.message("A01", "A1", nhs, MONDAY, spell_id="S1",
                                       admission_type="21"))
    assert (out.status, out.code, len(out.alerts), len(out.tasks)) == ("applied", "AA", 1, 2)
    with sessions(make_engine(care_url))() as s:
        alert = s.get(Alert, out.alerts[0])
        matron = s.scalar(select(User).where(User.username == "matron"))
        assert alert is not None
        assert matron is not None
        assert (alert.user_id, alert.practice_code, alert.kind) == (matron.id, None,
                                                                    "admission")
        assert "Unplanned admission on 2 March 2026" in alert.title
        tasks = {t.kind: t for t in s.scalars(select(Task))}
        assert tasks["discharge_planning"].due_on == date(2026, 3, 3)
        assert tasks["admission_review"].due_on == date(2026, 3, 16)  # 10 working days
        assert {t.assigned_to for t in tasks.values()} == {matron.id}
    # a planned admission: no review
    [planned] = send(care_url, adt.message("A01", "A2", nhs, MONDAY, spell_id="S2",
                                           admission_type="11"))
    assert (len(planned.alerts), len(planned.tasks)) == (1, 1)


def test_discharge_follow_up_within_two_working_days_and_cancellation(
        care_url: str, people: People) -> None:
    nhs = people.case_managed[0]
    friday = datetime(2026, 3, 6, 16, 0)
    admit, discharge = send(care_url,
                            adt.message("A01", "D1", nhs, MONDAY, spell_id="S9"),
                            adt.message("A03", "D2", nhs, friday, spell_id="S9"))
    with sessions(make_engine(care_url))() as s:
        follow = s.get(Task, discharge.tasks[0])
        assert follow is not None
        assert follow.kind == "follow_up"
        assert follow.due_on == date(2026, 3, 10)  # Fri + 2 working days = Tue
    cancel_discharge, cancel_admit = send(
        care_url, adt.message("A13", "D3", nhs, friday, spell_id="S9"),
        adt.message("A11", "D4", nhs, friday, spell_id="S9"))
    assert cancel_discharge.alerts == cancel_admit.alerts == []
    with sessions(make_engine(care_url))() as s:
        cancelled = {t.kind for t in s.scalars(select(Task).where(
            Task.cancelled_at.is_not(None)))}
        assert cancelled == {"follow_up", "discharge_planning", "admission_review"}
        assert s.scalar(select(func.count()).select_from(Alert).where(
            Alert.cancelled_at.is_(None))) == 0
        kinds = [e.kind for e in s.scalars(select(CareEvent).order_by(CareEvent.id))]
        assert kinds == ["admission", "discharge", "cancel_discharge", "cancel_admission"]
        assert admit.alerts


def test_other_people_tell_their_practice_only_at_the_alert_levels(
        care_url: str, people: People) -> None:
    outs = send(care_url,
                adt.message("A01", "P1", OTHER_AREA, MONDAY),  # level 3, practice P2
                adt.message("A01", "P2", LOW, MONDAY),  # level 1: nobody told
                adt.message("A03", "P3", OTHER_AREA, datetime(2026, 3, 5, 9)))
    assert [len(o.alerts) for o in outs] == [1, 0, 1]
    with sessions(make_engine(care_url))() as s:
        alerts = s.scalars(select(Alert).order_by(Alert.id)).all()
        assert [(a.kind, a.practice_code, a.user_id) for a in alerts] == [
            ("practice_admission", "P2", None), ("practice_discharge", "P2", None)]
        assert "follow up by 9 March 2026" in alerts[1].title
    # with level 1 added to the practice alert levels, the level-1 person is alerted
    wider = parse('[admission]\npractice_alert_levels = [1, 3]\n', "wider.toml")
    [low] = send(care_url, adt.message("A01", "P4", LOW, MONDAY), rules=wider)
    assert len(low.alerts) == 1


def test_ambulance_non_conveyance_and_frequent_callers(care_url: str, people: People) -> None:
    nhs = IN_AREA_2  # level 3 at P1, with registers
    first = ambulance(care_url, nhs, 1, datetime(2026, 1, 1, 8), conveyed=False)
    second = ambulance(care_url, nhs, 2, datetime(2026, 2, 1, 8), conveyed=True)
    third = ambulance(care_url, nhs, 3, datetime(2026, 3, 1, 8), conveyed=True)
    fourth = ambulance(care_url, nhs, 4, datetime(2026, 3, 2, 8), conveyed=False)
    late = ambulance(care_url, nhs, 1, datetime(2026, 3, 3, 8), conveyed=False)
    assert late.status == "duplicate"
    assert [len(o.alerts) for o in (first, second, third, fourth)] == [1, 0, 1, 1]
    assert [len(o.flags) for o in (first, second, third, fourth)] == [0, 0, 1, 0]
    with sessions(make_engine(care_url))() as s:
        flag = s.scalars(select(Flag)).one()
        assert flag.kind == "frequent_caller"
        assert flag.reason.startswith("3 ambulance calls in 90 days")
        kinds = [a.kind for a in s.scalars(select(Alert).order_by(Alert.id))]
        assert kinds == ["ambulance_not_conveyed", "frequent_caller",
                         "ambulance_not_conveyed"]


def test_three_calls_spread_over_more_than_ninety_days_are_not_frequent(
        care_url: str, people: People) -> None:
    outs = [ambulance(care_url, IN_AREA_2, n, at, conveyed=True) for n, at in enumerate(
        [datetime(2026, 1, 1), datetime(2026, 3, 1), datetime(2026, 4, 2)])]
    assert [o.flags for o in outs] == [[], [], []]


def test_a_late_incident_that_completes_a_window_flags_the_caller(
        care_url: str, people: People) -> None:
    """Calls on days 0 and 60 are stored; the day-30 incident arrives last. The window
    holding all three ends after the late one, and is found."""
    outs = [ambulance(care_url, IN_AREA_2, n, at, conveyed=True) for n, at in (
        (1, datetime(2026, 1, 1, 9)), (2, datetime(2026, 3, 2, 9)),
        (3, datetime(2026, 1, 31, 9)))]
    assert [len(o.flags) for o in outs] == [0, 0, 1]
    with sessions(make_engine(care_url))() as s:
        flag = s.scalars(select(Flag)).one()
        assert flag.reason == "3 ambulance calls in 90 days (to 2 March 2026 at 09:00)"


def test_a_carers_death_flags_the_person_they_cared_for(care_url: str,
                                                        people: People) -> None:
    cared_for, carer, spouse_of = people.case_managed[0], IN_AREA, next(iter(people.level3))
    send(care_url,
         # the cared-for person's message names their carer (NK1, relationship CGV)
         adt.message("A04", "K1", cared_for, MONDAY, links=[(carer, "CGV")]),
         adt.message("A04", "K2", spouse_of, MONDAY, links=[(carer, "SPO")]))
    [death] = send(care_url, adt.message("A03", "K3", carer, datetime(2026, 3, 9),
                                         died=True))
    assert len(death.flags) == 2
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(PersonLink)) == 2
        flags = {f.nhs_number: f for f in s.scalars(select(Flag))}
        assert flags[cared_for].kind == "carer_died"
        assert flags[spouse_of].kind == "bereaved"
        alerts = {a.nhs_number: a for a in s.scalars(select(Alert).where(
            Alert.kind == "bereavement"))}
        assert alerts[cared_for].user_id is not None  # their case manager
        assert alerts[spouse_of].practice_code == "P1"
        for flag in flags.values():  # reviewed and cleared
            flag.cleared_at = now()
        s.commit()
    # later messages repeat the death (an update, PID-30 Y): nobody is flagged again
    [again] = send(care_url, adt.message("A08", "K4", carer, datetime(2026, 3, 10),
                                         died=True))
    assert (again.status, again.flags, again.alerts) == ("applied", [], [])
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(Flag)) == 2


def test_unknown_people_wait_and_can_be_matched_by_hand(care_url: str,
                                                        people: People) -> None:
    outs = send(care_url, adt.message("A01", "U1", MISSING, MONDAY),
                adt.message("A01", "U2", "9434765918", MONDAY),
                adt.message("A01", "U3", None, MONDAY))
    assert [o.status for o in outs] == ["unmatched"] * 3
    assert "not known" in outs[0].problem
    assert "Modulus 11" in outs[1].problem
    assert "9434765918" not in outs[1].problem  # the problem text names no patient
    assert "no NHS number" in outs[2].problem
    engine = make_engine(care_url)
    with unit_of_work(sessions(engine)) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        with pytest.raises(events.EventError, match="not known in the care store"):
            feeds.match_by_hand(s, RULES, outs[0].message_id or 0, MISSING, admin)
        done = feeds.match_by_hand(s, RULES, outs[2].message_id or 0,
                                    people.case_managed[1], admin)
        assert (done.status, len(done.alerts), len(done.tasks)) == ("applied", 1, 2)
        events.dismiss(s, outs[1].message_id or 0, admin, "test patient, not real")
        with pytest.raises(events.EventError):
            events.dismiss(s, outs[1].message_id or 0, admin, "again, twice")
    with sessions(engine)() as s:
        status = {m.control_id: m.status for m in s.scalars(select(InboundMessage))}
        assert status == {"U1": "unmatched", "U2": "dismissed", "U3": "applied"}
    engine.dispose()


def test_a_quarantined_message_can_be_replayed(care_url: str, people: People,
                                              tmp_path: Path) -> None:
    nhs = people.case_managed[0]
    bad = adt.message("A01", "Q1", nhs, MONDAY, admission_type="ZZ")
    [out] = send(care_url, bad)
    assert (out.status, out.code) == ("quarantined", "AE")
    assert "PV1-4 admission type" in out.problem
    engine = make_engine(care_url)
    with unit_of_work(sessions(engine)) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        again = feeds.replay(s, RULES, out.message_id or 0, admin)
        assert again.status == "quarantined"  # still broken: still kept
        row = s.get(InboundMessage, out.message_id)
        assert row is not None
        row.raw = bad.replace("|ZZ|", "|21|")  # as if the sender's fix had been applied
    with unit_of_work(sessions(engine)) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        done = feeds.replay(s, RULES, out.message_id or 0, admin)
        assert (done.status, len(done.alerts)) == ("applied", 1)
    engine.dispose()


@pytest.mark.parametrize(("text", "problem"), [
    ("[ambulance]\nfrequent_caller_calls = 'three'\n", "must be a whole number"),
    ("[ambulance]\nfrequent_caller_calls = 0\n", "must be 1 or more"),
    ("[discharge]\nfollow_up_days = 2\n", "follow_up_days is not a setting"),
    ("[wards]\nx = 1\n", "[wards] is not a section"),
    ("[admission]\npractice_alert_levels = [4]\n", "pyramid levels 0 to 3"),
    ("[calendar]\nbank_holidays = ['Christmas']\n", "must list dates"),
    ("[discharge\n", "not valid TOML"),
])
def test_a_rules_file_with_a_mistake_is_refused_naming_it(text: str, problem: str,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(text)
    with pytest.raises(RulesError) as err:
        load(path)
    assert str(path) in str(err.value)
    assert problem in str(err.value)


def test_a_rules_file_changes_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text("[discharge]\nfollow_up_working_days = 3\n")
    local = load(path)
    assert local.follow_up_working_days == 3
    assert local.frequent_caller_calls == RULES.frequent_caller_calls == 3
    assert local.frequent_caller_days == 90
