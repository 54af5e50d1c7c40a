"""The exports of one care plan version (CM-5): a FHIR R4 ``CarePlan`` for other systems,
and a person-readable page ("My care plan") with its PDF copy for the person and every
participant.

FHIR mapping (validated with ``fhir.resources.R4B`` before it is returned):

============================  =============================================================
CarePlanDocument              FHIR R4 CarePlan
============================  =============================================================
nhs_number, version           identifier ``urn:ltc:careplan`` | ``<nhs_number>/<version>``
status                        status (draft, active, completed); intent is always ``plan``
nhs_number                    subject: a Patient reference by identifier
                              ``https://fhir.nhs.uk/Id/nhs-number``, with ``reference`` too
                              when a ``patient_reference`` is given
created_at                    created (a time without a zone is taken as UTC)
agreed_on, review_date        period.start, period.end
author                        author.display
participants                  contributor[].display
case_manager                  a contained CareTeam (``#care-team``), one participant with
                              role "Case manager", referenced from careTeam
goals                         contained Goal resources (``#goal-1``, ...) referenced from
                              goal; lifecycleStatus proposed (draft plan), active or
                              completed
person_contribution           description
needs                         note[], each text starting "Need: "
actions                       activity[].detail: description = what, performer[].display =
                              "who (agency)", scheduledPeriod.end = by
prevention                    activity[].detail with code.text "Prevention"
emergency_plan                note[], text starting "Emergency and contingency plan: "
============================  =============================================================

Activity status follows the plan: ``not-started`` for a draft, ``scheduled`` for an
active plan, ``completed`` for a completed one. Blank free text is left out (FHIR strings
may not be empty). Goals are contained Goal resources rather than notes so that a
receiving system sees them as goals, linked to the plan and the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import jinja2
import weasyprint  # type: ignore[import-untyped]
from fhir.resources.R4B.careplan import CarePlan
from pydantic import ValidationError

from ltc.care.careplans.document import Action, CarePlanDocument

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
CAREPLAN_SYSTEM = "urn:ltc:careplan"
NEED_PREFIX = "Need: "
EMERGENCY_PREFIX = "Emergency and contingency plan: "
PREVENTION_CODE_TEXT = "Prevention"
CARE_TEAM_ID = "care-team"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("ltc.care.careplans", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined)


@dataclass(frozen=True)
class _Status:
    """What one plan status means in each export."""

    plan: str  # CarePlan.status
    activity: str  # CarePlan.activity.detail.status
    goal: str  # Goal.lifecycleStatus
    words: str  # how the person's copy says it


STATUSES = {
    "draft": _Status("draft", "not-started", "proposed", "Draft: not agreed yet"),
    "active": _Status("active", "scheduled", "active", "Agreed and in use"),
    "completed": _Status("completed", "completed", "completed",
                         "Finished: this plan is no longer in use"),
}


def _status(doc: CarePlanDocument) -> _Status:
    try:
        return STATUSES[doc.status]
    except KeyError:
        raise ValueError(
            f"care plan {doc.nhs_number} version {doc.version}: status {doc.status!r} is not "
            f"one of {', '.join(STATUSES)}; correct the status before exporting") from None


def long_date(day: date) -> str:
    """A date as people write it, e.g. "3 March 2026" (no leading zero, month in full)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _texts(values: tuple[str, ...]) -> list[str]:
    """The non-blank values, stripped, in order."""
    return [v.strip() for v in values if v.strip()]


def _performer(action: Action) -> str:
    who, agency = action.who.strip(), action.agency.strip()
    return f"{who} ({agency})" if who and agency else who or agency


def _fhir_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------
# FHIR


