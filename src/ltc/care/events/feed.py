"""The event every feed (HL7 v2, FHIR, ambulance) produces: one event, in the same shape,
or a refusal that says what is wrong (CM-8, CM-9, DM-5, STRAT-2). The edge
(:mod:`ltc.interop`) reads a message into an :class:`Event`; the care plane decides what
it means."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: kinds of event, as pages show them
KINDS = {
    "admission": "Admitted",
    "transfer": "Transferred",
    "discharge": "Discharged",
    "attendance": "Registered (outpatient or emergency department)",
    "update": "Details updated",
    "cancel_admission": "Admission cancelled",
    "cancel_discharge": "Discharge cancelled",
    "ambulance": "Ambulance incident",
}


#: HL7 table 0357, message error condition codes (HL7 v2.5 section 2.15.5, ERR-3)
CONDITIONS = {
    "100": "Segment sequence error", "101": "Required field missing",
    "102": "Data type error", "103": "Table value not found",
    "200": "Unsupported message type", "201": "Unsupported event code",
    "202": "Unsupported processing id", "203": "Unsupported version id",
    "207": "Application internal error",
}


class FeedError(ValueError):
    """A message that cannot be applied: ``code`` AE (an error in its content) or AR
    (rejected: not something this listener takes, not readable at all, or not
    processable now); ``condition`` the HL7 table 0357 code that says which."""

    def __init__(self, code: str, reason: str, condition: str | None = None) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason
        self.condition = condition or ("200" if code == "AR" else "102")


@dataclass(frozen=True)
class Event:
    """One hospital or ambulance event, as any feed gives it."""

    feed: str  # hl7v2, fhir, ambulance
    sender: str  # who sent it (with control_id, what makes it unique)
    control_id: str
    message_type: str  # e.g. ADT^A01
    kind: str  # one of KINDS
    nhs_number: str | None  # as given: checked when matched
    occurred_at: datetime
    spell_id: str | None = None
    facility: str | None = None
    location: str | None = None
    admission_method: str | None = None
    unplanned: bool | None = None
    conveyed: bool | None = None  # by an ambulance crew that attended; None if none did
    died: bool = False
    #: (related person's NHS number, HL7 table 0063 relationship)
    links: tuple[tuple[str, str], ...] = field(default=())
