"""The one service for versioned documents (CM-4 assessments, CM-5 care plans).

A kind of document is a :class:`Documents` over its mapped class (a
:class:`~ltc.care.documents.models.DocumentVersion`), naming it as people read it, how its
content reads as lines (for comparing two versions) and the errors it raises:

* reading the latest version, one version or all of them;
* adding the next version on top of the one the editor opened (``based_on``: 0 for a
  first one). A save on a stale version is refused with the kind's stale error carrying
  the newer version; nothing is overwritten. The unique (person, version) key makes the
  refusal hold when two saves race: the later insert fails inside a savepoint, leaving
  the request's transaction usable;
* the ETag of a version (``"<nhs number>-<version>"``, ``"none-0"`` before the first)
  and the version an ``If-Match`` names;
* comparing two versions line by line.

Services never commit: the request or the CLI job owns the transaction.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ltc.care.documents.models import DocumentVersion

V = TypeVar("V", bound=DocumentVersion)

#: the ETag of a person's document before its first version
NO_VERSION_ETAG = '"none-0"'


class StaleVersion(Exception):  # noqa: N818 (mixed into each kind's error)
    """Mixed into a kind's error for a save on a stale version: ``latest`` is the newer
    version, to show the editor what changed."""

    latest: Any


@dataclass(frozen=True)
class Documents(Generic[V]):
    """The versions of one kind of document."""

    model: type[V]
    noun: str  # as people read it: "care plan", "assessment"
    lines: Callable[[V], list[str]]  # a version's content as lines, to compare versions
    stale: Callable[[V], StaleVersion]  # the error for a save on a stale version
    missing: Callable[[int], Exception]  # the error for a first save naming a version

    def latest(self, session: Session, nhs_number: str) -> V | None:
        return session.scalar(select(self.model).where(self.model.nhs_number == nhs_number)
                              .order_by(self.model.version.desc()).limit(1))

    def version(self, session: Session, nhs_number: str, number: int) -> V | None:
        return session.scalar(select(self.model).where(self.model.nhs_number == nhs_number,
                                                       self.model.version == number))

    def versions(self, session: Session, nhs_number: str) -> list[V]:
        """Every version, oldest first."""
        return list(session.scalars(select(self.model)
                                    .where(self.model.nhs_number == nhs_number)
                                    .order_by(self.model.version)).all())

    def count(self, session: Session, nhs_number: str) -> int:
        return session.scalar(select(func.count()).select_from(self.model).where(
            self.model.nhs_number == nhs_number)) or 0

    def add(self, session: Session, row: V, based_on: int) -> V:
        """Save ``row`` (its version number unset) as the version after ``based_on``.

        Raises ``stale(newer)`` when ``based_on`` is not the latest version (or another
        save took the number first), ``missing(based_on)`` when there is no version yet and
        ``based_on`` names one."""
        current = self.latest(session, row.nhs_number)
        number = current.version if current else 0
        if based_on != number:
            if current is None:
                raise self.missing(based_on)
            raise self.stale(current)
        row.version = number + 1
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:  # another save took this number first
            newer = self.latest(session, row.nhs_number)
            assert newer is not None
            raise self.stale(newer) from None
        return row

    @staticmethod
    def etag(row: DocumentVersion | None) -> str:
        return f'"{row.nhs_number}-{row.version}"' if row else NO_VERSION_ETAG

    @staticmethod
    def based_on(nhs_number: str, if_match: str) -> int | None:
        """The version an ``If-Match`` names: this person's ETag (weak or strong), or
        ``"none-0"``; None for anything else."""
        prefix, _, number = if_match.strip().removeprefix("W/").strip('"').rpartition("-")
        if number.isdecimal() and len(number) < 10 and (
                prefix == nhs_number or (prefix, number) == ("none", "0")):
            return int(number)
        return None

    def compare(self, a: V, b: V) -> list[tuple[str, str]]:
        """(change, line) pairs from version ``a`` to version ``b``: ``" "`` the same,
        ``"-"`` only in ``a``, ``"+"`` only in ``b``."""
        return [(line[0], line[2:]) for line in difflib.ndiff(self.lines(a), self.lines(b))
                if line[:1] in (" ", "-", "+")]
