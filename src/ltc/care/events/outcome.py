"""What receiving one message did: its status, its acknowledgement code and what it made
(CM-8, CM-9, DM-5, STRAT-2)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcome:
    """What one message did."""

    status: str  # applied, duplicate, unmatched, quarantined
    code: str  # the acknowledgement: AA, AE or AR
    message_id: int | None = None
    problem: str = ""
    condition: str = ""  # when not AA: HL7 table 0357 (see ltc.care.events.feed.CONDITIONS)
    alerts: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)
