"""Named contacts in the care store (DM-3): who has been each person's named clinician and
when, and the bulk allocations that named many people at once (so the last can be
undone)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class NamedContact(Base):
    """A person's named clinician from ``since`` until ended: at most one is open (not
    ended) per person."""

    __tablename__ = "named_contact"
    __table_args__ = (Index("ix_named_contact_open", "nhs_number", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    since: Mapped[date]
    assigned_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    #: the bulk allocation that named them (None: named for this person alone)
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("contact_allocation.id"),
                                                      index=True)
    at: Mapped[datetime] = mapped_column(default=now)
    ended_at: Mapped[datetime | None]
    #: why it ended: another named contact, or the allocation was undone
    end_reason: Mapped[str | None] = mapped_column(String(200))


class ContactAllocation(Base):
    """One bulk allocation of named contacts at a practice: the clinicians chosen, the
    conditions given to one of them, and how many people it named."""

    __tablename__ = "contact_allocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_code: Mapped[str] = mapped_column(String(16), index=True)
    by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    #: the chosen clinicians' user ids, in the order chosen
    clinicians: Mapped[list[int]] = mapped_column(JSON)
    #: register id -> the user id given that condition (empty: spread regardless)
    by_condition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    people: Mapped[int]
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