def to_fhir(doc: CarePlanDocument, *, patient_reference: str | None = None) -> dict[str, Any]:
    """The plan version as a FHIR R4 ``CarePlan`` resource (a JSON-ready dict), checked
    against the ``fhir.resources.R4B`` model. Raises ``ValueError`` for an unknown status
    or a plan that does not make a valid resource."""
    status = _status(doc)
    subject: dict[str, Any] = {
        "type": "Patient",
        "identifier": {"system": NHS_NUMBER_SYSTEM, "value": doc.nhs_number}}
    if patient_reference:
        subject["reference"] = patient_reference

    contained: list[dict[str, Any]] = []
    goals: list[dict[str, str]] = []
    for number, goal in enumerate(_texts(doc.goals), start=1):
        goal_id = f"goal-{number}"
        contained.append({"resourceType": "Goal", "id": goal_id,
                          "lifecycleStatus": status.goal,
                          "description": {"text": goal}, "subject": dict(subject)})
        goals.append({"reference": f"#{goal_id}"})
    if doc.case_manager.strip():
        contained.append({"resourceType": "CareTeam", "id": CARE_TEAM_ID, "status": "active",
                          "subject": dict(subject),
                          "participant": [{"role": [{"text": "Case manager"}],
                                           "member": {"display": doc.case_manager.strip()}}]})

    activities: list[dict[str, Any]] = []
    for action in doc.actions:
        detail: dict[str, Any] = {"status": status.activity}
        if action.what.strip():
            detail["description"] = action.what.strip()
        if performer := _performer(action):
            detail["performer"] = [{"display": performer}]
        if action.by is not None:
            detail["scheduledPeriod"] = {"end": action.by.isoformat()}
        activities.append({"detail": detail})
    activities.extend(
        {"detail": {"status": status.activity, "code": {"text": PREVENTION_CODE_TEXT},
                    "description": text}}
        for text in _texts(doc.prevention))

    notes = [{"text": NEED_PREFIX + need} for need in _texts(doc.needs)]
    if doc.emergency_plan.strip():
        notes.append({"text": EMERGENCY_PREFIX + doc.emergency_plan.strip()})

    period = {key: day.isoformat() for key, day in
              (("start", doc.agreed_on), ("end", doc.review_date)) if day is not None}

    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "identifier": [{"system": CAREPLAN_SYSTEM, "value": f"{doc.nhs_number}/{doc.version}"}],
        "status": status.plan,
        "intent": "plan",
        "title": f"Personalised care plan, version {doc.version}",
        "subject": subject,
        "created": _fhir_datetime(doc.created_at),
        "contributor": [{"display": p} for p in _texts(doc.participants)],
        "contained": contained,
        "goal": goals,
        "activity": activities,
        "note": notes,
    }
    if doc.person_contribution.strip():
        resource["description"] = doc.person_contribution.strip()
    if period:
        resource["period"] = period
    if doc.author.strip():
        resource["author"] = {"display": doc.author.strip()}
    if doc.case_manager.strip():
        resource["careTeam"] = [{"reference": f"#{CARE_TEAM_ID}"}]
    resource = {key: value for key, value in resource.items() if value != []}

    try:
        model = CarePlan.model_validate(resource)
    except ValidationError as error:
        raise ValueError(f"care plan {doc.nhs_number} version {doc.version} does not make a "
                         f"valid FHIR R4 CarePlan: {error}") from error
    return model.model_dump(mode="json", exclude_none=True)


# ---------------------------------------------------------------------------------------
# The person's copy


def _title(doc: CarePlanDocument) -> str:
    return f"My care plan, version {doc.version}"


def _nhs_number_for_people(nhs_number: str) -> str:
    """``9434765919`` as ``943 476 5919``, the way it is printed on NHS letters."""
    digits = nhs_number.strip()
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits


def person_view(doc: CarePlanDocument) -> dict[str, Any]:
    """What the person-readable page shows: plain values, dates already in words."""
    status = _status(doc)
    return {
        "title": _title(doc),
        "nhs_number": _nhs_number_for_people(doc.nhs_number),
        "date_of_birth": long_date(doc.date_of_birth) if doc.date_of_birth else None,
        "version": doc.version,
        "status": status.words,
        "agreed_on": long_date(doc.agreed_on) if doc.agreed_on else "Not agreed yet",
        "review_date": long_date(doc.review_date) if doc.review_date else "No date set yet",
        "case_manager": doc.case_manager.strip() or "Not named yet",
        "author": doc.author.strip(),
        "written_on": long_date(doc.created_at),
        "goals": _texts(doc.goals),
        "needs": _texts(doc.needs),
        "contribution": doc.person_contribution.strip(),
        "actions": [{"who": a.who.strip(), "agency": a.agency.strip(), "what": a.what.strip(),
                     "by": long_date(a.by) if a.by else "No date set"} for a in doc.actions],
        "prevention": _texts(doc.prevention),
        "emergency_plan": doc.emergency_plan.strip(),
        "participants": _texts(doc.participants),
    }


def to_html(doc: CarePlanDocument) -> str:
    """The person-readable page "My care plan": a complete HTML document, ready to print."""
    return _env.get_template("careplan_person.html.j2").render(person_view(doc))


def to_pdf(doc: CarePlanDocument) -> bytes:
    """The person-readable page as a PDF copy (A4), titled in its metadata."""
    document = weasyprint.HTML(string=to_html(doc)).render()
    document.metadata.title = _title(doc)
    pdf: bytes = document.write_pdf()
    return pdf
