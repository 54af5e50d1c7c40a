"""Telephone care management (DM-7): the scripted check built from the person's condition
protocols and what every call asks; calls scheduled with a clinician who looks after the
person, one at a time; each clinician's calls due; a call recorded with its answers as
asked; a red flag escalated to the named contact the same day (a task due today and an
alert), else the case manager, else the practice; the next call a month later by default,
none when the person declined; bad input refused naming the field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from ltc.care.auth.models import User
from ltc.care.casemgmt import services as cases
from ltc.care.contacts import services as contacts
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.events.inbox import inbox
from ltc.care.events.models import Alert, Notification
from ltc.care.phone import script, services
from ltc.care.phone.models import PhoneCall
from ltc.care.work.models import Task
from ltc.protocols import load as load_protocols

from ..care import IN_AREA, IN_AREA_2, OTHER_AREA, Community
from ..contacts.team import add_team

PROTOCOLS = load_protocols()
TODAY = date(2025, 4, 10)
COPD_HF = {c: PROTOCOLS[c] for c in ("copd", "heart_failure")}


def test_the_script_is_built_from_the_persons_protocols() -> None:
    checked = script.build(script.load(), COPD_HF)
    assert [s.title for s in checked.sections] == ["COPD", "Heart failure", "Medicines",
                                                   "Since the last call"]
    ids = [q.id for q in checked.questions()]
    assert ids[:6] == ["copd.breathless", "copd.sputum", "copd.severe", "heart_failure.weight",
                       "heart_failure.swelling", "heart_failure.breathless_at_rest"]
    assert ids[6:] == ["medicines.taken", "medicines.side_effects", "medicines.enough",
                       "general.changes"]
    flags = [q.id for q in checked.questions() if q.red_flag]
    assert flags == ["copd.severe", "heart_failure.breathless_at_rest"]
    assert all(q.source for q in checked.questions())
    assert checked.interval_months == 1
    with_bp = script.build(script.load(), {"hypertension": PROTOCOLS["hypertension"]})
    reading = next(q for q in with_bp.questions() if q.kind == "reading")
    assert (reading.id, reading.components, reading.unit) == (
        "readings.blood_pressure", ("systolic", "diastolic"), "mmHg")


def test_a_communitys_own_script_replaces_the_default_and_a_bad_one_is_named(
        tmp_path: Path) -> None:
    (tmp_path / "phone").mkdir()
    own = tmp_path / "phone" / "script.toml"
    own.write_text('call_interval_months = 2\n[intervals]\ncopd = 1\n')
    config = script.load(tmp_path)
    assert config.questions == ()
    assert script.build(config, COPD_HF).interval_months == 1  # the shortest applies
    assert script.build(config, {"heart_failure": PROTOCOLS["heart_failure"]}
                        ).interval_months == 2
    own.write_text('call_interval_months = 0\n')
    with pytest.raises(script.ScriptError) as bad:
        script.load(tmp_path)
    assert str(bad.value) == (f"{own}: call_interval_months: expected a whole number of "
                              "months from 1 to 24, got 0")
    own.write_text('call_interval_months = 1\n[[questions]]\nid = "x"\nsection = "medicines"'
                   '\ntext = "?"\nkind = "scale"\nsource = "s"\n')
    with pytest.raises(script.ScriptError, match=r"questions\[1\]\.kind: expected yes_no or "
                                                 "text, got 'scale'"):
        script.load(tmp_path)


def _user(s: object, community: Community, name: str) -> User:
    found = s.get(User, community.users[name])  # type: ignore[attr-defined]
    assert found is not None
    return found  # type: ignore[no-any-return]


def _schedule(community: Community, by: str, nhs: str = IN_AREA, clinician: str | None = None,
              due_on: date | None = TODAY) -> PhoneCall:
    with unit_of_work(sessions(make_engine(community.url))) as s:
        me = _user(s, community, by)
        chosen = community.users[clinician] if clinician else None
        return services.schedule(s, nhs, me, chosen, due_on, TODAY)


@pytest.mark.parametrize(("who", "due_on", "error"), [
    ("gp2", TODAY, "Clinician (clinician_id): Gp2 does not look after this person; choose a "
                   "clinician of their practice or their case manager."),
    ("analyst", TODAY, "Clinician (clinician_id): choose an active case manager, GP or "
                       "practice nurse."),
    (None, date(2025, 4, 9), "Date (due_on): 2025-04-09 has passed. Give today or a later "
                             "day."),
    (None, None, "Date (due_on): this is empty. Give the day of the call."),
])
def test_scheduling_mistakes_are_named(community: Community, who: str | None,
                                       due_on: date | None, error: str) -> None:
    with pytest.raises(services.PhoneError) as refused:
        _schedule(community, "gp", clinician=who, due_on=due_on)
    assert str(refused.value) == error


def test_calls_due_are_each_clinicians_own_longest_waiting_first(
        community: Community) -> None:
    add_team(community.url, community.users)
    _schedule(community, "gp", IN_AREA_2, "nurse", date(2025, 4, 12))
    _schedule(community, "nurse", IN_AREA)
    _schedule(community, "gp2", OTHER_AREA)
    with pytest.raises(services.PhoneError, match="a call is already scheduled on 2025-04-10"):
        _schedule(community, "gp", IN_AREA, due_on=date(2025, 5, 1))
    with sessions(make_engine(community.url))() as s:
        nurse = _user(s, community, "nurse")
        assert [d.person.nhs_number for d in services.due(s, nurse, TODAY)] == [IN_AREA]
        assert [d.person.nhs_number for d in services.due(s, nurse, date(2025, 4, 12))] == [
            IN_AREA, IN_AREA_2]
        assert services.due(s, _user(s, community, "gp"), date(2025, 4, 30)) == []


ANSWERS = {"copd.breathless": "yes", "copd.sputum": "no", "copd.severe": "no",
           "heart_failure.weight": "no", "heart_failure.swelling": "no",
           "heart_failure.breathless_at_rest": "no", "medicines.taken": "no",
           "general.changes": "Missed water tablets at the weekend"}


def _record(community: Community, call: PhoneCall, answers: dict[str, str],
            outcome: str = "completed", next_on: date | None = None,
            ) -> services.Recorded:
    with unit_of_work(sessions(make_engine(community.url))) as s:
        found = s.get(PhoneCall, call.id)
        assert found is not None
        return services.record(s, found, _user(s, community, "nurse"),
                               script.build(script.load(), COPD_HF), answers,
                               outcome=outcome, coaching="Pacing; rescue pack plan",
                               next_on=next_on, today=TODAY)


def test_a_call_without_red_flags_keeps_its_answers_and_books_the_next_a_month_on(
        community: Community) -> None:
    add_team(community.url, community.users)
    call = _schedule(community, "nurse")
    done = _record(community, call, ANSWERS)
    assert done.escalation is None
    assert done.next_call is not None
    assert (done.next_call.due_on, done.next_call.clinician_id) == (
        date(2025, 5, 10), community.users["nurse"])
    with sessions(make_engine(community.url))() as s:
        made = s.get(PhoneCall, call.id)
        assert made is not None
        assert (made.status, made.made_on, made.outcome, made.red_flags) == (
            "made", TODAY, "completed", 0)
        breathless = made.answers[0]
        assert breathless == {
            "section": "copd", "id": "copd.breathless", "kind": "yes_no",
            "text": "Are you more breathless than usual?", "answer": "yes",
            "red_flag": False, "flagged": False,
            "source": "NICE NG114 COPD (acute exacerbation): increased breathlessness"}
        assert made.answers[-1]["answer"] == "Missed water tablets at the weekend"
        assert s.scalars(select(Task)).all() == []


def test_a_red_flag_is_escalated_to_the_named_contact_today(community: Community) -> None:
    add_team(community.url, community.users)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        contacts.set_contact(s, IN_AREA, community.users["gp"], _user(s, community, "nurse"))
    call = _schedule(community, "nurse")
    done = _record(community, call, {**ANSWERS, "heart_failure.breathless_at_rest": "yes"})
    assert done.escalation is not None
    assert done.escalation.words == "Task due today and alert for Gp (named contact)"
    with sessions(make_engine(community.url))() as s:
        task = s.scalars(select(Task)).one()
        assert (task.assigned_to, task.due_on, task.kind, task.nhs_number) == (
            community.users["gp"], TODAY, "red_flag", IN_AREA)
        assert task.title == ("Red flag on a telephone check, escalate today: Are you "
                              "breathless at rest, or do you wake at night short of breath?")
        alert = s.scalars(select(Alert)).one()
        assert (alert.user_id, alert.kind) == (community.users["gp"], "red_flag")
        gp = s.get(User, community.users["gp"])
        assert gp is not None
        assert [a.label for a in inbox(s, gp).open] == [
            "Red flag on a telephone check: act today"]
        assert [n.user_id for n in s.scalars(select(Notification))] == [community.users["gp"]]
        made = s.get(PhoneCall, call.id)
        assert made is not None
        assert (made.red_flags, made.task_id, made.escalated) == (
            1, task.id, done.escalation.words)


def test_without_a_named_contact_the_case_manager_then_the_practice(
        community: Community) -> None:
    add_team(community.url, community.users)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        matron = _user(s, community, "matron")
        cases.allocate(s, IN_AREA, matron.id, matron)
    first = _record(community, _schedule(community, "nurse"),
                    {**ANSWERS, "copd.severe": "yes"})
    assert first.escalation is not None
    assert first.escalation.words == "Task due today and alert for Matron (case manager)"
    call = _schedule(community, "nurse", IN_AREA_2)
    second = _record(community, call, {**ANSWERS, "copd.severe": "yes"})
    assert second.escalation is not None
    assert second.escalation.route == "practice"
    with sessions(make_engine(community.url))() as s:
        alert = s.scalars(select(Alert).where(Alert.nhs_number == IN_AREA_2)).one()
        assert (alert.user_id, alert.practice_code) == (None, "P1")


def test_declined_books_no_next_call_and_mistakes_are_named(community: Community) -> None:
    add_team(community.url, community.users)
    call = _schedule(community, "nurse")
    with pytest.raises(services.PhoneError, match=r"Answers: none were given"):
        _record(community, call, {})
    with pytest.raises(services.PhoneError, match=r"\(copd.severe\): 'maybe' is not an answer"):
        _record(community, call, {**ANSWERS, "copd.severe": "maybe"})
    with pytest.raises(services.PhoneError, match=r"Next call \(next_on\): 2025-04-10 is not "
                                                  "after today"):
        _record(community, call, ANSWERS, next_on=TODAY)
    done = _record(community, call, {"medicines.taken": "yes"}, outcome="declined")
    assert done.next_call is None
    with pytest.raises(services.PhoneError, match="This call was already made"):
        _record(community, call, ANSWERS)
    missed = _schedule(community, "nurse")
    again = _record(community, missed, {}, outcome="no_answer", next_on=date(2025, 4, 11))
    assert again.next_call is not None
    assert again.next_call.due_on == date(2025, 4, 11)
