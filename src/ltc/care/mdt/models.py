"""MDT meetings in the care store (DM-4): meetings, their attendees, agenda lines (one per
person, with why they are there, the notes and the decision), the actions agreed (each
made a task) and clinicians' nominations for the next meeting."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class Meeting(Base):
    """One MDT meeting of a practice. Its agenda looks back to ``since``; ``run_id`` is
    the run that was current when it was made (the next meeting's new entrants are
    counted from it)."""

    __tablename__ = "mdt_meeting"
    __table_args__ = (Index("ix_mdt_meeting_practice", "practice_code", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_code: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date]
    since: Mapped[date]
    run_id: Mapped[str | None] = mapped_column(String(32))
    #: how many people each kind of agenda line left off (the cap per kind)
    left_off: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class Attendee(Base):
    """Someone at the meeting: a user of the practice, or anyone else by name."""

    __tablename__ = "mdt_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("mdt_meeting.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    name: Mapped[str] = mapped_column(String(200))  # as it was at the meeting


class AgendaItem(Base):
    """One person on a meeting's agenda: why (``reasons``: a list of ``{"kind", "text"}``),
    what was said and the decision."""

    __tablename__ = "mdt_agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "nhs_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("mdt_meeting.id"))
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    position: Mapped[int]
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime | None]


class Action(Base):
    """An action agreed for a person at a meeting: made a task for its owner."""

    __tablename__ = "mdt_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("mdt_agenda_item.id"), index=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    what: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    due_on: Mapped[date]
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)


class MdtNomination(Base):
    """A clinician's nomination of a person for their practice's next MDT meeting; taken
    onto the agenda of the first meeting made after it (``meeting_id``)."""

    __tablename__ = "mdt_nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("mdt_meeting.id"))
