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

from sqlalchemy import and_, func, select
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


def board(session: Session, ward: Ward, today: date | None = None) -> list[Bed]:
    """The people on the ward, longest stay first (see the module doc)."""
    today = today or date.today()
    rows = session.execute(
        select(WardStay, Person).join(Person, Person.nhs_number == WardStay.nhs_number)
        .where(WardStay.ward_id == ward.id, WardStay.discharged_on.is_(None))
        .order_by(WardStay.admitted_on, WardStay.id)).all()
    beds = {stay.nhs_number: Bed(stay, person, (today - stay.admitted_on).days)
            for stay, person in rows}
    if not beds:
        return []
    people = sorted(beds)
    for task in session.scalars(select(Task).where(
            Task.nhs_number.in_(people), Task.done_at.is_(None), Task.cancelled_at.is_(None),
            Task.due_on <= today).order_by(Task.due_on, Task.id)):
        beds[task.nhs_number].tasks.append(task)
    for contact in session.scalars(select(Contact).where(
            Contact.nhs_number.in_(people), Contact.on == today).order_by(Contact.id)):
        beds[contact.nhs_number].contacts.append(contact)
    newest = select(CarePlanVersion.nhs_number, func.max(CarePlanVersion.version).label("v")) \
        .where(CarePlanVersion.nhs_number.in_(people)) \
        .group_by(CarePlanVersion.nhs_number).subquery()
    for plan in session.scalars(select(CarePlanVersion).join(newest, and_(
            newest.c.nhs_number == CarePlanVersion.nhs_number,
            newest.c.v == CarePlanVersion.version))):
        bed = beds[plan.nhs_number]
        bed.review_date, bed.actions = _plan(plan.content or {})
    stays = [b.stay.id for b in beds.values()]
    latest = select(WardRound.stay_id, func.max(WardRound.on).label("on")) \
        .where(WardRound.stay_id.in_(stays)).group_by(WardRound.stay_id).subquery()
    for rnd in session.scalars(select(WardRound).join(latest, and_(
            latest.c.stay_id == WardRound.stay_id, latest.c.on == WardRound.on))):
        beds[rnd.nhs_number].latest_round = rnd
    for alert in session.scalars(select(Alert).where(
            Alert.nhs_number.in_(people), Alert.kind == RED_FLAG,
            Alert.acknowledged_at.is_(None), Alert.cancelled_at.is_(None))
            .order_by(Alert.id)):
        beds[alert.nhs_number].red_flags.append(alert.title)
    for flag in session.scalars(select(Flag).where(
            Flag.nhs_number.in_(people), Flag.cleared_at.is_(None)).order_by(Flag.id)):
        beds[flag.nhs_number].red_flags.append(flag.reason)
    return list(beds.values())
