"""One version of a person's care plan as a plain value: what the person-readable page,
the PDF copy and the FHIR ``CarePlan`` export are made from (CM-5), with the person's
carers (the contingency section) and their end-of-life and advance care planning.

The care store keeps the versions; this module holds no database code, so the exports
can be built and tested on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Action:
    """What one professional or agency will do: who, what, by when."""

    who: str  # the person's or team's name, e.g. "Jo Bloggs, community matron"
    agency: str  # e.g. "Community nursing", "Adult social care", "GP practice"
    what: str
    by: date | None = None
    assignee: str = ""  # the user it is assigned to, by name ("" when nobody)
    status: str = ""  # its status in words, on the newest version ("" otherwise)


#: DNACPR (do not attempt cardiopulmonary resuscitation) status, as the plan records it;
#: the words follow the Resuscitation Council UK's ReSPECT and DNACPR guidance
#: (resus.org.uk, "Decisions relating to CPR", 3rd edition, 2016)
DNACPR = {"none_recorded": "No DNACPR decision recorded",
          "in_place": "DNACPR decision in place: do not attempt CPR",
          "not_for_dnacpr": "Not for DNACPR: attempt CPR"}
#: whether there is a lasting power of attorney for health and welfare (Mental Capacity
#: Act 2005 s.9); "" is not known
LPA = {"yes": "Yes", "no": "No", "": "Not known"}


@dataclass(frozen=True)
class EndOfLife:
    """End of life and advance care planning, as agreed with the person."""

    preferred_place_of_care: str = ""
    preferred_place_of_death: str = ""
    dnacpr: str = "none_recorded"  # a key of DNACPR
    dnacpr_form_location: str = ""  # where the signed form is kept
    lpa_health_welfare: str = ""  # a key of LPA
    lpa_attorney: str = ""
    #: on the QOF palliative care register in the stratification run (read-only)
    palliative_register: bool = False

    def lines(self, recorded_only: bool = False) -> list[tuple[str, str]]:
        """(label, words) for each thing recorded; the DNACPR status always, unless
        ``recorded_only`` and none is recorded."""
        out = []
        if self.palliative_register:
            out.append(("End-of-life register", "On the palliative care register"))
        for label, value in (("Preferred place of care", self.preferred_place_of_care),
                             ("Preferred place of death", self.preferred_place_of_death)):
            if value.strip():
                out.append((label, value.strip()))
        if not (recorded_only and self.dnacpr == "none_recorded"):
            out.append(("DNACPR", DNACPR.get(self.dnacpr, self.dnacpr)))
        if self.dnacpr_form_location.strip():
            out.append(("Where the DNACPR form is", self.dnacpr_form_location.strip()))
        if self.lpa_health_welfare:
            lpa = LPA.get(self.lpa_health_welfare, self.lpa_health_welfare)
            if self.lpa_health_welfare == "yes" and self.lpa_attorney.strip():
                lpa += f": {self.lpa_attorney.strip()} is the attorney"
            out.append(("Lasting power of attorney (health and welfare)", lpa))
        return out


def iso(day: date) -> str:
    return day.isoformat()


@dataclass(frozen=True)
class CarerContact:
    """A carer or family member of the person, as the plan shows them."""

    name: str
    relationship: str
    telephone: str = ""
    address: str = ""
    consents_to_contact: bool | None = None  # None: not recorded
    main_carer: bool = False
    assessment_offered_on: date | None = None
    assessment_done_on: date | None = None
    assessment_declined: bool = False
    #: read from an assessment's carer details (before carers were records of their own)
    from_assessment: bool = False

    def consent_words(self) -> str:
        return {True: "consents to contact", False: "does not consent to contact",
                None: "consent to contact not recorded"}[self.consents_to_contact]

    def assessment_words(self, day: Callable[[date], str] = iso) -> str:
        """The carer's assessment in words, dates written by ``day``."""
        if self.assessment_done_on:
            return f"Carer's assessment done on {day(self.assessment_done_on)}"
        if self.assessment_declined:
            return "Carer's assessment declined"
        if self.assessment_offered_on:
            return f"Carer's assessment offered on {day(self.assessment_offered_on)}"
        return "Carer's assessment not offered yet"

    def line(self) -> str:
        """``Name (daughter), 07700 900123 — consents to contact``."""
        who = f"{self.name} ({self.relationship})" if self.relationship else self.name
        reach = f", {self.telephone}" if self.telephone else ""
        return f"{who}{reach} — {self.consent_words()}"


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
    carers: tuple[CarerContact, ...] = ()  # active carers, the main carer first
    end_of_life: EndOfLife = EndOfLife()
