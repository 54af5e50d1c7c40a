"""Who may see whom: the legitimate relationship, defined once (privacy; CM-1: the
locality and practices a case manager covers decide whom they see).

* a **case manager** sees the people on their open caseload and the candidates of their
  area: people living in their locality or registered with a practice they cover;
* a **practice clinician** (a GP), a **practice nurse** and a **practice manager** see the
  people registered with their practice (the practice manager records no clinical
  finding: that is the routes' policies, ``ltc.web.policy``);
* an **analyst or commissioner**, an **administrator** and an **interface** see nobody
  (aggregates, users and feeds only);
* a clinician (case manager, GP or practice nurse) with **break-glass** access to a
  person sees them until it expires (a typed reason, flagged on every audit row it
  allows). Whom a clinician *looks after* (whom tasks and alerts may go to) leaves
  break-glass out: it ends while the task stays;
* a clinician who is a virtual ward's **co-ordinator or staff** sees the people on that
  ward now (an open stay, VW-1), whatever their role's own rule says;
* a member of the **wider team** (community or district nurse, social worker, allied
  health professional, mental health or palliative care nurse) sees the people allocated
  to them (an open allocation) and those an action of whose newest care plan is assigned
  to them (CM-5). They have no break-glass access: their relationship is made for them
  by a case manager or GP, and an emergency is the clinicians' (and out-of-hours
  clinicians') to handle.

The rule has two forms that ``tests/care/test_access_rule.py`` holds equal for every
role, caseload (open or ended), locality, covered practice, ward (co-ordinator or staff;
stay open or ended), wider-team allocation (open or ended) and assigned action, and
break-glass grant (live or expired) on SQLite and PostgreSQL:

* the Python form, :func:`access` and :func:`looks_after`, asks about one person (every
  person route, through the web guard);
* the SQL form, :data:`LOOKS_AFTER` and :data:`MAY_SEE`, is a condition on a ``Person``
  row for list queries (the inbox, my tasks), bound to a user by :func:`params`; the
  user's role is in the parameters (a parameter is NULL for a role it does not apply
  to), so a statement built once serves every user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import PRACTICE_ROLES, WIDER_TEAM, BreakGlass, Role, User
from ltc.care.casemgmt.models import CaseloadEntry, CaseManager, CoveredPractice
from ltc.care.db import now
from ltc.care.people.models import Person
from ltc.care.team.models import PlanAction, TeamAllocation
from ltc.care.wards.models import Ward, WardStaff, WardStay

#: roles that may be given break-glass access (and tasks and alerts about a person)
CLINICAL = (Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN, Role.PRACTICE_NURSE)
#: roles that may be given break-glass access: the clinicians and the out-of-hours and
#: ambulance clinicians (who read only the out-of-hours summary: the routes' policies)
BREAK_GLASS_ROLES = (*CLINICAL, Role.OUT_OF_HOURS)


@dataclass(frozen=True)
class Access:
    """Whether a user may see a person, and whether only through break-glass access."""

    allowed: bool
    break_glass: bool = False


# -- the Python form -------------------------------------------------------------------
# the person and whether they are on this user's open caseload, in one read (built once:
# it runs on every person request)
_PERSON_ON_CASELOAD = select(Person, exists().where(
    CaseloadEntry.nhs_number == bindparam("nhs"), CaseloadEntry.user_id == bindparam("user"),
    CaseloadEntry.ended_on.is_(None))).where(Person.nhs_number == bindparam("nhs"))


def _on_ward_of(nhs: Any, user: Any) -> Any:
    """The person ``nhs`` is on a ward now whose co-ordinator or staff ``user`` is."""
    return exists().where(
        WardStay.nhs_number == nhs, WardStay.discharged_on.is_(None),
        or_(WardStay.ward_id.in_(select(WardStaff.ward_id).where(WardStaff.user_id == user)),
            WardStay.ward_id.in_(select(Ward.id).where(Ward.coordinator_id == user))))


_ON_WARD = select(_on_ward_of(bindparam("nhs"), bindparam("user")))


def _in_team_of(nhs: Any, user: Any) -> Any:
    """The person ``nhs`` is allocated to ``user`` (open) or an action of their newest
    care plan is assigned to ``user`` (each its own subquery, never correlated to a list
    query of allocations or actions it is used in)."""
    return or_(select(TeamAllocation.id).where(
                   TeamAllocation.nhs_number == nhs, TeamAllocation.user_id == user,
                   TeamAllocation.ended_on.is_(None)).correlate_except(TeamAllocation).exists(),
               select(PlanAction.id).where(
                   PlanAction.nhs_number == nhs, PlanAction.assignee_id == user,
               ).correlate_except(PlanAction).exists())


_IN_TEAM = select(_in_team_of(bindparam("nhs"), bindparam("user")))


def access(session: Session, user: User, nhs_number: str, at: datetime | None = None, *,
           emergency: bool = True) -> Access:
    """Whether ``user`` may see the person (see the module doc); with ``emergency``
    False, break-glass access is not looked for. Nobody may see a person not in the
    store."""
    found = session.execute(_PERSON_ON_CASELOAD, {"nhs": nhs_number, "user": user.id}).first()
    if found is None:
        return Access(False)
    person, on_caseload = found
    if user.role == Role.CASE_MANAGER:
        if on_caseload:
            return Access(True)
        cm = session.get(CaseManager, user.id)
        if cm is not None:
            if person.locality_code is not None and person.locality_code == cm.locality_code:
                return Access(True)
            if person.practice_code is not None and session.scalar(select(exists().where(
                    CoveredPractice.user_id == user.id,
                    CoveredPractice.practice_code == person.practice_code))):
                return Access(True)
    elif user.role in PRACTICE_ROLES and user.practice_code \
            and person.practice_code == user.practice_code:
        return Access(True)
    elif user.role in WIDER_TEAM:
        return Access(bool(session.scalar(_IN_TEAM, {"nhs": nhs_number, "user": user.id})))
    if user.role in CLINICAL and session.scalar(_ON_WARD, {"nhs": nhs_number,
                                                           "user": user.id}):
        return Access(True)
    if user.role not in BREAK_GLASS_ROLES or not emergency:
        # practice managers, analysts, administrators and interfaces: no break-glass
        return Access(False)
    glass = session.scalar(select(exists().where(
        BreakGlass.user_id == user.id, BreakGlass.nhs_number == nhs_number,
        BreakGlass.expires_at > (at or now()))))
    return Access(bool(glass), break_glass=bool(glass))


def looks_after(session: Session, user: User, nhs_number: str) -> bool:
    """A legitimate relationship other than break-glass access: whom tasks and alerts
    about the person may go to."""
    return access(session, user, nhs_number, emergency=False).allowed


# -- the SQL form ----------------------------------------------------------------------
_CASE_MANAGER = bindparam("access_case_manager", type_=CaseManager.user_id.type)
_PRACTICE = bindparam("access_practice", type_=Person.practice_code.type)
_CLINICIAN = bindparam("access_clinician", type_=User.id.type)
_AT = bindparam("access_at", type_=BreakGlass.expires_at.type)
_WARD = bindparam("access_ward", type_=User.id.type)
_TEAM = bindparam("access_team", type_=User.id.type)

#: the user looks after the ``Person`` row (bound by :func:`params`)
LOOKS_AFTER = or_(
    Person.practice_code == _PRACTICE,
    exists().where(CaseloadEntry.nhs_number == Person.nhs_number,
                   CaseloadEntry.user_id == _CASE_MANAGER,
                   CaseloadEntry.ended_on.is_(None)),
    Person.locality_code == select(CaseManager.locality_code).where(
        CaseManager.user_id == _CASE_MANAGER).scalar_subquery(),
    Person.practice_code.in_(select(CoveredPractice.practice_code).where(
        CoveredPractice.user_id == _CASE_MANAGER)),
    _on_ward_of(Person.nhs_number, _WARD),
    _in_team_of(Person.nhs_number, _TEAM))

#: the user may see the ``Person`` row: they look after them or hold live break-glass
#: access to them (bound by :func:`params`)
MAY_SEE = or_(LOOKS_AFTER, exists().where(BreakGlass.user_id == _CLINICIAN,
                                          BreakGlass.nhs_number == Person.nhs_number,
                                          BreakGlass.expires_at > _AT))


def params(user: User, at: datetime | None = None) -> dict[str, Any]:
    """The parameters binding :data:`LOOKS_AFTER` and :data:`MAY_SEE` to ``user`` (at
    ``at``, for break-glass expiry)."""
    role = user.role
    practice = user.practice_code if role in PRACTICE_ROLES else None
    return {"access_case_manager": user.id if role == Role.CASE_MANAGER else None,
            "access_practice": practice or None,
            "access_clinician": user.id if role in BREAK_GLASS_ROLES else None,
            "access_ward": user.id if role in CLINICAL else None,
            "access_team": user.id if role in WIDER_TEAM else None,
            "access_at": at or now()}
