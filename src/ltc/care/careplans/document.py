"""One version of a person's care plan as a plain value: what the person-readable page,
the PDF copy and the FHIR ``CarePlan`` export are made from (CM-5).

The care store keeps the versions; this module holds no database code, so the exports
can be built and tested on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Action:
    """What one professional or agency will do: who, what, by when."""

    who: str  # the person's or team's name, e.g. "Jo Bloggs, community matron"
    agency: str  # e.g. "Community nursing", "Adult social care", "GP practice"
    what: str
    by: date | None = None


@dataclass(frozen=True)
class CarePlanDocument:
    """A care plan version, as agreed with the person."""

    nhs_number: str
    date_of_birth: date | None
    version: int
    status: str  # "draft", "active" or "completed"
    author: str  # who saved this version
    case_manager: str  # the named case manager
    created_at: datetime
    goals: tuple[str, ...] = ()  # agreed goals, in the person's words
    needs: tuple[str, ...] = ()
    person_contribution: str = ""  # what the person does for their own care
    actions: tuple[Action, ...] = ()
    prevention: tuple[str, ...] = ()  # preventive and health-promotion actions
    emergency_plan: str = ""  # emergency and contingency arrangements
    review_date: date | None = None
    agreed_on: date | None = None
    participants: tuple[str, ...] = field(default=())  # everyone who gets a copy
