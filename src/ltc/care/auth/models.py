"""Accounts, their roles, sign-in sessions, failed sign-ins and break-glass grants
(privacy; no capability of its own: a case manager's profile is
:class:`ltc.care.casemgmt.models.CaseManager`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class Role(StrEnum):
    """What a user is, which decides what they may see (the legitimate relationship)."""

    CASE_MANAGER = "case_manager"  # community matron or integrated care co-ordinator
    PRACTICE_CLINICIAN = "practice_clinician"  # a GP
    PRACTICE_NURSE = "practice_nurse"
    #: runs the practice's MDT meetings and named-contact allocations; records no
    #: clinical finding (docs/practice-team.md)
    PRACTICE_MANAGER = "practice_manager"
    ANALYST = "analyst"  # analyst or commissioner: aggregates only
    ADMIN = "admin"  # manages users; reads no clinical data
    INTERFACE = "interface"  # a system posting feeds (FHIR, ambulance); reads nothing
    # the wider team (issue: virtual wards and the integrated team): each sees the people
    # allocated to them or whose care plan names them (ltc.care.access)
    COMMUNITY_NURSE = "community_nurse"  # community or district nurse
    SOCIAL_WORKER = "social_worker"  # adult social care
    ALLIED_HEALTH = "allied_health"  # allied health professional (physiotherapist, OT...)
    MENTAL_HEALTH_NURSE = "mental_health_nurse"  # community psychiatric nurse
    PALLIATIVE_NURSE = "palliative_nurse"  # palliative care (Macmillan) nurse
    #: an out-of-hours or ambulance clinician: reads only a person's out-of-hours summary,
    #: through break-glass access (a typed reason, audited)
    OUT_OF_HOURS = "out_of_hours"


ROLE_NAMES = {Role.CASE_MANAGER: "Case manager", Role.PRACTICE_CLINICIAN: "Practice clinician",
              Role.PRACTICE_NURSE: "Practice nurse", Role.PRACTICE_MANAGER: "Practice manager",
              Role.ANALYST: "Analyst or commissioner", Role.ADMIN: "Administrator",
              Role.INTERFACE: "Interface (system feed)",
              Role.COMMUNITY_NURSE: "Community or district nurse",
              Role.SOCIAL_WORKER: "Social worker", Role.ALLIED_HEALTH: "Allied health professional",
              Role.MENTAL_HEALTH_NURSE: "Mental health nurse",
              Role.PALLIATIVE_NURSE: "Palliative care nurse",
              Role.OUT_OF_HOURS: "Out-of-hours or ambulance clinician"}

#: the roles of a practice's team: each such user belongs to one practice (their
#: ``practice_code``) and sees the people registered with it (DM-3, DM-4)
PRACTICE_ROLES = (Role.PRACTICE_CLINICIAN, Role.PRACTICE_NURSE, Role.PRACTICE_MANAGER)
#: the clinicians a task or an alert can be assigned to (a practice manager records no
#: clinical finding and is given none to act on)
CLINICAL_ROLES = (Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN, Role.PRACTICE_NURSE)
#: the wider team: community nursing, social care, allied health, mental health and
#: palliative care; each sees the people allocated to them or named in their care plan
WIDER_TEAM = (Role.COMMUNITY_NURSE, Role.SOCIAL_WORKER, Role.ALLIED_HEALTH,
              Role.MENTAL_HEALTH_NURSE, Role.PALLIATIVE_NURSE)


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    #: The practice (ODS code) of a practice clinician, nurse or manager.
    practice_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=now)


class LoginSession(Base):
    """A signed-in session; the cookie holds a random token, the store only its digest."""

    __tablename__ = "login_session"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]


class LoginFailure(Base):
    """A failed sign-in, kept to slow down password guessing (throttling)."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=now)


class BreakGlass(Base):
    """Emergency access to one person without a legitimate relationship: a typed reason,
    time-limited, flagged on every audit row it allows."""

    __tablename__ = "break_glass"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    reason: Mapped[str] = mapped_column(String(2000))
    at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
