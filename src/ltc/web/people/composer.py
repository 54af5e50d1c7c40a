"""The person page composed once (CM-5 person summary): the composer asks each care
package's panel for what it shows of one person.

A panel provider (:class:`Panel`, one per package in ``web/<package>/panel.py``, listed
once in :mod:`ltc.web.people.panels`) names

* the rows it shows at most one of (``joined``: the current run, the person's result in
  it, their open caseload entry...), which the composer joins to the person in its first
  read,
* the lists it shows (``lists``: a model and its newest-first order), and
* how it turns what was read into the page's values (``context``) and the lines it adds to
  the person's timeline (``timeline``).

Whatever the number of rows, the page costs a fixed number of statements: one read of
the person with every panel's joined rows and, for each list, whether it holds anything
(``EXISTS``); then one read per list that holds anything; then what a panel's ``context``
reads itself (a bounded number each, never one per row). ``tests/care/test_query_counts.py``
holds the baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from fastapi import HTTPException
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from ltc.care.people.models import Person

#: a timeline line: (date, kind, text)
Line = tuple[date, str, str]


@dataclass(frozen=True)
class Joined:
    """A row a panel shows at most one of, outer-joined to the person in the first read:
    ``on(nhs)`` is the join condition given the NHS number's bound parameter (it may name
    rows joined before it)."""

    name: str
    model: Any
    on: Callable[[Any], Any]


@dataclass(frozen=True)
class Listed:
    """A list a panel shows: the rows of ``model`` about the person, ``newest`` first."""

    name: str
    model: Any
    newest: Any


@dataclass(frozen=True)
class Read:
    """What the composer read for one person: the person, each joined row (or None) and
    each list (empty when it holds nothing)."""

    session: Session
    person: Person
    one: dict[str, Any]
    lists: dict[str, list[Any]]
    page: bool  # for the page (True) or the API's person resource
    #: the viewer's role, for what only some users may see (a person's social care)
    role: str | None = None


def _nothing(_read: Read) -> dict[str, Any]:
    return {}


def _no_lines(_read: Read) -> list[Line]:
    return []


@dataclass(frozen=True)
class Panel:
    """One package's part of the person page (its markup, where it has its own, is a
    template ``<package>/_person.html.j2`` that ``people/summary.html.j2`` includes). The
    page's values are each list under its name, each joined row under its name, and what
    ``context`` adds; timeline lines of one day keep the order of the panels."""

    name: str
    joined: tuple[Joined, ...] = ()
    lists: tuple[Listed, ...] = ()
    context: Callable[[Read], dict[str, Any]] = field(default=_nothing)
    timeline: Callable[[Read], list[Line]] = field(default=_no_lines)


@cache
def _first_read(providers: tuple[Panel, ...]) -> Any:
    """The first read's statement, built once per set of panels (a statement reused is
    compiled and keyed once: it runs on every person page)."""
    nhs: Any = bindparam("nhs")
    joined = [j for p in providers for j in p.joined]
    listed = [item for p in providers for item in p.lists]
    statement = select(Person, *(j.model for j in joined),
                       *(exists().where(item.model.nhs_number == nhs).label(item.name)
                         for item in listed)).select_from(Person)
    for j in joined:
        statement = statement.outerjoin(j.model, j.on(nhs))
    return statement.where(Person.nhs_number == nhs)


@cache
def _list_read(item: Listed) -> Any:
    nhs: Any = bindparam("nhs")
    return select(item.model).where(item.model.nhs_number == nhs).order_by(item.newest.desc())


def compose(session: Session, nhs_number: str, providers: Sequence[Panel], *,
            page: bool = True, role: str | None = None) -> dict[str, Any]:
    """The values of ``nhs_number``'s page (or, ``page`` False, of the API's person
    resource) as a user of ``role`` may see them: every panel's, and the timeline every
    panel adds to, newest first."""
    chosen = tuple(providers)
    found = session.execute(_first_read(chosen), {"nhs": nhs_number}).first()
    if found is None:
        raise HTTPException(404, "There is no such person, or you do not have access to "
                                 "their record.")
    joined = [j.name for p in chosen for j in p.joined]
    listed = [item for p in chosen for item in p.lists]
    one = dict(zip(joined, found[1:1 + len(joined)], strict=True))
    lists = {item.name: list(session.scalars(_list_read(item), {"nhs": nhs_number}).all())
             if present else []
             for item, present in zip(listed, found[1 + len(joined):], strict=True)}
    read = Read(session, found[0], one, lists, page, role)
    context: dict[str, Any] = {"person": found[0], **one, **lists}
    lines: list[Line] = []
    for p in chosen:
        context.update(p.context(read))
        lines.extend(p.timeline(read))
    context["timeline"] = sorted(lines, key=lambda t: t[0], reverse=True)
    return context
