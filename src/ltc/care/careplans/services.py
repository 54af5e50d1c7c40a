"""Saving, reading and comparing care plan versions, with optimistic locking (CM-5).

A save names the version it was based on (``based_on``: 0 for a first plan). If another
version was saved in the meantime the save is refused with :class:`StaleVersionError`,
which carries the newer version so the person sees what changed; nothing is overwritten
and nothing typed is lost (the form keeps the text). Versions, locking, ETags and
comparison are the versioned-document service's (:data:`PLANS`,
:mod:`ltc.care.documents`); this module holds what a care plan is.

A plan's content holds its end-of-life and advance care planning (``end_of_life``). When a
version is saved it also keeps the person's active carers (``carers``) and whether they
were on the QOF palliative care register (``end_of_life.palliative_register``) as they
were then; the newest version shows them as they are now (:func:`document`).

An action may be assigned to a user (``assignee``) and has a ``key`` kept across versions;
every save keeps the assigned actions' statuses in step (:mod:`ltc.care.team.actions`,
CM-5). The newest version's document shows each action's assignee and status.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.careplans import carers as carer_records
from ltc.care.careplans.document import DNACPR, LPA, Action, CarePlanDocument, EndOfLife
from ltc.care.careplans.models import CarePlanVersion
from ltc.care.casemgmt.services import named_case_manager
from ltc.care.documents import Documents, StaleVersion
from ltc.care.people.models import Person
from ltc.care.recall.reviews import registers_of
from ltc.care.team import actions as team_actions

STATUSES = ("draft", "active", "completed")
TEXT_LIMIT = 5000
PLACE_LIMIT = 300  # a place of care or death, where a form is, an attorney's name
#: the register key of the QOF palliative care register (ltc.records.registers)
PALLIATIVE_REGISTER = "palliative_care"


class CarePlanError(ValueError):
    """A care plan that cannot be saved as given."""


class StaleVersionError(CarePlanError, StaleVersion):
    def __init__(self, latest: CarePlanVersion) -> None:
        super().__init__(f"Not saved: version {latest.version} of this care plan was saved "
                         "after you opened it. Your text is kept below; compare it with the "
                         "newer version and save again.")
        self.latest = latest


def _no_version(number: int) -> CarePlanError:
    return CarePlanError(f"There is no version {number} of this plan to build on.")


def as_lines(content: dict[str, Any]) -> list[str]:
    """A plan's content as lines of text, for comparing versions."""
    out = [f"Status: {content.get('status', '')}"]
    for label, key in (("Goal", "goals"), ("Need", "needs"), ("Staying well", "prevention"),
                       ("Has a copy", "participants")):
        out += [f"{label}: {v}" for v in content.get(key, [])]
    out.append(f"The person will: {content.get('person_contribution', '')}")
    for a in content.get("actions", []):
        out.append(f"Action: {a['who']} ({a.get('agency', '')}) will {a['what']}"
                   f"{' by ' + a['by'] if a.get('by') else ''}")
    out.append(f"If things go wrong: {content.get('emergency_plan', '')}")
    out += [f"Carer: {carer_records.from_snapshot(c).line()}"
            for c in content.get("carers", [])]
    out += [f"{label}: {words}" for label, words in end_of_life(content).lines()]
    out.append(f"Review date: {content.get('review_date') or ''}")
    return out


def end_of_life(content: dict[str, Any]) -> EndOfLife:
    """The end-of-life section of a plan's content (plans saved before it: nothing
    recorded)."""
    e = content.get("end_of_life") or {}
    return EndOfLife(preferred_place_of_care=e.get("preferred_place_of_care", ""),
                     preferred_place_of_death=e.get("preferred_place_of_death", ""),
                     dnacpr=e.get("dnacpr") or "none_recorded",
                     dnacpr_form_location=e.get("dnacpr_form_location", ""),
                     lpa_health_welfare=e.get("lpa_health_welfare", ""),
                     lpa_attorney=e.get("lpa_attorney", ""),
                     palliative_register=bool(e.get("palliative_register")))


#: the versions of people's care plans
PLANS = Documents(CarePlanVersion, "care plan", lambda row: as_lines(row.content),
                  stale=StaleVersionError, missing=_no_version)


