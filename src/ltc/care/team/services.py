"""Allocating a person to a wider-team user and ending the allocation, and the person's
team: whom their care-plan actions may be assigned to (CM-5). Services never commit: the
request owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import ROLE_NAMES, WIDER_TEAM, Role, User
from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.people.models import Person
from ltc.care.team.models import PlanAction, TeamAllocation

REASON_LIMIT = 2000
#: who may allocate a person to the wider team: a case manager or a GP of the person
ALLOCATORS = (Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN)


class TeamError(ValueError):
    """A change to the wider team that cannot be made as asked (the message says why)."""


@dataclass(frozen=True)
class Member:
    """Someone in the person's team: whom a care-plan action may be assigned to."""

    user_id: int
    name: str
    role: str  # the role in words

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"


def _wider_team_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in WIDER_TEAM:
        raise TeamError(f"Allocate to: no active wider-team user (community or district "
                        f"nurse, social worker, allied health professional, mental health "
                        f"or palliative care nurse) with id {user_id}.")
    return user


def open_allocations(session: Session, nhs_number: str) -> list[TeamAllocation]:
    """The person's open allocations, oldest first."""
    return list(session.scalars(select(TeamAllocation).where(
        TeamAllocation.nhs_number == nhs_number, TeamAllocation.ended_on.is_(None))
        .order_by(TeamAllocation.id)))


def allocate(session: Session, nhs_number: str, user_id: int, reason: str, by: User,
             on: date | None = None) -> TeamAllocation:
    """Allocate the person to the wider-team user ``user_id`` (one open allocation each)."""
    if by.role not in ALLOCATORS:
        raise TeamError("Only a case manager or a GP may allocate a person to the wider team.")
    user = _wider_team_user(session, user_id)
    text = (reason or "").strip()
    if len(text) > REASON_LIMIT:
        raise TeamError(f"Reason: at most {REASON_LIMIT} characters (got {len(text)}).")
    if any(a.user_id == user.id for a in open_allocations(session, nhs_number)):
        raise TeamError(f"Allocate to: {user.display_name} is already allocated to this "
                        "person.")
    row = TeamAllocation(nhs_number=nhs_number, user_id=user.id, allocated_by=by.id,
                         started_on=on or date.today(), reason=text)
    session.add(row)
    session.flush()
    return row


def end(session: Session, nhs_number: str, user_id: int, by: User,
        on: date | None = None) -> TeamAllocation:
    """End the person's open allocation to the user ``user_id`` (kept, never deleted)."""
    if by.role not in ALLOCATORS:
        raise TeamError("Only a case manager or a GP may end a wider-team allocation.")
    row = next((a for a in open_allocations(session, nhs_number) if a.user_id == user_id),
               None)
    if row is None:
        raise TeamError(f"End allocation: this person is not allocated to user {user_id}.")
    day = on or date.today()
    if day < row.started_on:
        raise TeamError(f"End date: on or after the start, {row.started_on.isoformat()}; got "
                        f"{day.isoformat()}.")
    row.ended_on, row.ended_by = day, by.id
    session.flush()
    return row


def team(session: Session, nhs_number: str) -> list[Member]:
    """The person's team, whom a care-plan action may be assigned to: the wider-team users
    allocated to them, their case manager (open caseload), their practice's GPs and
    nurses, and whoever an action of their newest plan is assigned to now."""
    person = session.get(Person, nhs_number)
    practice = person.practice_code if person is not None else None
    users = session.scalars(select(User).where(User.active.is_(True), or_(
        User.id.in_(select(TeamAllocation.user_id).where(
            TeamAllocation.nhs_number == nhs_number, TeamAllocation.ended_on.is_(None))),
        User.id.in_(select(CaseloadEntry.user_id).where(
            CaseloadEntry.nhs_number == nhs_number, CaseloadEntry.ended_on.is_(None))),
        User.id.in_(select(PlanAction.assignee_id).where(
            PlanAction.nhs_number == nhs_number)),
        (User.practice_code == practice) & User.role.in_(
            (Role.PRACTICE_CLINICIAN, Role.PRACTICE_NURSE)) if practice else false(),
    )).order_by(User.display_name, User.id))
    return [Member(u.id, u.display_name, ROLE_NAMES.get(Role(u.role), u.role))
            for u in users]


def wider_team_users(session: Session) -> list[Member]:
    """Every active wider-team user, whom a person may be allocated to."""
    users = session.scalars(select(User).where(User.active.is_(True),
                                               User.role.in_(WIDER_TEAM))
                            .order_by(User.display_name, User.id))
    return [Member(u.id, u.display_name, ROLE_NAMES.get(Role(u.role), u.role))
            for u in users]


def names(session: Session, ids: set[int]) -> dict[int, str]:
    """Users' names by id (one read)."""
    if not ids:
        return {}
    return {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))}
