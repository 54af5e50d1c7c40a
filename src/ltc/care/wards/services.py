"""Virtual wards (VW-1): making and changing wards, the default wards of each locality,
who runs a ward, admission, discharge with an outcome, and the daily ward round.

* A ward serves the people registered with its practices. Its **team** is its
  co-ordinator (a case manager: an integrated care co-ordinator is a case manager with
  that job title) and its staff; they and the case managers of the ward's locality run
  it (see its board, admit, discharge, record rounds). Anyone else is told there is no
  such ward. An administrator or the ward's co-ordinator makes and changes wards.
* **Admission**: step-up from the worklist, an MDT meeting or a referral; step-down from
  hospital discharge (:data:`SOURCES`), with the day and the reason. Refused when the
  ward is full (its open stays fill its beds), when the person is already on a ward, or
  when they are not registered with one of the ward's practices.
* **Discharge** with an outcome (:data:`OUTCOMES`), the day and a note.
* **Ward round**: one record per person per day (notes, observations, the plan for the
  day); a second save the same day updates that record, keeping who saved it last.

Every problem is a :class:`WardError` saying which field is wrong and what is expected;
services never commit: the request owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import Role, User
from ltc.care.casemgmt.models import CaseManager
from ltc.care.coordination.services import is_coordinator
from ltc.care.db import now
from ltc.care.events.models import CareEvent
from ltc.care.people.models import Person
from ltc.care.wards.models import (
    DEFAULT_CAPACITY,
    Ward,
    WardPractice,
    WardRound,
    WardStaff,
    WardStay,
)
from ltc.care.work.services import free_text

#: how a person comes onto a ward: step-up (worklist, mdt, referral), step-down (discharge)
SOURCES = {"worklist": "Step-up from the worklist", "mdt": "Step-up from an MDT meeting",
           "referral": "Step-up on a referral", "discharge": "Step-down from hospital discharge"}
#: how a stay ends
OUTCOMES = {"to_level_2": "Back to level 2 (disease management)",
            "to_level_1": "Back to level 1 (supported self care)",
            "to_caseload": "To a case manager's caseload",
            "hospital": "Admitted to hospital", "died": "Died",
            "long_term_care": "Moved to long-term care"}
MAX_TEXT = 2000
MAX_NAME = 200
MAX_CAPACITY = 500
#: how far back an admission or discharge may be dated
FURTHEST = timedelta(days=366)


class WardError(ValueError):
    """Something about a ward, a stay or a round that cannot be saved."""


class NotFoundError(LookupError):
    """No such ward (that this user runs), or the person is not on it."""


# -- who runs a ward --------------------------------------------------------------------
def runs(session: Session, user: User, ward: Ward) -> bool:
    """Whether ``user`` runs ``ward``: its co-ordinator, its staff, or a case manager of
    its locality."""
    if not user.active:
        return False
    if ward.coordinator_id == user.id:
        return True
    if session.scalar(select(exists().where(WardStaff.ward_id == ward.id,
                                            WardStaff.user_id == user.id))):
        return True
    return user.role == Role.CASE_MANAGER and bool(session.scalar(select(exists().where(
        CaseManager.user_id == user.id, CaseManager.locality_code == ward.locality_code))))


def may_change(user: User, ward: Ward | None) -> bool:
    """An administrator changes any ward; a case manager changes the ward they
    co-ordinate and makes new ones (co-ordinating them)."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.CASE_MANAGER:
        return False
    return ward is None or ward.coordinator_id == user.id


def ward_run_by(session: Session, ward_id: int, user: User) -> Ward:
    """A ward ``user`` runs, or :class:`NotFoundError`."""
    ward = session.get(Ward, ward_id)
    if ward is None or not runs(session, user, ward):
        raise NotFoundError("There is no such virtual ward that you work on.")
    return ward


def wards_run_by(session: Session, user: User) -> list[Ward]:
    """The wards ``user`` runs (an administrator: every ward), by name."""
    statement = select(Ward).order_by(Ward.name)
    if user.role != Role.ADMIN:
        statement = statement.where(or_(
            Ward.coordinator_id == user.id,
            Ward.id.in_(select(WardStaff.ward_id).where(WardStaff.user_id == user.id)),
            Ward.locality_code.in_(select(CaseManager.locality_code).where(
                CaseManager.user_id == user.id))))
    return list(session.scalars(statement))


