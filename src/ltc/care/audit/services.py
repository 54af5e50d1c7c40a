"""Writing and checking the audit trail (privacy; no capability of its own).

Every read and change of a person's data records who (user and role), whose data (NHS
number), what (an action and the route or record: never the content), when, the request
id and whether break-glass access allowed it. Rows are collected during a request and
written just before it commits (so a refused or failed request leaves none).

The rows form a few chains (one on SQLite; :data:`CHAINS` on PostgreSQL, so that
requests do not queue behind one lock and each other's commits). A request appends its
rows to one chain under that chain's lock, held until it commits, so each chain follows
the order of commits: ``digest = sha256(previous digest in the chain | chain | link |
fields)``, where ``link`` numbers the chain's rows. :func:`verify` recomputes every chain;
an edited or deleted row breaks its chain from that row on. (Deleting the newest rows of
a chain cannot be seen from the chain alone.) ``seq`` numbers all rows in the order they
were written.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, tuple_
from sqlalchemy.orm import Session

from ltc.care.audit.models import AuditEvent
from ltc.care.db import copy_rows, now

GENESIS = "0" * 64
#: PostgreSQL advisory lock key (with the chain number) held while a request's audit rows
#: are chained (any fixed number).
CHAIN_LOCK = 7_275_726
_TABLE = cast(Table, AuditEvent.__table__)
#: Chains on PostgreSQL (SQLite writes one transaction at a time: one chain).
CHAINS = 8


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


def digest_of(previous: str, e: Any) -> str:
    """The digest of audit row ``e`` (a model, a row, or a dict of its columns)."""
    get: Callable[[str], Any] = e.__getitem__ if isinstance(e, dict) else e.__getattribute__
    parts = [previous, str(get("chain")), str(get("link")), get("at").isoformat(),
             get("request_id"), str(get("user_id")), get("username"), get("role"),
             get("nhs_number") or "", get("action"), get("what"),
             "1" if get("break_glass") else "0"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def flush(session: Session, pending: Pending) -> None:
    """Write ``pending``'s rows at the end of one chain (inside the caller's transaction),
    with their digests."""
    if not pending.rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _flush_postgres(session, pending)
    else:  # SQLite: the transaction already holds the database's write lock
        last = session.execute(_LAST, {"chain": 0}).first()
        session.execute(insert(_TABLE), _chained(pending, 0, last))
    pending.rows.clear()


#: the newest link of a chain (the index on (chain, link) finds it)
_LAST = select(AuditEvent.link, AuditEvent.digest).where(
    AuditEvent.chain == bindparam("chain")).order_by(AuditEvent.link.desc()).limit(1)
_COLUMNS = ("chain", "link", "at", "request_id", "user_id", "username", "role",
            "nhs_number", "action", "what", "break_glass", "digest")
#: at most this many rows are written by INSERT; more by COPY (a list page writes 50)
_FEW = 8


def _chained(pending: Pending, chain: int, last: Any) -> list[dict[str, Any]]:
    """``pending``'s rows numbered and digested after ``last`` (link, digest) of
    ``chain`` (None: the chain is empty)."""
    link, previous = (last[0], last[1]) if last else (0, GENESIS)
    at = now()
    rows = []
    actor = pending.actor
    for nhs, action, what, bg in pending.rows:
        link += 1
        row = {"chain": chain, "link": link, "at": at, "request_id": pending.request_id,
               "user_id": actor.user_id, "username": actor.username, "role": actor.role,
               "nhs_number": nhs, "action": action, "what": what, "break_glass": bg}
        previous = row["digest"] = digest_of(previous, row)
        rows.append(row)
    return rows


def _flush_postgres(session: Session, pending: Pending) -> None:
    """Take one chain's lock (held until the transaction ends) and read its newest link in
    one round trip (psycopg's pipeline: two statements, the read after the lock, so it
    sees every commit made under the lock), then add the rows. Every request writes here,
    so this goes straight to the driver."""
    chain = random.randrange(CHAINS)
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.pipeline(), driver.cursor() as lock, driver.cursor() as read:
        lock.execute("SELECT pg_advisory_xact_lock(%s, %s)", (CHAIN_LOCK, chain))
        read.execute("SELECT link, digest FROM audit_event WHERE chain = %s "
                     "ORDER BY link DESC LIMIT 1", (chain,))
        last = read.fetchone()
    rows = _chained(pending, chain, last)
    if len(rows) > _FEW:
        copy_rows(session, AuditEvent.__tablename__, rows)
        return
    values = ", ".join(f"({', '.join(['%s'] * len(_COLUMNS))})" for _ in rows)
    with driver.cursor() as cursor:
        cursor.execute(f"INSERT INTO audit_event ({', '.join(_COLUMNS)}) VALUES {values}",
                       [row[c] for row in rows for c in _COLUMNS])


@dataclass(frozen=True)
class Verification:
    rows: int
    first_broken: int | None  # seq of the first row whose digest does not follow

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify(session: Session, batch: int = 10_000) -> Verification:
    """Recompute every chain from its first row."""
    previous: dict[int, str] = {}
    broken: dict[int, int] = {}  # chain: seq of its first row that does not follow
    count, after = 0, (-1, 0)
    while True:
        chunk = session.execute(
            select(*_TABLE.c)
            .where(tuple_(AuditEvent.chain, AuditEvent.link) > after)
            .order_by(AuditEvent.chain, AuditEvent.link).limit(batch)).all()
        if not chunk:
            first = min(broken.values()) if broken else None
            return Verification(count, first)
        for e in chunk:
            count += 1
            if e.chain not in broken and e.digest != digest_of(
                    previous.get(e.chain, GENESIS), e):
                broken[e.chain] = e.seq
            previous[e.chain] = e.digest
        after = (chunk[-1].chain, chunk[-1].link)


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