def _text(value: Any, field: str) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > TEXT_LIMIT:
        raise CarePlanError(f"{field}: at most {TEXT_LIMIT} characters (got {len(text)}).")
    return text


def _place(value: Any, field: str) -> str:
    text = " ".join(("" if value is None else str(value)).split())
    if len(text) > PLACE_LIMIT:
        raise CarePlanError(f"{field}: at most {PLACE_LIMIT} characters (got {len(text)}).")
    return text


def clean_end_of_life(value: Any) -> dict[str, str]:
    """Check the end-of-life section; each error names its field. The palliative care
    register is read from the run, never taken from what is sent."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise CarePlanError("End of life: give its fields (preferred place of care, ...).")
    dnacpr = value.get("dnacpr") or "none_recorded"
    if dnacpr not in DNACPR:
        raise CarePlanError(f"DNACPR status must be one of {', '.join(DNACPR)}; "
                            f"got {dnacpr!r}.")
    lpa = value.get("lpa_health_welfare") or ""
    if lpa not in LPA:
        raise CarePlanError("Lasting power of attorney (health and welfare) must be yes, no "
                            f"or blank (not known); got {lpa!r}.")
    out = {"preferred_place_of_care": _place(value.get("preferred_place_of_care"),
                                             "Preferred place of care"),
           "preferred_place_of_death": _place(value.get("preferred_place_of_death"),
                                              "Preferred place of death"),
           "dnacpr": dnacpr,
           "dnacpr_form_location": _place(value.get("dnacpr_form_location"),
                                          "Where the DNACPR form is"),
           "lpa_health_welfare": lpa,
           "lpa_attorney": _place(value.get("lpa_attorney"), "Name of the attorney")}
    if dnacpr == "in_place" and not out["dnacpr_form_location"]:
        raise CarePlanError("Where the DNACPR form is: say where the signed form is kept "
                            "(for example 'in the blue folder by the front door') when a "
                            "DNACPR decision is in place.")
    if lpa == "yes" and not out["lpa_attorney"]:
        raise CarePlanError("Name of the attorney: give the attorney's name when there is a "
                            "lasting power of attorney for health and welfare.")
    if lpa != "yes" and out["lpa_attorney"]:
        raise CarePlanError("Name of the attorney: only with a lasting power of attorney for "
                            "health and welfare (answer yes first).")
    return out


def _lines(value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [t for t in (_text(v, field) for v in (value or [])) if t]


def clean(content: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise a plan's content (what a form or the API sends)."""
    actions = []
    for i, a in enumerate(content.get("actions") or [], start=1):
        what = _text(a.get("what"), f"action {i}: what")
        who = _text(a.get("who"), f"action {i}: who")
        if not what and not who:
            continue
        if not what or not who:
            raise CarePlanError(f"Action {i}: give both who will do it and what they will do.")
        by = a.get("by") or None
        if by is not None:
            try:
                by = date.fromisoformat(str(by)).isoformat()
            except ValueError as e:
                raise CarePlanError(f"Action {i}: 'by when' must be a date like 2026-03-31; "
                                    f"got {by!r}.") from e
        actions.append({"who": who, "agency": _text(a.get("agency"), f"action {i}: agency"),
                        "what": what, "by": by})
    review = content.get("review_date") or None
    if review is not None:
        try:
            review = date.fromisoformat(str(review)).isoformat()
        except ValueError as e:
            raise CarePlanError(f"Review date must be a date like 2026-03-31; got {review!r}."
                                ) from e
    status = content.get("status") or "draft"
    if status not in STATUSES:
        raise CarePlanError(f"Status must be one of {', '.join(STATUSES)}; got {status!r}.")
    goals = _lines(content.get("goals"), "goals")
    if status == "active" and (not goals or review is None):
        raise CarePlanError("An agreed (active) plan needs at least one goal and a review "
                            "date.")
    return {"status": status, "goals": goals, "needs": _lines(content.get("needs"), "needs"),
            "person_contribution": _text(content.get("person_contribution"),
                                         "what the person will do"),
            "actions": actions,
            "prevention": _lines(content.get("prevention"), "staying well"),
            "emergency_plan": _text(content.get("emergency_plan"), "if things go wrong"),
            "review_date": review,
            "participants": _lines(content.get("participants"), "who has a copy"),
            "end_of_life": clean_end_of_life(content.get("end_of_life"))}


