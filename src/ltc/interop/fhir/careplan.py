"""A care plan version written as a FHIR R4 ``CarePlan`` for other systems (CM-5).

The writer reads any object with a care plan document's fields
(:class:`CarePlanVersion`, which ``ltc.care.careplans.document.CarePlanDocument`` is), so
the edge does not import the care plane.

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
carers                        contained RelatedPerson resources (``#carer-1``, ...): name,
                              relationship.text, telecom (phone), address.text, active;
                              consent to contact and the carer's assessment as extensions
                              (``CARER_CONSENT_URL`` valueBoolean, ``CARER_ASSESSMENT_URL``
                              valueString); each a participant of the contained CareTeam
                              with role "Main carer" or "Carer", member ``#carer-N``
end_of_life                   note[], one per thing recorded (no DNACPR note when none is
                              recorded), text starting "End of life: "
                              then the label ("End of life: DNACPR: DNACPR decision in
                              place: do not attempt CPR", "End of life: End-of-life
                              register: On the palliative care register", ...)
============================  =============================================================

Activity status follows the plan: ``not-started`` for a draft, ``scheduled`` for an
active plan, ``completed`` for a completed one. Blank free text is left out (FHIR strings
may not be empty). Goals are contained Goal resources rather than notes so that a
receiving system sees them as goals, linked to the plan and the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from fhir.resources.R4B.careplan import CarePlan
from pydantic import ValidationError

from ltc.interop.fhir.elements import NHS_NUMBER_SYSTEM as NHS_NUMBER_SYSTEM

CAREPLAN_SYSTEM = "urn:ltc:careplan"
NEED_PREFIX = "Need: "
EMERGENCY_PREFIX = "Emergency and contingency plan: "
PREVENTION_CODE_TEXT = "Prevention"
CARE_TEAM_ID = "care-team"
END_OF_LIFE_PREFIX = "End of life: "
CARER_CONSENT_URL = "urn:ltc:fhir:extension:carer-consents-to-contact"
CARER_ASSESSMENT_URL = "urn:ltc:fhir:extension:carers-assessment"


class CarePlanAction(Protocol):
    """One action of a plan, as the writer reads it."""

    @property
    def who(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def what(self) -> str: ...
    @property
    def by(self) -> date | None: ...


class CarerContact(Protocol):
    """One carer of the person, as the writer reads it."""

    @property
    def name(self) -> str: ...
    @property
    def relationship(self) -> str: ...
    @property
    def telephone(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def consents_to_contact(self) -> bool | None: ...
    @property
    def main_carer(self) -> bool: ...
    def assessment_words(self) -> str: ...


class EndOfLife(Protocol):
    """The plan's end-of-life section, as the writer reads it."""

    def lines(self, recorded_only: bool = ...) -> list[tuple[str, str]]: ...


