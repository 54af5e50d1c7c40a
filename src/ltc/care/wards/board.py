"""The daily board of a virtual ward (VW-1): who is on it, days on the ward, today's
visits and calls (their contacts recorded today and their open tasks due by today, from
``ltc.care.work``), the care plan's next actions and review date, the latest ward round's
observations and plan, and red flags (open ``red_flag`` alerts and open flags on the
person).

The board is read in a fixed number of statements whatever the number of beds: the stays
with each person; then, for all of them at once, the tasks, the contacts, the newest care
plan versions, the latest rounds, the alerts and the flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from ltc.care.careplans.models import CarePlanVersion
from ltc.care.events.models import Alert, Flag
from ltc.care.people.models import Person
from ltc.care.wards.models import Ward, WardRound, WardStay
from ltc.care.work.models import Contact, Task

#: the alert kind that is a red flag on the board (``ltc.care.phone.escalation.KIND``)
RED_FLAG = "red_flag"


@dataclass
class Bed:
    """One person on the ward and what the board shows of them."""

    stay: WardStay
    person: Person
    days: int
    tasks: list[Task] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    review_date: str | None = None
    actions: list[str] = field(default_factory=list)
    latest_round: WardRound | None = None
    red_flags: list[str] = field(default_factory=list)

    @property
    def round_today(self) -> bool:
        return self.latest_round is not None and self.latest_round.on == date.today()


def _plan(content: dict[str, Any]) -> tuple[str | None, list[str]]:
    actions = [str(a.get("what") or "") + (f" ({a['who']})" if a.get("who") else "")
               for a in content.get("actions") or [] if isinstance(a, dict)]
    return content.get("review_date") or None, [a for a in actions if a][:5]


# The board's statements, built once (the board is read often): the ward and the day are
# parameters, and the people on the ward a subquery, not a list of their numbers, so each
# statement is the same whatever the ward's size and is compiled and prepared once.
_WARD = bindparam("ward", type_=WardStay.ward_id.type)
_TODAY = bindparam("today", type_=Task.due_on.type)
_OPEN = and_(WardStay.ward_id == _WARD, WardStay.discharged_on.is_(None))
_PEOPLE = select(WardStay.nhs_number).where(_OPEN)
_STAYS = select(WardStay, Person).join(Person, Person.nhs_number == WardStay.nhs_number) \
    .where(_OPEN).order_by(WardStay.admitted_on, WardStay.id)
_TASKS = select(Task).where(
    Task.nhs_number.in_(_PEOPLE), Task.done_at.is_(None), Task.cancelled_at.is_(None),
    Task.due_on <= _TODAY).order_by(Task.due_on, Task.id)
_CONTACTS = select(Contact).where(Contact.nhs_number.in_(_PEOPLE), Contact.on == _TODAY) \
    .order_by(Contact.id)
_NEWEST = select(CarePlanVersion.nhs_number, func.max(CarePlanVersion.version).label("v")) \
    .where(CarePlanVersion.nhs_number.in_(_PEOPLE)) \
    .group_by(CarePlanVersion.nhs_number).subquery()
_PLANS = select(CarePlanVersion).join(_NEWEST, and_(
    _NEWEST.c.nhs_number == CarePlanVersion.nhs_number, _NEWEST.c.v == CarePlanVersion.version))
_LATEST = select(WardRound.stay_id, func.max(WardRound.on).label("on")) \
    .where(WardRound.stay_id.in_(select(WardStay.id).where(_OPEN))) \
    .group_by(WardRound.stay_id).subquery()
_ROUNDS = select(WardRound).join(_LATEST, and_(_LATEST.c.stay_id == WardRound.stay_id,
                                               _LATEST.c.on == WardRound.on))
_ALERTS = select(Alert).where(
    Alert.nhs_number.in_(_PEOPLE), Alert.kind == RED_FLAG, Alert.acknowledged_at.is_(None),
    Alert.cancelled_at.is_(None)).order_by(Alert.id)
_FLAGS = select(Flag).where(Flag.nhs_number.in_(_PEOPLE), Flag.cleared_at.is_(None)) \
    .order_by(Flag.id)


def board(session: Session, ward: Ward, today: date | None = None) -> list[Bed]:
    """The people on the ward, longest stay first (see the module doc)."""
    today = today or date.today()
    at = {"ward": ward.id, "today": today}
    beds = {stay.nhs_number: Bed(stay, person, (today - stay.admitted_on).days)
            for stay, person in session.execute(_STAYS, at).all()}
    if not beds:
        return []
    for task in session.scalars(_TASKS, at):
        beds[task.nhs_number].tasks.append(task)
    for contact in session.scalars(_CONTACTS, at):
        beds[contact.nhs_number].contacts.append(contact)
    for plan in session.scalars(_PLANS, at):
        bed = beds[plan.nhs_number]
        bed.review_date, bed.actions = _plan(plan.content or {})
    for rnd in session.scalars(_ROUNDS, at):
        beds[rnd.nhs_number].latest_round = rnd
    for alert in session.scalars(_ALERTS, at):
        beds[alert.nhs_number].red_flags.append(alert.title)
    for flag in session.scalars(_FLAGS, at):
        beds[flag.nhs_number].red_flags.append(flag.reason)
    return list(beds.values())
