"""The care store: SQLAlchemy 2 over SQLite (the embedded default, one file) or
PostgreSQL (psycopg 3), with Alembic migrations (ARCHITECTURE: care plane; infrastructure:
no capability of its own).

On SQLite every transaction begins with ``BEGIN IMMEDIATE``: writers take turns (every
request that reads a person writes its audit row, so nearly every request writes), and
savepoints nest inside the request's transaction.

Services never commit: the web request or the CLI job opens one unit of work
(:func:`unit_of_work`) and commits or rolls back as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

#: Constraint names the same on every database, so migrations can refer to them.
NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
          "pk": "pk_%(table_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def now() -> datetime:
    """The current time, in UTC (stored without a zone: every time in the store is UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


#: UK time: what people read, and what a hospital or ambulance time without an offset is
UK = ZoneInfo("Europe/London")


def to_store(at: datetime) -> datetime:
    """A time as the store keeps it (UTC, no zone): converted from its offset, or, without
    one, read as UK time (GMT or BST, as it was on that day)."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=UK)).astimezone(UTC).replace(
        tzinfo=None)


def uk_time(at: datetime) -> datetime:
    """A stored (UTC) time as UK time, for people to read and for the day it fell on."""
    return at.replace(tzinfo=UTC).astimezone(UK).replace(tzinfo=None)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``).

    Its errors never show the statement's parameters: they may be patient data, and an
    error can reach a log."""
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # SQLAlchemy, not the driver, begins transactions (so savepoints nest inside
            # them and a rollback undoes everything)
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # take the write lock at the start: one writer at a time, in order (the audit
            # chain follows commit order), waiting up to the busy timeout for the lock
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # no ping before each use: it costs a round trip per request. A connection the server
    # dropped fails the one request that finds it, and the pool then replaces them all.
    kwargs.setdefault("pool_pre_ping", False)
    return create_engine(url, **kwargs)


def copy_rows(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) with PostgreSQL's COPY, inside the
    session's transaction (much faster than INSERT)."""
    columns = list(rows[0])
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back otherwise."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Any:
    """The Alembic configuration of the care store, pointed at ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(resources.files("ltc.care") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the care store at ``url`` to ``revision`` (creating it when new; by default
    to every head, so packages whose revisions are written side by side all apply)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