class CarePlanVersion(Protocol):
    """One care plan version, as the writer reads it."""

    @property
    def nhs_number(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def case_manager(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def goals(self) -> tuple[str, ...]: ...
    @property
    def needs(self) -> tuple[str, ...]: ...
    @property
    def person_contribution(self) -> str: ...
    @property
    def actions(self) -> Sequence[CarePlanAction]: ...
    @property
    def prevention(self) -> tuple[str, ...]: ...
    @property
    def emergency_plan(self) -> str: ...
    @property
    def review_date(self) -> date | None: ...
    @property
    def agreed_on(self) -> date | None: ...
    @property
    def participants(self) -> tuple[str, ...]: ...
    @property
    def carers(self) -> Sequence[CarerContact]: ...
    @property
    def end_of_life(self) -> EndOfLife: ...


@dataclass(frozen=True)
class Status:
    """What one plan status means in each export."""

    plan: str  # CarePlan.status
    activity: str  # CarePlan.activity.detail.status
    goal: str  # Goal.lifecycleStatus
    words: str  # how the person's copy says it


STATUSES = {
    "draft": Status("draft", "not-started", "proposed", "Draft: not agreed yet"),
    "active": Status("active", "scheduled", "active", "Agreed and in use"),
    "completed": Status("completed", "completed", "completed",
                         "Finished: this plan is no longer in use"),
}


def status_of(doc: CarePlanVersion) -> Status:
    try:
        return STATUSES[doc.status]
    except KeyError:
        raise ValueError(
            f"care plan {doc.nhs_number} version {doc.version}: status {doc.status!r} is not "
            f"one of {', '.join(STATUSES)}; correct the status before exporting") from None


def texts(values: tuple[str, ...]) -> list[str]:
    """The non-blank values, stripped, in order."""
    return [v.strip() for v in values if v.strip()]


def performer_of(action: CarePlanAction) -> str:
    who, agency = action.who.strip(), action.agency.strip()
    return f"{who} ({agency})" if who and agency else who or agency


def _fhir_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def _related_person(carer: CarerContact, carer_id: str,
                    subject: dict[str, Any]) -> dict[str, Any]:
    """A carer as a contained FHIR R4 ``RelatedPerson``."""
    extensions: list[dict[str, Any]] = [
        {"url": CARER_ASSESSMENT_URL, "valueString": carer.assessment_words()}]
    if carer.consents_to_contact is not None:
        extensions.insert(0, {"url": CARER_CONSENT_URL,
                              "valueBoolean": carer.consents_to_contact})
    out: dict[str, Any] = {"resourceType": "RelatedPerson", "id": carer_id, "active": True,
                           "patient": dict(subject), "name": [{"text": carer.name.strip()}],
                           "extension": extensions}
    if carer.relationship.strip():
        out["relationship"] = [{"text": carer.relationship.strip()}]
    if carer.telephone.strip():
        out["telecom"] = [{"system": "phone", "value": carer.telephone.strip()}]
    if carer.address.strip():
        out["address"] = [{"text": carer.address.strip()}]
    return out


def to_fhir(doc: CarePlanVersion, *, patient_reference: str | None = None) -> dict[str, Any]:
    """The plan version as a FHIR R4 ``CarePlan`` resource (a JSON-ready dict), checked
    against the ``fhir.resources.R4B`` model. Raises ``ValueError`` for an unknown status
    or a plan that does not make a valid resource."""
    status = status_of(doc)
    subject: dict[str, Any] = {
        "type": "Patient",
        "identifier": {"system": NHS_NUMBER_SYSTEM, "value": doc.nhs_number}}
    if patient_reference:
        subject["reference"] = patient_reference

    contained: list[dict[str, Any]] = []
    goals: list[dict[str, str]] = []
    for number, goal in enumerate(texts(doc.goals), start=1):
        goal_id = f"goal-{number}"
        contained.append({"resourceType": "Goal", "id": goal_id,
                          "lifecycleStatus": status.goal,
                          "description": {"text": goal}, "subject": dict(subject)})
        goals.append({"reference": f"#{goal_id}"})
    team: list[dict[str, Any]] = []
    if doc.case_manager.strip():
        team.append({"role": [{"text": "Case manager"}],
                     "member": {"display": doc.case_manager.strip()}})
    for number, carer in enumerate(doc.carers, start=1):
        carer_id = f"carer-{number}"
        contained.append(_related_person(carer, carer_id, subject))
        team.append({"role": [{"text": "Main carer" if carer.main_carer else "Carer"}],
                     "member": {"reference": f"#{carer_id}", "type": "RelatedPerson",
                                "display": carer.name.strip()}})
    if team:
        contained.append({"resourceType": "CareTeam", "id": CARE_TEAM_ID, "status": "active",
                          "subject": dict(subject), "participant": team})

    activities: list[dict[str, Any]] = []
    for action in doc.actions:
        detail: dict[str, Any] = {"status": status.activity}
        if action.what.strip():
            detail["description"] = action.what.strip()
        if performer := performer_of(action):
            detail["performer"] = [{"display": performer}]
        if action.by is not None:
            detail["scheduledPeriod"] = {"end": action.by.isoformat()}
        activities.append({"detail": detail})
    activities.extend(
        {"detail": {"status": status.activity, "code": {"text": PREVENTION_CODE_TEXT},
                    "description": text}}
        for text in texts(doc.prevention))

    notes = [{"text": NEED_PREFIX + need} for need in texts(doc.needs)]
    if doc.emergency_plan.strip():
        notes.append({"text": EMERGENCY_PREFIX + doc.emergency_plan.strip()})
    notes += [{"text": f"{END_OF_LIFE_PREFIX}{label}: {words}"}
              for label, words in doc.end_of_life.lines(recorded_only=True)]

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
        "contributor": [{"display": p} for p in texts(doc.participants)],
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
    if team:
        resource["careTeam"] = [{"reference": f"#{CARE_TEAM_ID}"}]
    resource = {key: value for key, value in resource.items() if value != []}

    try:
        model = CarePlan.model_validate(resource)
    except ValidationError as error:
        raise ValueError(f"care plan {doc.nhs_number} version {doc.version} does not make a "
                         f"valid FHIR R4 CarePlan: {error}") from error
    return model.model_dump(mode="json", exclude_none=True)
