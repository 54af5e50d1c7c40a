"""Register, recall, review in the care store (DM-2): each run's recall statuses, loaded
from its ``recall.parquet``; one row per person summing them up for the recall lists;
the reviews clinicians record since the run; the invitations sent and their letters and
text messages waiting in the outbox; and, for the letters and texts, the people's
telephone numbers and the practices' names read from the record store at load.

What an invitation named (the items, the letter's and the text's words) is kept with it
as it was sent: a later run or protocol change alters nothing that was sent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now

#: the statuses of a recall item, as the run's ``recall.parquet`` gives them
STATUSES = {"overdue": "Overdue", "due": "Due", "due_soon": "Due soon", "not_due": "Not due",
            "done": "Done", "excepted": "Excepted"}
#: the statuses a recall list shows by default: the items a person is invited for
DUE = ("due_soon", "due", "overdue")


class RecallItem(Base):
    """One protocol item of one person on a register, as the run found it, or as a review
    recorded in the care store since then changed it (``review_id``)."""

    __tablename__ = "recall_item"
    __table_args__ = (
        # a practice's list filtered by status (and condition or item), read from the index
        # alone (an index-only scan once the table is vacuumed)
        Index("ix_recall_item_practice", "run_id", "practice_code", "status", "condition",
              "item", "due_on", "nhs_number"),
        # a person's items (the person page reads them by NHS number)
        Index("ix_recall_item_person", "nhs_number", "run_id"),
    )

    run_id: Mapped[str] = mapped_column(ForeignKey("strat_run.id"), primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    condition: Mapped[str] = mapped_column(String(32), primary_key=True)
    item: Mapped[str] = mapped_column(String(64), primary_key=True)
    practice_code: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # a key of STATUSES
    due_on: Mapped[date | None]
    last_done_on: Mapped[date | None]
    last_value: Mapped[float | None]
    last_value_2: Mapped[float | None]  # e.g. the diastolic blood pressure
    target_met: Mapped[bool | None]
    #: the review recorded in the care store since the run that set this row
    review_id: Mapped[int | None] = mapped_column(ForeignKey("recall_review.id"))


class RecallPerson(Base):
    """A person's items of one run summed up: the recall list without filters walks these
    rows, earliest due first, reading only the rows of its page."""

    __tablename__ = "recall_person"
    __table_args__ = (
        Index("ix_recall_person_practice", "run_id", "practice_code", "first_due_on",
              "nhs_number"),
    )

    run_id: Mapped[str] = mapped_column(ForeignKey("strat_run.id"), primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    practice_code: Mapped[str | None] = mapped_column(String(16))
    #: the earliest due date of the items due (due soon, due or overdue); None: none due
    first_due_on: Mapped[date | None]
    due_items: Mapped[int] = mapped_column(default=0)


class RecallReview(Base):
    """A review item recorded as done (with its date and value) or excepted (with the
    reason) by a clinician in the care store."""

    __tablename__ = "recall_review"
    __table_args__ = (Index("ix_recall_review_person", "nhs_number", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10))
    condition: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(64))
    #: the item's label as the protocol named it then (e.g. "HbA1c")
    label: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))  # done, excepted
    on: Mapped[date]
    value: Mapped[float | None]
    value_2: Mapped[float | None]
    target_met: Mapped[bool | None]
    #: when the item is due next after this review (the protocol's interval or season),
    #: and the item's status that gives on the day it was recorded (done, unless a late
    #: entry is due again already)
    next_due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")  # why excepted
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)


class Invitation(Base):
    """One invitation of one person to a review, naming every item they were due."""

    __tablename__ = "recall_invitation"
    __table_args__ = (Index("ix_recall_invitation_person", "nhs_number", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10))
    practice_code: Mapped[str | None] = mapped_column(String(16))
    on: Mapped[date]
    #: how it was sent: "letter", "sms" or "letter,sms"
    channels: Mapped[str] = mapped_column(String(32))
    #: the items named, each {condition, item, label, status, due_on}
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)


class InvitationMessage(Base):
    """A letter or text message of an invitation, written in the invitation's transaction
    and delivered afterwards to the outbox (``ltc.care.recall.outbox``)."""

    __tablename__ = "recall_message"
    __table_args__ = (Index("ix_recall_message_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("recall_invitation.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # letter, sms
    #: the name and address (letter) or the mobile number (text message)
    to: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


class RecallContact(Base):
    """How a person on a register can be reached, from the record store's person table
    at load: their telephone number and preferred contact method (identifiable: used for
    invitations only, never logged)."""

    __tablename__ = "recall_contact"

    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    telephone: Mapped[str | None] = mapped_column(String(32))
    preferred_contact: Mapped[str | None] = mapped_column(String(16))


class Practice(Base):
    """A practice's name, from the record store at load: invitations are signed with it."""

    __tablename__ = "recall_practice"

    practice_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
