"""Pages: write and save the care plan (optimistic locking) with its end-of-life and
advance care planning section, its versions and their comparison, the person's own copy
and its PDF (CM-5); the person's carers' pages (:mod:`ltc.web.careplans.carers`) are
included in this router."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ltc.care.assessment import questionnaire
from ltc.care.careplans import carers
from ltc.care.careplans import services as plans
from ltc.care.careplans.document import DNACPR, LPA
from ltc.care.contacts.services import contact_words
from ltc.care.recall.reviews import registers_of
from ltc.care.team import actions as team_actions
from ltc.care.team import services as team
from ltc.web import documents
from ltc.web.careplans import carers as carer_pages
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import CARE_TEAM, CLINICIANS, policy

router = guarded_router()
router.include_router(carer_pages.router)
ACTION_ROWS = 6
#: an action row's fields: an action may be assigned to someone in the person's team, and
#: keeps its key across versions (so its status survives, CM-5)
ACTION_FIELDS = ("who", "agency", "what", "by", "assignee", "key")
END_OF_LIFE_FIELDS = ("preferred_place_of_care", "preferred_place_of_death", "dnacpr",
                      "dnacpr_form_location", "lpa_health_welfare", "lpa_attorney")


def _form_content(form: Any) -> dict[str, Any]:
    actions = []
    for i in range(ACTION_ROWS):
        actions.append({k: str(form.get(f"action_{i}_{k}", "")) for k in ACTION_FIELDS})
    return {"status": str(form.get("status", "draft")),
            "goals": str(form.get("goals", "")), "needs": str(form.get("needs", "")),
            "person_contribution": str(form.get("person_contribution", "")),
            "actions": actions, "prevention": str(form.get("prevention", "")),
            "emergency_plan": str(form.get("emergency_plan", "")),
            "review_date": str(form.get("review_date", "")) or None,
            "participants": str(form.get("participants", "")),
            "end_of_life": {k: str(form.get(f"eol_{k}", "")) for k in END_OF_LIFE_FIELDS}}


def _editable(content: dict[str, Any]) -> dict[str, Any]:
    """Content shaped for the form (lists as lines; always ACTION_ROWS action rows)."""
    out = {"status": "draft", "person_contribution": "", "emergency_plan": "",
           "review_date": "", **content}
    for key in ("goals", "needs", "prevention", "participants"):
        value = content.get(key) or []
        out[key] = value if isinstance(value, str) else "\n".join(value)
    actions = list(content.get("actions") or [])
    actions += [{}] * (ACTION_ROWS - len(actions))
    out["actions"] = [{k: str(a.get(k) or "") for k in ACTION_FIELDS}
                      for a in actions[:ACTION_ROWS]]
    eol = content.get("end_of_life") or {}
    out["end_of_life"] = {k: str(eol.get(k) or "") for k in END_OF_LIFE_FIELDS}
    out["end_of_life"]["dnacpr"] = out["end_of_life"]["dnacpr"] or "none_recorded"
    return out


def _context(db: Db, nhs_number: str) -> dict[str, Any]:
    """What the form shows beside the plan: the carers (kept on their own page), whether
    the person is on the palliative care register (from the run, read-only), the needs
    their newest co-designed assessment suggests (VW-2), and the person's team whom an
    action may be assigned to, with each assigned action's status (CM-5)."""
    return {"carers": carers.active(db, nhs_number), "dnacpr_options": DNACPR,
            "team": team.team(db, nhs_number),
            "action_status": {k: (team_actions.STATUSES[r.status], r.note)
                              for k, r in team_actions.of_person(db, nhs_number).items()},
            "suggested_needs": questionnaire.latest_needs(db, nhs_number),
            "lpa_options": LPA, "palliative_register": (
                plans.PALLIATIVE_REGISTER in registers_of(db, nhs_number))}


@router.get("/people/{nhs_number}/careplan")
@policy("person", roles=CLINICIANS)
def edit(request: Request, nhs_number: str, db: Db) -> Response:
    latest = plans.PLANS.latest(db, nhs_number)
    context = _context(db, nhs_number)
    # a new draft starts with the needs the co-designed assessment suggests
    content = _editable(latest.content if latest else {
        "status": "draft", "needs": context["suggested_needs"]})
    return page(request, "careplans/edit.html.j2", title="Care plan", nhs_number=nhs_number,
                content=content, based_on=latest.version if latest else 0, latest=latest,
                newer=None, error=None, **context)


@router.post("/people/{nhs_number}/careplan")
@policy("person", roles=CLINICIANS)
async def save(request: Request, nhs_number: str, db: Db, me: Me) -> Response:
    form = await request.form()
    # the database work runs in a worker thread, off the event loop
    return await run_in_threadpool(_save, request, nhs_number, db, me, form)


def _save(request: Request, nhs_number: str, db: Db, me: Me, form: Any) -> Response:
    content = _form_content(form)
    based_on = documents.form_based_on(form)
    try:
        row = plans.save(db, nhs_number, content, based_on, me)
    except plans.StaleVersionError as stale:
        return page(request, "careplans/edit.html.j2", status=409, title="Care plan",
                    nhs_number=nhs_number, content=_editable(content),
                    based_on=stale.latest.version, latest=stale.latest,
                    newer=_editable(stale.latest.content), error=str(stale),
                    **_context(db, nhs_number))
    except plans.CarePlanError as e:
        latest = plans.PLANS.latest(db, nhs_number)
        return page(request, "careplans/edit.html.j2", status=422, title="Care plan",
                    nhs_number=nhs_number, content=_editable(content), based_on=based_on,
                    latest=latest, newer=None, error=str(e), **_context(db, nhs_number))
    return documents.saved_redirect(nhs_number, "careplan", row)


@router.get("/people/{nhs_number}/careplan/versions")
@policy("person", roles=CARE_TEAM)
def history(request: Request, nhs_number: str, db: Db, a: int | None = None,
            b: int | None = None, saved: int | None = None) -> Response:
    rows = plans.PLANS.versions(db, nhs_number)
    diff = documents.comparison(plans.PLANS, db, nhs_number, a, b)
    return page(request, "careplans/versions.html.j2", title="Care plan versions",
                nhs_number=nhs_number, rows=rows, diff=diff, a=a, b=b, saved=saved)


def _document(db: Db, nhs_number: str, number: int | None) -> Any:
    row = (plans.PLANS.version(db, nhs_number, number) if number
           else plans.PLANS.latest(db, nhs_number))
    if row is None:
        raise HTTPException(404, "There is no care plan for this person yet.")
    return plans.document(db, row)


@router.get("/people/{nhs_number}/careplan/copy")
@policy("person", roles=CARE_TEAM, action="export")
def person_copy(nhs_number: str, db: Db, version: int | None = None) -> Response:
    from ltc.web.careplans import export

    return HTMLResponse(export.to_html(_document(db, nhs_number, version),
                                       contact_words(db, nhs_number)))


@router.get("/people/{nhs_number}/careplan.pdf")
@policy("person", roles=CARE_TEAM, action="export")
def pdf(nhs_number: str, db: Db, version: int | None = None) -> Response:
    from ltc.web.careplans import export

    doc = _document(db, nhs_number, version)
    return Response(export.to_pdf(doc, contact_words(db, nhs_number)),
                    media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="care-plan-{nhs_number}-v{doc.version}.pdf"'})
