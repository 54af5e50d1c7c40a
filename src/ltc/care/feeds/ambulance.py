"""What a file of the ambulance service's incidents (or one incident) did to the care store
(DM-5): how many were applied, duplicates, waiting in the review queue or quarantined, and
the problems. Reading and applying the incidents is :mod:`ltc.interop.feeds` (with
:mod:`ltc.interop.ambulance`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ltc.care.events.outcome import Outcome


@dataclass
class Summary:
    """What a file (or one incident) did."""

    applied: int = 0
    duplicate: int = 0
    unmatched: int = 0
    quarantined: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
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
