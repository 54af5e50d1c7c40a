"""The wider team's records (CM-5): a person allocated to a wider-team user
(:class:`TeamAllocation`, ended, never deleted) and the actions of a person's newest care
plan that are assigned to a user (:class:`PlanAction`, kept in step with every plan save,
their status updated by the assignee)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class TeamAllocation(Base):
    """A person allocated to a wider-team user, from ``started_on`` until ``ended_on``."""

    __tablename__ = "team_allocation"
    __table_args__ = (Index("ix_team_allocation_open", "user_id", "ended_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    allocated_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    started_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    ended_on: Mapped[date | None]
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class PlanAction(Base):
    """An action of the person's newest care plan assigned to a user. ``key`` is the
    action's key in the plan's content, the same in every version, so its status
    survives a new version."""

    __tablename__ = "plan_action"
    __table_args__ = (UniqueConstraint("nhs_number", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    key: Mapped[str] = mapped_column(String(32))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    #: the action's words as in the newest plan (what, and by when), for the assignee's list
    what: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None]
    plan_version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=now)
