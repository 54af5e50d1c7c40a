"""Telephone care management in the care store (DM-7): calls scheduled with a clinician,
and what each call found: the answers to the scripted check (as asked then), the
readings and medicines reported, the red flags, whom the call was escalated to, its
outcome and the next call it scheduled.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class PhoneCall(Base):
    """A telephone call to a person: scheduled for a day with a clinician, then made."""

    __tablename__ = "phone_call"
    __table_args__ = (
        # a clinician's calls due by a day, earliest first
        Index("ix_phone_call_due", "clinician_id", "status", "due_on"),
        Index("ix_phone_call_person", "nhs_number", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    due_on: Mapped[date]
    #: scheduled, made, cancelled (see services.STATUSES)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    scheduled_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    scheduled_at: Mapped[datetime] = mapped_column(default=now)
    # -- once made ---------------------------------------------------------------------
    made_on: Mapped[date | None]
    made_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    #: a key of services.OUTCOMES
    outcome: Mapped[str | None] = mapped_column(String(32))
    #: the scripted check as asked, each {section, id, text, kind, answer, red_flag,
    #: flagged, source}
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    red_flags: Mapped[int] = mapped_column(default=0)  # red-flag answers given
    #: whom the red flags were escalated to, in words (as it was at the time)
    escalated: Mapped[str] = mapped_column(String(300), default="")
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"))
    coaching: Mapped[str] = mapped_column(Text, default="")  # advice and coaching given
    note: Mapped[str] = mapped_column(Text, default="")
    next_call_id: Mapped[int | None] = mapped_column(ForeignKey("phone_call.id"))
    at: Mapped[datetime | None]
