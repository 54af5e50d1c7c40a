"""Audit rows: append-only, numbered, and chained by digest so that a deleted or edited
row is detectable (privacy; no capability of its own)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("chain", "link"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    #: which chain the row is in, and its place in that chain (ltc.care.audit.services)
    chain: Mapped[int] = mapped_column(SmallInteger, default=0)
    link: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(default=now)
    request_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True)
    action: Mapped[str] = mapped_column(String(16))  # read, list, write, export, ...
    what: Mapped[str] = mapped_column(String(200))  # the route or record, never content
    break_glass: Mapped[bool] = mapped_column(default=False)
    #: sha256 of the previous row's digest and this row's fields
    digest: Mapped[str] = mapped_column(String(64))
