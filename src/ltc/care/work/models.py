"""Contacts, tasks, referrals and satisfaction survey responses (CM-6, CM-10, CM-11)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(32))  # home_visit, telephone, clinic, ...
    outcome: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=now)


class Task(Base):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    assigned_to: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    #: who added it; none when an alert rule did (ltc.care.events.rules)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    #: manual, or what an alert rule made: discharge_planning, follow_up, admission_review
    kind: Mapped[str] = mapped_column(String(32), default="manual", server_default="manual")
    #: the hospital or ambulance event that made it
    event_id: Mapped[int | None] = mapped_column(ForeignKey("care_event.id"), index=True)
    #: set when a cancellation (HL7 A11, A13) withdrew the event that made it
    cancelled_at: Mapped[datetime | None]


class Referral(Base):
    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    service: Mapped[str] = mapped_column(String(32))  # home_care, intermediate_care, ...
    reason: Mapped[str] = mapped_column(Text, default="")
    on: Mapped[date]
    at: Mapped[datetime] = mapped_column(default=now)


class SurveyResponse(Base):
    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    on: Mapped[date]
    satisfaction: Mapped[int]  # 1 (very dissatisfied) to 5 (very satisfied)
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