# -- making and changing wards ----------------------------------------------------------
@dataclass(frozen=True)
class WardIn:
    name: str
    locality_code: str
    practices: Sequence[str]
    coordinator_id: int | None
    staff: Sequence[int]
    capacity: int | None


def _coordinator(session: Session, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or user.role != Role.CASE_MANAGER:
        raise WardError("Co-ordinator (coordinator): choose an active case manager (an "
                        "integrated care co-ordinator is a case manager with that job "
                        "title).")
    return user.id


def _check(session: Session, data: WardIn, ward_id: int | None) -> tuple[str, str, list[str],
                                                                          list[int], int]:
    name = free_text(data.name, "Name (name)", MAX_NAME, required=True, error=WardError)
    locality = free_text(data.locality_code, "Locality (locality_code)", 16, required=True,
                         error=WardError)
    practices = sorted({p.strip().upper() for p in data.practices if p.strip()})
    if not practices:
        raise WardError("Practices (practices): give the codes of the practices the ward "
                        "serves, one a line.")
    for code in practices:
        if len(code) > 16 or not code.isalnum():
            raise WardError(f"Practices (practices): {code[:20]!r} is not a practice code. "
                            "Give codes such as C82001, one a line.")
    capacity = DEFAULT_CAPACITY if data.capacity is None else data.capacity
    if not 1 <= capacity <= MAX_CAPACITY:
        raise WardError(f"Beds (capacity): {capacity} is not between 1 and {MAX_CAPACITY}.")
    staff = sorted(set(data.staff))
    if staff:
        found = {u.id for u in session.scalars(select(User).where(User.id.in_(staff),
                                                                  User.active.is_(True)))}
        missing = [s for s in staff if s not in found]
        if missing:
            raise WardError(f"Staff (staff): user {missing[0]} is not an active user.")
    clash = select(Ward.id).where(Ward.name == name)
    if ward_id is not None:
        clash = clash.where(Ward.id != ward_id)
    if session.scalar(clash) is not None:
        raise WardError(f"Name (name): there is already a ward called {name!r}. Choose "
                        "another name.")
    return name, locality, practices, staff, capacity


def save_ward(session: Session, by: User, data: WardIn, ward: Ward | None = None) -> Ward:
    """Make a ward (``ward`` None) or change it; ``by`` must be allowed to
    (:func:`may_change`). A case manager making a ward co-ordinates it unless they name
    another co-ordinator."""
    if not may_change(by, ward):
        raise NotFoundError("There is no such virtual ward that you co-ordinate.")
    name, locality, practices, staff, capacity = _check(
        session, data, ward.id if ward else None)
    coordinator = _coordinator(session, data.coordinator_id)
    if ward is None:
        if coordinator is None and by.role == Role.CASE_MANAGER:
            coordinator = by.id
        ward = Ward(name=name, locality_code=locality, coordinator_id=coordinator,
                    capacity=capacity)
        session.add(ward)
        session.flush()
    else:
        ward.name, ward.locality_code, ward.capacity = name, locality, capacity
        ward.coordinator_id = coordinator
        session.execute(delete(WardPractice).where(WardPractice.ward_id == ward.id))
        session.execute(delete(WardStaff).where(WardStaff.ward_id == ward.id))
    session.add_all(WardPractice(ward_id=ward.id, practice_code=p) for p in practices)
    session.add_all(WardStaff(ward_id=ward.id, user_id=u) for u in staff)
    session.flush()
    return ward


def practices_of(session: Session, ward: Ward) -> list[str]:
    return list(session.scalars(select(WardPractice.practice_code).where(
        WardPractice.ward_id == ward.id).order_by(WardPractice.practice_code)))


def staff_of(session: Session, ward: Ward) -> list[User]:
    return list(session.scalars(select(User).join(WardStaff, WardStaff.user_id == User.id)
                                .where(WardStaff.ward_id == ward.id)
                                .order_by(User.display_name, User.id)))


def default_wards(session: Session) -> list[Ward]:
    """A ward for each locality of the people table that has none yet, serving the
    practices its people are registered with, named "Virtual ward <locality>", with
    :data:`DEFAULT_CAPACITY` beds; its co-ordinator is the locality's first case manager
    whose job title names a co-ordinator, else its first case manager (none when it has
    none). Returns the wards made (none when every locality has one)."""
    covered = set(session.scalars(select(Ward.locality_code)))
    names = set(session.scalars(select(Ward.name)))
    pairs = session.execute(
        select(Person.locality_code, Person.practice_code).distinct()
        .where(Person.locality_code.is_not(None), Person.practice_code.is_not(None))
        .order_by(Person.locality_code, Person.practice_code)).all()
    by_locality: dict[str, list[str]] = {}
    for locality, practice in pairs:
        if locality and practice:
            by_locality.setdefault(locality, []).append(practice)
    managers: dict[str, int] = {}
    titled: set[str] = set()
    for cm in session.scalars(select(CaseManager).join(User, User.id == CaseManager.user_id)
                              .where(User.active.is_(True)).order_by(CaseManager.user_id)):
        coordinates = is_coordinator(cm)
        if cm.locality_code not in managers or (coordinates and cm.locality_code not in titled):
            managers[cm.locality_code] = cm.user_id
            if coordinates:
                titled.add(cm.locality_code)
    made = []
    for locality, practices in by_locality.items():
        if locality in covered or f"Virtual ward {locality}" in names:
            continue
        ward = Ward(name=f"Virtual ward {locality}", locality_code=locality,
                    coordinator_id=managers.get(locality), capacity=DEFAULT_CAPACITY)
        session.add(ward)
        session.flush()
        session.add_all(WardPractice(ward_id=ward.id, practice_code=p) for p in practices)
        made.append(ward)
    session.flush()
    return made


# -- stays ------------------------------------------------------------------------------
def open_stay(session: Session, nhs_number: str) -> WardStay | None:
    return session.scalar(select(WardStay).where(WardStay.nhs_number == nhs_number,
                                                 WardStay.discharged_on.is_(None)))


def occupied(session: Session, ward_id: int) -> int:
    """Beds taken on the ward now: its open stays."""
    return session.scalar(select(func.count()).select_from(WardStay).where(
        WardStay.ward_id == ward_id, WardStay.discharged_on.is_(None))) or 0


def _day(value: date | None, label: str, today: date) -> date:
    if value is None:
        raise WardError(f"{label}: this is empty. Give the date.")
    if value > today:
        raise WardError(f"{label}: {value.isoformat()} is in the future. Give today's date "
                        "or an earlier one.")
    if today - value > FURTHEST:
        raise WardError(f"{label}: {value.isoformat()} is more than a year ago. Give the "
                        "date it happened.")
    return value


#: a hospital discharge this recent makes an admission a step-down by default
STEP_DOWN_WITHIN = timedelta(days=14)


def suggested_source(session: Session, nhs_number: str, today: date | None = None) -> str:
    """``discharge`` (step-down) when the person left hospital in the last
    :data:`STEP_DOWN_WITHIN` (a discharge event from the feeds, not cancelled), else
    ``worklist``."""
    since = datetime.combine((today or date.today()) - STEP_DOWN_WITHIN, time.min)
    left = session.scalar(select(exists().where(
        CareEvent.nhs_number == nhs_number, CareEvent.kind == "discharge",
        CareEvent.cancelled_at.is_(None), CareEvent.occurred_at >= since)))
    return "discharge" if left else "worklist"


def admit(session: Session, by: User, nhs_number: str, ward_id: int | None,
          admitted_on: date | None, source: str, reason: str,
          today: date | None = None) -> WardStay:
    """Admit the person to a ward ``by`` runs (see the module doc for the refusals)."""
    today = today or date.today()
    if ward_id is None:
        raise WardError("Ward (ward_id): choose the ward.")
    try:
        ward = ward_run_by(session, ward_id, by)
    except NotFoundError as e:
        raise WardError("Ward (ward_id): choose a ward you work on.") from e
    session.flush()  # (a refresh drops changes not yet written)
    session.refresh(ward, with_for_update=True)  # one admission at a time per ward
    if source not in SOURCES:
        raise WardError(f"How they come (source): choose one of {', '.join(SOURCES)}.")
    day = _day(admitted_on, "Admitted on (admitted_on)", today)
    text = free_text(reason, "Reason (reason)", MAX_TEXT, required=True, error=WardError)
    current = open_stay(session, nhs_number)
    if current is not None:
        on = session.get(Ward, current.ward_id)
        raise WardError(f"This person is already on {on.name if on else 'a ward'} (since "
                        f"{current.admitted_on.isoformat()}): discharge them first.")
    person = session.get(Person, nhs_number)
    if person is None or person.practice_code not in practices_of(session, ward):
        raise WardError(f"{ward.name} serves practices {', '.join(practices_of(session, ward))}"
                        ": this person is registered with another practice.")
    taken = occupied(session, ward.id)
    if taken >= ward.capacity:
        raise WardError(f"{ward.name} is full: {taken} of its {ward.capacity} beds are "
                        "taken. Discharge someone or choose another ward.")
    stay = WardStay(ward_id=ward.id, nhs_number=nhs_number, admitted_on=day, source=source,
                    reason=text, admitted_by=by.id)
    session.add(stay)
    session.flush()
    return stay


def discharge(session: Session, by: User, nhs_number: str, discharged_on: date | None,
              outcome: str, note: str, today: date | None = None) -> WardStay:
    """Discharge the person from their ward (which ``by`` runs) with an outcome."""
    today = today or date.today()
    stay = open_stay(session, nhs_number)
    if stay is None:
        raise WardError("This person is not on a virtual ward.")
    ward_run_by(session, stay.ward_id, by)
    if outcome not in OUTCOMES:
        raise WardError(f"Outcome (outcome): choose one of {', '.join(OUTCOMES)}.")
    day = _day(discharged_on, "Discharged on (discharged_on)", today)
    if day < stay.admitted_on:
        raise WardError(f"Discharged on (discharged_on): {day.isoformat()} is before the "
                        f"admission on {stay.admitted_on.isoformat()}.")
    stay.discharged_on, stay.outcome, stay.discharged_by = day, outcome, by.id
    stay.discharge_note = free_text(note, "Note (note)", MAX_TEXT, required=False,
                                    error=WardError)
    session.flush()
    return stay


def stay_on(session: Session, ward: Ward, nhs_number: str) -> WardStay:
    """The person's open stay on ``ward``, or :class:`NotFoundError`."""
    stay = open_stay(session, nhs_number)
    if stay is None or stay.ward_id != ward.id:
        raise NotFoundError("This person is not on this virtual ward.")
    return stay


def round_of(session: Session, stay: WardStay, on: date) -> WardRound | None:
    return session.scalar(select(WardRound).where(WardRound.stay_id == stay.id,
                                                  WardRound.on == on))


def save_round(session: Session, by: User, ward: Ward, nhs_number: str, notes: str,
               observations: str, plan: str, today: date | None = None) -> WardRound:
    """Record today's ward round for the person (a second save today updates it)."""
    today = today or date.today()
    stay = stay_on(session, ward, nhs_number)
    texts = (free_text(notes, "Notes (notes)", MAX_TEXT, required=False, error=WardError),
             free_text(observations, "Observations (observations)", MAX_TEXT,
                       required=False, error=WardError),
             free_text(plan, "Plan for the day (plan)", MAX_TEXT, required=False,
                       error=WardError))
    if not any(texts):
        raise WardError("Ward round: everything is empty. Type the notes, the observations "
                        "or the plan for the day.")
    row = round_of(session, stay, today)
    if row is None:
        row = WardRound(stay_id=stay.id, nhs_number=nhs_number, on=today, by=by.id)
        session.add(row)
    row.notes, row.observations, row.plan = texts
    row.by, row.at = by.id, now()
    session.flush()
    return row
