"""Case managers, caseload entries, approaches (consent), clinicians' nominations and
rebalancing proposals a team lead approves (CM-1, CM-2, CM-3, CM-12, STRAT-7)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now

#: Caseload sizes (the LTC model: 50-80 people; more than 80 is unsustainable).
DEFAULT_CAPACITY = 50
WARN_ABOVE = 80


class CaseManager(Base):
    """A community matron or integrated care co-ordinator: a user with a caseload."""

    __tablename__ = "case_manager"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    job_title: Mapped[str] = mapped_column(String(100))
    locality_code: Mapped[str] = mapped_column(String(16), index=True)
    capacity: Mapped[int] = mapped_column(default=DEFAULT_CAPACITY)
    #: No allocation beyond this many people, when set.
    hard_stop: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(String(40))
    #: approves (and undoes) the rebalancing proposals of their locality (CM-2)
    team_lead: Mapped[bool] = mapped_column(default=False, server_default=false())


class CoveredPractice(Base):
    """A practice a case manager covers."""

    __tablename__ = "covered_practice"

    user_id: Mapped[int] = mapped_column(ForeignKey("case_manager.user_id"), primary_key=True)
    practice_code: Mapped[str] = mapped_column(String(16), primary_key=True)


class CaseloadEntry(Base):
    """A person on a case manager's caseload, from allocation to discharge."""

    __tablename__ = "caseload_entry"
    __table_args__ = (Index("ix_caseload_entry_open", "nhs_number", "ended_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("case_manager.user_id"), index=True)
    started_on: Mapped[date]
    allocated_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    suggested_user_id: Mapped[int | None]  # whom the allocation suggested (override shown)
    ended_on: Mapped[date | None]
    discharge_reason: Mapped[str | None] = mapped_column(String(200))


class Approach(Base):
    """An approach to a person about case management, and its outcome (consent)."""

    __tablename__ = "approach"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    on: Mapped[date]
    outcome: Mapped[str] = mapped_column(String(16))  # agreed, declined, uncontactable
    review_on: Mapped[date | None]  # a declined person is not offered again before this
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=now)


class Nomination(Base):
    """A practice clinician's nomination or exclusion of a person (STRAT-7)."""

    __tablename__ = "nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    action: Mapped[str] = mapped_column(String(16))  # nominate or exclude
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    withdrawn_at: Mapped[datetime | None]


class WorklistChange(Base):
    """One row: how many changes that can alter a worklist have been made
    (``ltc.care.casemgmt.changes``)."""

    __tablename__ = "worklist_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    changes: Mapped[int] = mapped_column(BigInteger, default=0)


class RebalanceProposal(Base):
    """A saved rebalancing proposal of a locality's caseloads (CM-2): ``proposed``, then
    ``approved`` by a team lead of the locality (every move applied at once), then perhaps
    ``undone`` (every move reversed at once)."""

    __tablename__ = "rebalance_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    locality_code: Mapped[str] = mapped_column(String(16), index=True)
    proposed_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=now)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None]
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    undone_at: Mapped[datetime | None]


class RebalanceMove(Base):
    """One person's move in a proposal; once approved, the caseload entry it ended and the
    one it opened (what an undo reverses)."""

    __tablename__ = "rebalance_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("rebalance_proposal.id"), index=True)
    nhs_number: Mapped[str] = mapped_column(String(10))
    from_user: Mapped[int] = mapped_column(ForeignKey("case_manager.user_id"))
    to_user: Mapped[int] = mapped_column(ForeignKey("case_manager.user_id"))
    weight: Mapped[float]
    ended_entry_id: Mapped[int | None] = mapped_column(ForeignKey("caseload_entry.id"))
    opened_entry_id: Mapped[int | None] = mapped_column(ForeignKey("caseload_entry.id"))