def save(session: Session, nhs_number: str, content: dict[str, Any], based_on: int,
         author: User) -> CarePlanVersion:
    """Save a new version on top of version ``based_on`` (0: no plan yet)."""
    cleaned = clean(content)
    previous = PLANS.latest(session, nhs_number)
    try:
        team_actions.prepare(session, content.get("actions") or [], cleaned["actions"],
                             previous.content.get("actions", []) if previous else [])
    except team_actions.ActionError as e:
        raise CarePlanError(str(e)) from e
    cleaned["carers"] = [carer_records.snapshot(c)
                         for c in carer_records.active(session, nhs_number)]
    cleaned["end_of_life"]["palliative_register"] = (
        PALLIATIVE_REGISTER in registers_of(session, nhs_number))
    row = PLANS.add(session, CarePlanVersion(nhs_number=nhs_number, status=cleaned["status"],
                                             content=cleaned, author_id=author.id), based_on)
    team_actions.sync(session, nhs_number, row.version, cleaned["actions"])
    return row


def assign(session: Session, nhs_number: str, key: str, assignee: Any,
           author: User) -> CarePlanVersion:
    """Assign the newest plan's action ``key`` to the user ``assignee`` ("" or None:
    nobody), saved as a new version with nothing else changed (CM-5)."""
    latest = PLANS.latest(session, nhs_number)
    if latest is None:
        raise CarePlanError("There is no care plan for this person yet.")
    content = deepcopy(latest.content)
    found = [a for a in content.get("actions", []) if a.get("key") == key]
    if not found:
        raise CarePlanError(f"Action: the newest care plan has no action {key!r}.")
    found[0]["assignee"] = assignee if assignee not in ("", None) else None
    return save(session, nhs_number, content, latest.version, author)


def document(session: Session, row: CarePlanVersion) -> CarePlanDocument:
    """The version as a :class:`CarePlanDocument` (for the person's copy and exports):
    the newest version with the person's carers and register as they are now, an older
    one as they were when it was saved."""
    c = row.content
    newest = PLANS.latest(session, row.nhs_number)
    eol = end_of_life(c)
    if newest is not None and newest.version == row.version:
        carers = tuple(carer_records.active(session, row.nhs_number))
        eol = replace(eol, palliative_register=(
            PALLIATIVE_REGISTER in registers_of(session, row.nhs_number)))
    else:
        carers = tuple(carer_records.from_snapshot(x) for x in c.get("carers", []))
    author = session.get(User, row.author_id)
    manager = named_case_manager(session, row.nhs_number)
    person = session.get(Person, row.nhs_number)

    actions = c.get("actions", [])
    names = {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(
        {a["assignee"] for a in actions if a.get("assignee") is not None})))}
    statuses = (team_actions.of_person(session, row.nhs_number)
                if newest is not None and newest.version == row.version else {})

    def status(a: dict[str, Any]) -> str:
        found = statuses.get(a.get("key") or "")
        return team_actions.STATUSES[found.status] if found is not None else ""

    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return CarePlanDocument(
        nhs_number=row.nhs_number, date_of_birth=person.date_of_birth if person else None,
        version=row.version, status=row.status,
        author=author.display_name if author else "", created_at=row.created_at,
        case_manager=manager.display_name if manager else "",
        goals=tuple(c.get("goals", [])), needs=tuple(c.get("needs", [])),
        person_contribution=c.get("person_contribution", ""),
        actions=tuple(Action(a["who"], a.get("agency", ""), a["what"], day(a.get("by")),
                             names.get(a.get("assignee"), ""), status(a))
                      for a in actions),
        prevention=tuple(c.get("prevention", [])), emergency_plan=c.get("emergency_plan", ""),
        review_date=day(c.get("review_date")),
        agreed_on=row.created_at.date() if row.status == "active" else None,
        participants=tuple(c.get("participants", [])), carers=carers, end_of_life=eol)
