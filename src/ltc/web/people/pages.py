"""Pages: the home page and the person summary (CM-2, CM-5, STRAT-7)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.orm import Session

from ltc.care.assessment.models import Assessment
from ltc.care.auth import services as auth
from ltc.care.auth.models import Role, User
from ltc.care.careplans.models import CarePlanVersion
from ltc.care.casemgmt import services as cases
from ltc.care.casemgmt.models import Approach, CaseloadEntry, Nomination
from ltc.care.events.models import AdmissionReview, Alert, CareEvent, Flag
from ltc.care.people import activity
from ltc.care.people import banner as banners
from ltc.care.people.models import Person, PersonActivity, PersonResult, StratRun
from ltc.care.work.models import Contact, Referral, SurveyResponse, Task
from ltc.records.registers import REGISTERS
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import TEMPLATES, back_to_person, page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()


def patient_banner(request: Request, nhs_number: str) -> banners.Banner | None:
    """The patient banner for a page about one person (``people/_banner.html.j2``), read
    in the request's transaction; a page sets ``banner_for`` to show it."""
    session = getattr(request.state, "db", None)
    if session is None or not session.in_transaction() or not session.is_active:
        return None
    return banners.for_person(session, nhs_number)


TEMPLATES.globals["patient_banner"] = patient_banner


@router.get("/")
@policy("signed_in")
def home(request: Request, me: Me) -> Response:
    if me.role in (Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN):
        return RedirectResponse("/worklist", status_code=303)
    if me.role == Role.ANALYST:
        return RedirectResponse("/workforce", status_code=303)
    if me.role == Role.INTERFACE:
        raise HTTPException(403, "This account is for a system feed: it posts hospital and "
                                 "ambulance messages to /api/v1/feeds and has no pages.")
    return page(request, "home_admin.html.j2", title="Administration")


#: what a person's summary lists from the care store: (name, model, newest first by)
LISTS: tuple[tuple[str, Any, Any], ...] = (
    ("approaches", Approach, Approach.at), ("contacts", Contact, Contact.at),
    ("tasks", Task, Task.at), ("referrals", Referral, Referral.at),
    ("surveys", SurveyResponse, SurveyResponse.id),
    ("assessments", Assessment, Assessment.version),
    ("nominations", Nomination, Nomination.at),
    ("plan_versions", CarePlanVersion, CarePlanVersion.version),
    ("care_events", CareEvent, CareEvent.occurred_at), ("alerts", Alert, Alert.created_at),
    ("flags", Flag, Flag.raised_at), ("admission_reviews", AdmissionReview, AdmissionReview.at))


def _summary_statement() -> Any:
    nhs: Any = bindparam("nhs")
    return (
        select(Person, StratRun, PersonResult, PersonActivity, CaseloadEntry,
               *(exists().where(model.nhs_number == nhs).label(name)
                 for name, model, _ in LISTS))
        .select_from(Person)
        .outerjoin(StratRun, StratRun.current.is_(True))
        .outerjoin(PersonResult, and_(PersonResult.run_id == StratRun.id,
                                      PersonResult.nhs_number == nhs))
        .outerjoin(PersonActivity, and_(PersonActivity.run_id == StratRun.id,
                                        PersonActivity.nhs_number == nhs))
        .outerjoin(CaseloadEntry, and_(CaseloadEntry.nhs_number == nhs,
                                       CaseloadEntry.ended_on.is_(None)))
        .where(Person.nhs_number == nhs))


#: built once: a statement reused is compiled and keyed once (it is read on every summary)
_SUMMARY = _summary_statement()


def summary(session: Session, nhs_number: str) -> dict[str, Any]:
    """Everything the person summary shows (also the API's person resource)."""
    # the person, the current run, their result and activity in it, their open caseload
    # entry and which of the lists hold anything, in one read; then only those lists
    found = session.execute(_SUMMARY, {"nhs": nhs_number}).first()
    if found is None:
        raise HTTPException(404, "There is no such person, or you do not have access to "
                                 "their record.")
    person, run, result, recent, entry = found[:5]
    lists: dict[str, list[Any]] = {
        name: list(session.scalars(select(model).where(model.nhs_number == nhs_number)
                                   .order_by(order.desc())).all()) if present else []
        for (name, model, order), present in zip(LISTS, found[5:], strict=True)}
    manager = session.get(User, entry.user_id) if entry else None
    regs = [REGISTERS[r].name if r in REGISTERS else r
            for r in (result.registers.split(",") if result and result.registers else [])]
    plan_versions = lists.pop("plan_versions")
    timeline = sorted(
        [(a.on, "Approach", f"{a.outcome}" + (f": {a.note}" if a.note else ""))
         for a in lists["approaches"]]
        + [(c.on, "Contact", f"{c.kind.replace('_', ' ')}: {c.outcome}")
           for c in lists["contacts"]]
        + [(r.on, "Referral", f"{r.service.replace('_', ' ')}: {r.reason}")
           for r in lists["referrals"]]
        + [(v.created_at.date(), "Care plan", f"version {v.version} ({v.status})")
           for v in plan_versions]
        + [(a.created_at.date(), "Assessment", f"version {a.version}")
           for a in lists["assessments"]],
        key=lambda t: t[0], reverse=True)
    return {
        "person": person, "result": result, "run": run, "manager": manager,
        "entry": entry, "plan": plan_versions[0] if plan_versions else None,
        "registers": regs, **lists,
        "timeline": timeline,
        "encounters": activity.encounters(recent.encounters if recent else None),
        "medicines": activity.medicines(recent.medicines if recent else None),
        "age": _age(person.date_of_birth, date.today()) if person.date_of_birth else
        (result.age if result else None),
    }


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@router.get("/people/{nhs_number}")
@policy("person", roles=CLINICIANS)
def person_page(request: Request, nhs_number: str, db: Db, me: Me) -> Response:
    context = summary(db, nhs_number)
    suggestions = cases.suggest(db, nhs_number) if context["entry"] is None else []
    return page(request, "people/summary.html.j2", title="Person summary",
                suggestions=suggestions, today=date.today(), me=me, **context)


@router.get("/break-glass/{nhs_number}")
@policy("signed_in", roles=CLINICIANS)
def break_glass_form(request: Request, nhs_number: str) -> Response:
    return page(request, "people/break_glass.html.j2", title="Emergency access",
                nhs_number=nhs_number, error=None)


@router.post("/break-glass/{nhs_number}")
@policy("signed_in", roles=CLINICIANS)
def break_glass(request: Request, nhs_number: str, db: Db, me: Me,
                reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    if db.get(Person, nhs_number) is None:
        raise HTTPException(404, "There is no such person.")
    try:
        auth.break_glass(db, me, nhs_number, reason)
    except auth.AuthError as e:
        return page(request, "people/break_glass.html.j2", status=422, title="Emergency access",
                    nhs_number=nhs_number, error=str(e))
    request.state.audit.add(nhs_number, "break_glass", f"POST {request.url.path}", True)
    return back_to_person(nhs_number)
