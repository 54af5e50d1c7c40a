"""Referrals to integrated care co-ordinators and the attempts made to contact a person
(VW-2, POP-5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class CoordinatorReferral(Base):
    """A person referred to a co-ordinator (``to_user_id``) or to the co-ordinators of a
    locality (``locality_code``), from a GP, the hidden populations page, an MDT meeting or
    elsewhere."""

    __tablename__ = "coordinator_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    locality_code: Mapped[str | None] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(24))  # gp, hidden_population, mdt, other
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=now)
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ContactAttempt(Base):
    """One attempt to contact a person: when, how, what came of it."""

    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime]  # when the attempt was made
    method: Mapped[str] = mapped_column(String(16))  # phone, visit, letter, text
    # reached, no_answer, left_message, wrong_number, declined
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=now)
