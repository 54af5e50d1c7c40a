"""Telephone care management (DM-7): scheduling calls, each clinician's calls due, and
recording a call.

* A call is **scheduled** for a day with a clinician (case manager, GP or practice
  nurse) who looks after the person; a person has at most one call scheduled at a time.
  Telephone care management is level 2 of the pyramid (disease-specific care
  management): the practice's level-2 people with no call scheduled are listed for it.
* **Calls due** lists a clinician's scheduled calls due on or before a day, the longest
  waiting first, for the people they still look after.
* **Recording a call** keeps the scripted check's answers as asked (the question's words
  and source with each answer), the readings and medicines reported, the advice and
  coaching given and the outcome. A red-flag answer escalates the call to the person's
  named contact the same day (:mod:`ltc.care.phone.escalation`). Unless the person
  declined further calls, the next call is scheduled (by default the script's interval
  after the call, with the same clinician).

Every problem is a :class:`PhoneError` naming the field and what is expected. Services
never commit: the request owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from ltc.care import access
from ltc.care.auth.models import User
from ltc.care.db import now
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.care.phone import escalation
from ltc.care.phone.models import PhoneCall
from ltc.care.phone.script import Question, Script
from ltc.care.recall.reviews import plus_months
from ltc.care.selfcare.prompts import NamedContact
from ltc.care.work.services import free_text

STATUSES = {"scheduled": "Scheduled", "made": "Made", "cancelled": "Cancelled"}
#: how a call ended
OUTCOMES = {"completed": "Spoke with the person: check completed",
            "no_answer": "No answer: call again",
            "unable": "Could not complete the check (e.g. unwell or in hospital)",
            "declined": "The person declined further calls"}
ANSWERS = {"yes": "Yes", "no": "No", "": "Not asked"}
MAX_TEXT = 2000
#: the level of the pyramid telephone care management serves (disease-specific care
#: management, DH 2005 chapter 3)
LEVEL = 2


class PhoneError(ValueError):
    """A call that cannot be scheduled or recorded, naming the field and what is
    expected."""


class NoSuchCallError(LookupError):
    """No call with that id belongs to that person."""


def _text(value: str, label: str, *, required: bool = False) -> str:
    return free_text(value, label, MAX_TEXT, required=required, error=PhoneError)


def scheduled(session: Session, nhs_number: str) -> PhoneCall | None:
    """The person's call scheduled and not yet made, if any."""
    return session.scalar(select(PhoneCall).where(
        PhoneCall.nhs_number == nhs_number, PhoneCall.status == "scheduled")
        .order_by(PhoneCall.due_on, PhoneCall.id).limit(1))


def schedule(session: Session, nhs_number: str, by: User, clinician_id: int | None,
             due_on: date | None, today: date | None = None) -> PhoneCall:
    """Schedule a call to the person on ``due_on`` with ``clinician_id`` (default: the
    user scheduling it)."""
    today = today or date.today()
    clinician = session.get(User, clinician_id) if clinician_id else by
    if clinician is None or not clinician.active or clinician.role not in \
            {r.value for r in access.CLINICAL}:
        raise PhoneError("Clinician (clinician_id): choose an active case manager, GP or "
                         "practice nurse.")
    if not access.looks_after(session, clinician, nhs_number):
        raise PhoneError(f"Clinician (clinician_id): {clinician.display_name} does not look "
                         "after this person; choose a clinician of their practice or their "
                         "case manager.")
    if due_on is None:
        raise PhoneError("Date (due_on): this is empty. Give the day of the call.")
    if due_on < today:
        raise PhoneError(f"Date (due_on): {due_on.isoformat()} has passed. Give today or a "
                         "later day.")
    open_call = scheduled(session, nhs_number)
    if open_call is not None:
        raise PhoneError(f"Date (due_on): a call is already scheduled on "
                         f"{open_call.due_on.isoformat()}; record that call first.")
    call = PhoneCall(nhs_number=nhs_number, clinician_id=clinician.id, due_on=due_on,
                     scheduled_by=by.id)
    session.add(call)
    session.flush()
    return call


@dataclass(frozen=True)
class DueCall:
    call: PhoneCall
    person: Person
    level: int | None

    def overdue(self, today: date) -> bool:
        return self.call.due_on < today


def due(session: Session, user: User, on: date) -> list[DueCall]:
    """``user``'s scheduled calls due on or before ``on``, the longest waiting first, for
    the people they still look after."""
    rows = session.execute(
        select(PhoneCall, Person, PersonResult.level)
        .join(Person, Person.nhs_number == PhoneCall.nhs_number)
        .outerjoin(StratRun, StratRun.current.is_(True))
        .outerjoin(PersonResult, and_(PersonResult.run_id == StratRun.id,
                                      PersonResult.nhs_number == PhoneCall.nhs_number))
        .where(PhoneCall.clinician_id == user.id, PhoneCall.status == "scheduled",
               PhoneCall.due_on <= on, access.LOOKS_AFTER)
        .order_by(PhoneCall.due_on, PhoneCall.id), access.params(user)).all()
    return [DueCall(c, p, level) for c, p, level in rows]


