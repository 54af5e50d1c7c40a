"""Writing and checking the audit trail.

Every read and change of a person's data records who (user and role), whose data (NHS
number), what (an action and the route or record: never the content), when, the request
id and whether break-glass access allowed it. Rows are collected during a request and
written just before it commits (so a refused or failed request leaves none), under a lock
so that the chain of digests follows the order of commits:
``digest = sha256(previous digest | seq | fields)``. :func:`verify` recomputes the chain;
an edited or deleted row breaks it from that row on. (Deleting the newest rows cannot be
seen from the chain alone: their sequence numbers are gone from the end.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from ltc.care.audit.models import AuditEvent
from ltc.care.db import now

GENESIS = "0" * 64
#: PostgreSQL advisory lock key held while audit rows are chained (any fixed number).
CHAIN_LOCK = 7_275_726


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str


@dataclass
class Pending:
    """The audit rows of one request, written by :func:`flush` before it commits."""

    request_id: str
    actor: Actor
    rows: list[tuple[str | None, str, str, bool]] = field(default_factory=list)

    def add(self, nhs_number: str | None, action: str, what: str,
            break_glass: bool = False) -> None:
        self.rows.append((nhs_number, action, what, break_glass))


def digest_of(previous: str, e: AuditEvent) -> str:
    parts = [previous, str(e.seq), e.at.isoformat(), e.request_id, str(e.user_id),
             e.username, e.role, e.nhs_number or "", e.action, e.what,
             "1" if e.break_glass else "0"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def flush(session: Session, pending: Pending) -> None:
    """Write ``pending``'s rows and chain them (inside the caller's transaction).

    The sequence numbers follow the newest row's, read under the chain lock (PostgreSQL's
    advisory lock; on SQLite the transaction already holds the database's write lock), so
    the rows go in with their digests in one statement."""
    if not pending.rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
    last = session.execute(select(AuditEvent.seq, AuditEvent.digest)
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, previous = (last[0], last[1]) if last else (0, GENESIS)
    at = now()
    rows = []
    for nhs, action, what, bg in pending.rows:
        seq += 1
        e = AuditEvent(seq=seq, at=at, request_id=pending.request_id,
                       user_id=pending.actor.user_id, username=pending.actor.username,
                       role=pending.actor.role, nhs_number=nhs, action=action, what=what,
                       break_glass=bg)
        previous = digest_of(previous, e)
        rows.append({"seq": seq, "at": at, "request_id": e.request_id, "user_id": e.user_id,
                     "username": e.username, "role": e.role, "nhs_number": nhs,
                     "action": action, "what": what, "break_glass": bg, "digest": previous})
    session.execute(insert(AuditEvent), rows)
    pending.rows.clear()


@dataclass(frozen=True)
class Verification:
    rows: int
    first_broken: int | None  # seq of the first row whose digest does not follow

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify(session: Session, batch: int = 10_000) -> Verification:
    """Recompute the chain from the first row."""
    previous, count, last = GENESIS, 0, 0
    while True:
        chunk: Sequence[AuditEvent] = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq)
            .limit(batch)).all()
        if not chunk:
            return Verification(count, None)
        for e in chunk:
            if e.digest != digest_of(previous, e):
                return Verification(count, e.seq)
            previous, last, count = e.digest, e.seq, count + 1


def for_person(session: Session, nhs_number: str, limit: int = 500) -> Sequence[AuditEvent]:
    """Who accessed a person's record, newest first (the per-person access report)."""
    return session.scalars(select(AuditEvent).where(AuditEvent.nhs_number == nhs_number)
                           .order_by(AuditEvent.seq.desc()).limit(limit)).all()


def recent(session: Session, *, username: str | None = None, since: datetime | None = None,
           limit: int = 200) -> Sequence[AuditEvent]:
    q = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    if username:
        q = q.where(AuditEvent.username == username)
    if since:
        q = q.where(AuditEvent.at >= since)
    return session.scalars(q).all()
