"""Virtual wards in the care store (VW-1): wards, the practices each serves, their staff,
each person's stays (admission to discharge, with the outcome) and the daily ward round
record of each person on a ward."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now

#: beds of a ward when none is given (VW-1: Leicestershire's wards run about 40)
DEFAULT_CAPACITY = 40


class Ward(Base):
    """A virtual ward of a locality, led by its co-ordinator (an integrated care
    co-ordinator: a case manager with that job title), with ``capacity`` beds."""

    __tablename__ = "ward"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    locality_code: Mapped[str] = mapped_column(String(16), index=True)
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    capacity: Mapped[int] = mapped_column(default=DEFAULT_CAPACITY)
    created_at: Mapped[datetime] = mapped_column(default=now)


class WardPractice(Base):
    """A practice whose registered people the ward serves."""

    __tablename__ = "ward_practice"

    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), primary_key=True)
    practice_code: Mapped[str] = mapped_column(String(16), primary_key=True)


class WardStaff(Base):
    """A member of the ward's team (a nurse, an allied health professional...)."""

    __tablename__ = "ward_staff"

    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True,
                                         index=True)


class WardStay(Base):
    """One stay of a person on a ward: from ``admitted_on`` to ``discharged_on`` (open
    while it is None), how they came (``source``) and how they left (``outcome``)."""

    __tablename__ = "ward_stay"
    __table_args__ = (Index("ix_ward_stay_open", "ward_id", "discharged_on"),
                      Index("ix_ward_stay_person", "nhs_number", "discharged_on"),
                      # a person is on one ward at a time
                      Index("uq_ward_stay_open_person", "nhs_number", unique=True,
                            sqlite_where=text("discharged_on IS NULL"),
                            postgresql_where=text("discharged_on IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"))
    nhs_number: Mapped[str] = mapped_column(String(10))
    admitted_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(16))  # worklist, mdt, referral, discharge
    reason: Mapped[str] = mapped_column(Text)
    admitted_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    admitted_at: Mapped[datetime] = mapped_column(default=now)
    discharged_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # see services.OUTCOMES
    discharge_note: Mapped[str] = mapped_column(Text, default="")
    discharged_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class WardRound(Base):
    """The ward round's record of one person on one day: a second save that day updates
    it (who saved it last, and when)."""

    __tablename__ = "ward_round"
    __table_args__ = (UniqueConstraint("stay_id", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("ward_stay.id"))
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    on: Mapped[date]
    notes: Mapped[str] = mapped_column(Text, default="")
    observations: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)