def unscheduled(session: Session, practice: str, limit: int = 50) -> list[PersonResult]:
    """The practice's level-2 people in the current run with no call scheduled, highest
    risk first."""
    return list(session.scalars(
        select(PersonResult).join(StratRun, and_(StratRun.id == PersonResult.run_id,
                                                 StratRun.current.is_(True)))
        .where(PersonResult.level == LEVEL, PersonResult.practice_code == practice,
               ~exists().where(PhoneCall.nhs_number == PersonResult.nhs_number,
                               PhoneCall.status == "scheduled"))
        .order_by(PersonResult.risk.desc().nulls_last(), PersonResult.nhs_number)
        .limit(limit)))


def call_of(session: Session, nhs_number: str, call_id: int) -> PhoneCall:
    call = session.get(PhoneCall, call_id)
    if call is None or call.nhs_number != nhs_number:
        raise NoSuchCallError("There is no such call for this person.")
    return call


def _answer(q: Question, form: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"section": q.section, "id": q.id, "text": q.text,
                             "kind": q.kind, "red_flag": q.red_flag, "source": q.source,
                             "flagged": False}
    if q.kind == "yes_no":
        value = str(form.get(q.id, "") or "")
        if value not in ANSWERS:
            raise PhoneError(f"{q.text} ({q.id}): {value!r} is not an answer. Choose yes or "
                             "no, or leave it not asked.")
        entry["answer"] = value
        entry["flagged"] = q.red_flag and value == "yes"
    elif q.kind == "text":
        entry["answer"] = _text(str(form.get(q.id, "") or ""), f"{q.text} ({q.id})")
    else:
        values: list[float | None] = []
        for n, (name, (low, high)) in enumerate(zip(q.components, q.plausible, strict=True)):
            raw = str(form.get(f"{q.id}.{n}", "") or "").strip()
            if not raw:
                values.append(None)
                continue
            try:
                number = float(raw)
            except ValueError:
                raise PhoneError(f"{q.text} ({q.id}.{n}): {raw!r} is not a number; type the "
                                 f"{name} in {q.unit}.") from None
            if not low <= number <= high:
                raise PhoneError(f"{q.text} ({q.id}.{n}): {number:g} {q.unit} is not a "
                                 f"{name} a meter gives; expected {low:g} to {high:g}.")
            values.append(number)
        if any(v is None for v in values) and any(v is not None for v in values):
            raise PhoneError(f"{q.text} ({q.id}): give every value "
                             f"({', '.join(q.components)}) or none.")
        if len(values) == 2 and values[0] is not None and values[1] is not None \
                and values[1] >= values[0]:
            raise PhoneError(f"{q.text} ({q.id}.1): {values[1]:g} is not below {values[0]:g}."
                             " Check the two values have not been swapped.")
        entry["answer"] = values if values and values[0] is not None else None
        entry["unit"] = q.unit
    return entry


@dataclass(frozen=True)
class Recorded:
    call: PhoneCall
    escalation: escalation.Escalation | None
    next_call: PhoneCall | None


def record(session: Session, call: PhoneCall, by: User, script: Script,
           form: Mapping[str, Any], *, outcome: str, coaching: str = "", note: str = "",
           next_on: date | None = None, today: date | None = None,
           named_contact: NamedContact | None = None) -> Recorded:
    """Record ``call`` as made today with the answers in ``form`` (each question's id,
    a reading's values as ``<id>.0``, ``<id>.1``): red flags are escalated the same day
    and the next call scheduled."""
    today = today or date.today()
    if call.status != "scheduled":
        raise PhoneError(f"This call was already {STATUSES[call.status].lower()}; schedule "
                         "another to call again.")
    if outcome not in OUTCOMES:
        raise PhoneError(f"Outcome (outcome): {outcome!r} is not one of the choices. Choose "
                         f"one of {', '.join(OUTCOMES)}.")
    spoke = outcome in ("completed", "declined")
    answers = [_answer(q, form) for q in script.questions()] if spoke else []
    if outcome == "completed" and not any(a["answer"] for a in answers):
        raise PhoneError("Answers: none were given. Record the answers of the check, or "
                         "choose another outcome.")
    if outcome == "declined":
        next_on = None
    elif next_on is None:
        next_on = plus_months(today, script.interval_months)
    elif next_on <= today:
        raise PhoneError(f"Next call (next_on): {next_on.isoformat()} is not after today. "
                         "Give a later day.")
    flags = [a for a in answers if a["flagged"]]
    person = session.get(Person, call.nhs_number)
    assert person is not None
    raised = None
    if flags:
        title = ("Red flag on a telephone check, escalate today: "
                 + "; ".join(a["text"] for a in flags))
        raised = escalation.escalate(session, person, title, today, named_contact)
        call.escalated, call.task_id, call.alert_id = (raised.words[:300], raised.task_id,
                                                       raised.alert_id)
    call.status, call.made_on, call.made_by, call.outcome = "made", today, by.id, outcome
    call.answers, call.red_flags = answers, len(flags)
    call.coaching = _text(coaching, "Advice and coaching given (coaching)")
    call.note = _text(note, "Note (note)")
    call.at = now()
    session.flush()
    following = None
    if next_on is not None:
        following = PhoneCall(nhs_number=call.nhs_number, clinician_id=call.clinician_id,
                              due_on=next_on, scheduled_by=by.id)
        session.add(following)
        session.flush()
        call.next_call_id = following.id
    session.flush()
    return Recorded(call, raised, following)


def calls_of(session: Session, nhs_number: str) -> list[PhoneCall]:
    """The person's calls, newest first."""
    return list(session.scalars(select(PhoneCall).where(PhoneCall.nhs_number == nhs_number)
                                .order_by(PhoneCall.due_on.desc(), PhoneCall.id.desc())))
