"""Applying the ambulance service's incidents to the care store (DM-5): one incident, or a
file of them taken whole or not at all. Reading an incident is
:mod:`ltc.interop.ambulance`, whose names this module re-exports for its callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ltc.care import feeds
from ltc.care.events import services as events
from ltc.care.events.rules import Rules
from ltc.interop.ambulance import (
    CONVEYED,
    FEED,
    FIELDS,
    FILE_AGAIN,
    MAX_INCIDENTS,
    OUTCOMES,
    REQUIRED,
    FileError,
    event_of,
    read,
    read_csv,
    read_file,
    read_json,
)

__all__ = ["CONVEYED", "FEED", "FIELDS", "FILE_AGAIN", "MAX_INCIDENTS", "OUTCOMES",
           "REQUIRED", "FileError", "Summary", "apply_file", "apply_rows", "event_of",
           "read", "read_csv", "read_file", "read_json"]


@dataclass
class Summary:
    """What a file (or one incident) did."""

    applied: int = 0
    duplicate: int = 0
    unmatched: int = 0
    quarantined: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, outcome: events.Outcome) -> None:
        if outcome.status == "applied":
            self.applied += 1
        elif outcome.status == "duplicate":
            self.duplicate += 1
        elif outcome.status == "unmatched":
            self.unmatched += 1
        else:
            self.quarantined += 1
            self.problems.append(outcome.problem)

    def as_dict(self) -> dict[str, Any]:
        return {"applied": self.applied, "duplicate": self.duplicate,
                "unmatched": self.unmatched, "quarantined": self.quarantined,
                "problems": self.problems}


def apply_file(session: Session, rules: Rules, text: str, filename: str, *,
               csv_file: bool | None = None) -> Summary:
    """Apply every incident of a file in the caller's transaction, or none of them: a
    file with a problem changes nothing but the quarantine, which keeps the whole file
    once, with the problems. ``csv_file`` None: CSV unless it looks like
    JSON."""
    try:
        if csv_file is None:
            rows = read_file(text, filename)
        else:
            rows = read_csv(text, filename) if csv_file else read_json(text, filename)
    except FileError as err:
        events.quarantine(session, FEED, text, err)
        return Summary(quarantined=1, problems=err.problems)
    return apply_rows(session, rules, rows)


def apply_rows(session: Session, rules: Rules, rows: list[tuple[int, str]]) -> Summary:
    """Apply incidents already read from a file (in the caller's transaction)."""
    summary = Summary()
    for _, raw in rows:
        summary.add(feeds.receive(session, rules, FEED, raw))
    return summary
