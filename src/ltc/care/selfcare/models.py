"""Supported self care in the care store (SC-1, SC-2, SC-4, SC-5): referrals to self-care
programmes, self-monitoring readings and a person's own targets, goals with their action
plans and reviews, and the community resources suggested to a person.

What a referral, a reading or a suggestion was judged against or named (the programme's
name, the target, the resource's name and contact) is kept with it as it was at the
time: the configuration files can change later without changing what was recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class ProgrammeReferral(Base):
    """A person referred to a self-care programme, and how far they have gone (SC-1)."""

    __tablename__ = "selfcare_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    programme: Mapped[str] = mapped_column(String(64))  # the programme's id
    programme_name: Mapped[str] = mapped_column(String(200))
    sessions: Mapped[int]  # how many sessions the course runs
    referred_on: Mapped[date]
    referred_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    #: referred, attending, completed, dropped_out (see services.STATUSES)
    status: Mapped[str] = mapped_column(String(16))
    attended: Mapped[int] = mapped_column(default=0)  # sessions attended
    last_attended_on: Mapped[date | None]
    ended_on: Mapped[date | None]  # completed or dropped out
    reason: Mapped[str] = mapped_column(Text, default="")  # why they dropped out
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=now)


class Reading(Base):
    """A self-monitoring reading, judged against the person's target when recorded
    (SC-2); an out-of-range reading prompts someone (``prompted``)."""

    __tablename__ = "selfcare_reading"
    __table_args__ = (Index("ix_selfcare_reading_person", "nhs_number", "measure",
                            "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10))
    measure: Mapped[str] = mapped_column(String(32))
    #: one number per component (blood pressure: systolic, diastolic)
    value: Mapped[list[float]] = mapped_column(JSON)
    unit: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[datetime]  # UTC
    timing: Mapped[str | None] = mapped_column(String(32))  # e.g. before_meal (glucose)
    place: Mapped[str] = mapped_column(String(16))  # home, pharmacy, practice
    reported_by: Mapped[str] = mapped_column(String(16))  # person, carer, pharmacist...
    recorded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    #: the target it was judged against, in words, and where that target comes from
    target: Mapped[str] = mapped_column(String(300), default="")
    target_source: Mapped[str] = mapped_column(Text, default="")
    #: per component [lowest, highest] in range (None: no limit) for the chart
    limits: Mapped[list[Any]] = mapped_column(JSON)
    in_range: Mapped[bool | None]  # None: no target for this reading
    verdict: Mapped[str] = mapped_column(String(300), default="")  # e.g. "above the target"
    #: whom an out-of-range reading prompted, in words (as it was at the time)
    prompted: Mapped[str] = mapped_column(String(300), default="")
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"))
    at: Mapped[datetime] = mapped_column(default=now)


class PersonalTarget(Base):
    """A person's own target for a measure, set by a clinician; the newest one counts and
    comes before the configured targets (SC-2)."""

    __tablename__ = "selfcare_personal_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    measure: Mapped[str] = mapped_column(String(32))
    #: per component: in range from this value (None: no lower limit)
    at_least: Mapped[list[Any]] = mapped_column(JSON)
    #: per component: in range up to this value (None: no upper limit)
    at_most: Mapped[list[Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    set_on: Mapped[date]
    at: Mapped[datetime] = mapped_column(default=now)


class Goal(Base):
    """A goal in the person's own words with its action plan: the steps they will take and
    what to do when (SC-4); reviewed by ``review_on``."""

    __tablename__ = "selfcare_goal"
    __table_args__ = (Index("ix_selfcare_goal_review", "status", "review_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    goal: Mapped[str] = mapped_column(Text)
    steps: Mapped[list[str]] = mapped_column(JSON)
    #: what to do when, e.g. "If my peak flow falls below 250, take my rescue pack"
    when_to_act: Mapped[list[str]] = mapped_column(JSON)
    set_on: Mapped[date]
    set_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    review_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))  # active, achieved, stopped
    reviewed_on: Mapped[date | None]  # the last review
    at: Mapped[datetime] = mapped_column(default=now)


class GoalReview(Base):
    """A review of a goal: how it went, and the next review date when it goes on."""

    __tablename__ = "selfcare_goal_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("selfcare_goal.id"), index=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    on: Mapped[date]
    outcome: Mapped[str] = mapped_column(String(16))  # continue, achieved, stopped
    note: Mapped[str] = mapped_column(Text, default="")
    next_review_on: Mapped[date | None]
    by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)


class Suggestion(Base):
    """A community or voluntary resource suggested to the person (SC-5)."""

    __tablename__ = "selfcare_suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    resource: Mapped[str] = mapped_column(String(64))  # the resource's id
    resource_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(300))
    need: Mapped[str] = mapped_column(String(64), default="")  # the need it was found for
    note: Mapped[str] = mapped_column(Text, default="")
    on: Mapped[date]
    by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)
