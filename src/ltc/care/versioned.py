"""Per-person records kept as numbered versions that are never changed (care plans CM-5,
assessments CM-4): reading the latest, one or all versions, and adding the next one with
optimistic locking (a race for the same number is lost by the later save)."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


class Versioned(Protocol):
    nhs_number: Any
    version: Any


V = TypeVar("V", bound=Versioned)


def latest(session: Session, model: type[V], nhs_number: str) -> V | None:
    return session.scalar(select(model).where(model.nhs_number == nhs_number)
                          .order_by(model.version.desc()).limit(1))


def version(session: Session, model: type[V], nhs_number: str, number: int) -> V | None:
    return session.scalar(select(model).where(model.nhs_number == nhs_number,
                                              model.version == number))


def versions(session: Session, model: type[V], nhs_number: str) -> list[V]:
    return list(session.scalars(select(model).where(model.nhs_number == nhs_number)
                                .order_by(model.version)).all())


def add_next(session: Session, row: V) -> bool:
    """Insert ``row`` (its version number already set); False if another save took that
    number first (the unique (person, version) key), leaving the transaction usable."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True
