"""Pages: complete or update the comprehensive assessment (a form generated from the
published scales, optimistic locking) and its versions, with any flag that asks for a
same-day clinical review shown first (CM-4); the co-designed assessment's pages
(:mod:`ltc.web.assessment.codesigned`, VW-2) are included in this router."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ltc.care.assessment import scales
from ltc.care.assessment import services as assessments
from ltc.care.assessment.models import Assessment
from ltc.web import documents
from ltc.web.assessment import codesigned
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()
router.include_router(codesigned.router)
NEEDS_ASSESSMENT = {"yes": True, "no": False, "": None}


def field_id(where: tuple[str, ...]) -> str | None:
    """The id of the form control a problem points to (None: the whole assessment)."""
    if len(where) == 2 and where[0] in scales.SCALES:
        return f"{where[0]}-{where[1]}"
    if len(where) == 1 and where[0] in scales.SCALES:
        return f"scale-{where[0]}"
    if len(where) == 2 and where[0] == "notes":
        return where[1]
    if len(where) == 2 and where[0] == "carer":
        return f"carer_{where[1]}"
    return None


def _number(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value


def _form_answers(form: Any) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]],
                                      list[str]]:
    """(answers for the service, answers as typed, scales left out) from the form. A value
    that is not a number is passed on as typed, for the scale to name it."""
    omitted = [s for s in (str(v) for v in form.getlist("omit")) if s in scales.SCALES]
    answers: dict[str, dict[str, Any]] = {}
    typed: dict[str, dict[str, str]] = {}
    for scale in scales.SCALES.values():
        typed[scale.id] = {}
        for item in scale.items:
            value = str(form.get(f"{scale.id}.{item.id}", "")).strip()
            if value:
                typed[scale.id][item.id] = value
        if scale.id not in omitted:
            answers[scale.id] = {k: _number(v) for k, v in typed[scale.id].items()}
    return answers, typed, omitted


def _form_notes(form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(notes for the service, notes as typed) from the form."""
    typed: dict[str, Any] = {key: str(form.get(key, "")) for key in assessments.SECTIONS}
    carer = {key: str(form.get(f"carer_{key}", "")) for key in assessments.CARER_FIELDS}
    needs = str(form.get("carer_needs_assessment", ""))
    typed["carer"] = {**carer, "needs_assessment": needs}
    notes = {**typed, "carer": {**carer, "needs_assessment": NEEDS_ASSESSMENT.get(needs, needs)}}
    return notes, typed


def _editable_notes(notes: dict[str, Any]) -> dict[str, Any]:
    """Saved notes shaped for the form (every field a string)."""
    carer = notes.get("carer") or {}
    needs = {True: "yes", False: "no", None: ""}[carer.get("needs_assessment")]
    return {**{key: notes.get(key) or "" for key in assessments.SECTIONS},
            "carer": {**{key: carer.get(key) or "" for key in assessments.CARER_FIELDS},
                      "needs_assessment": needs}}


def _editable_answers(row: Assessment | None) -> dict[str, dict[str, str]]:
    saved = row.answers if row else {}
    return {scale.id: {item: str(value) for item, value in (saved.get(scale.id) or {}).items()}
            for scale in scales.SCALES.values()}


def _context(nhs_number: str, answers: dict[str, dict[str, str]], notes: dict[str, Any],
             based_on: int, latest: Assessment | None, *, omitted: list[str] | None = None,
             problems: tuple[assessments.Problem, ...] = (), newer: Assessment | None = None
             ) -> dict[str, Any]:
    listed = [{"href": field_id(p.where), "message": p.message} for p in problems]
    errors: dict[str, str] = {}
    for p in listed:
        if p["href"]:
            errors[p["href"]] = " ".join(filter(None, (errors.get(p["href"]), p["message"])))
    return {"title": "Comprehensive assessment", "nhs_number": nhs_number,
            "scales": list(scales.SCALES.values()), "answers": answers,
            "omitted": omitted or [], "notes": notes, "carer_fields": assessments.CARER_FIELDS,
            "sections": assessments.SECTIONS, "based_on": based_on, "latest": latest,
            "newer": newer, "problems": listed, "errors": errors}


@router.get("/people/{nhs_number}/assessment")
@policy("person", roles=CLINICIANS)
def edit(request: Request, nhs_number: str, db: Db) -> Response:
    latest = assessments.ASSESSMENTS.latest(db, nhs_number)
    return page(request, "assessment/edit.html.j2", **_context(
        nhs_number, _editable_answers(latest), _editable_notes(latest.notes if latest else {}),
        latest.version if latest else 0, latest))


@router.post("/people/{nhs_number}/assessment")
@policy("person", roles=CLINICIANS)
async def save(request: Request, nhs_number: str, db: Db, me: Me) -> Response:
    form = await request.form()
    # the database work runs in a worker thread, off the event loop
    return await run_in_threadpool(_save, request, nhs_number, db, me, form)


def _save(request: Request, nhs_number: str, db: Db, me: Me, form: Any) -> Response:
    answers, typed_answers, omitted = _form_answers(form)
    notes, typed_notes = _form_notes(form)
    based_on = documents.form_based_on(form)
    try:
        row = assessments.save(db, nhs_number, answers, notes, based_on, me)
    except assessments.StaleVersionError as stale:
        return page(request, "assessment/edit.html.j2", status=409, **_context(
            nhs_number, typed_answers, typed_notes, stale.latest.version, stale.latest,
            omitted=omitted, problems=stale.problems, newer=stale.latest))
    except assessments.AssessmentError as e:
        return page(request, "assessment/edit.html.j2", status=422, **_context(
            nhs_number, typed_answers, typed_notes, based_on,
            assessments.ASSESSMENTS.latest(db, nhs_number),
            omitted=omitted, problems=e.problems))
    return documents.saved_redirect(nhs_number, "assessment", row)


@router.get("/people/{nhs_number}/assessment/versions")
@policy("person", roles=CLINICIANS)
def history(request: Request, nhs_number: str, db: Db, saved: int | None = None) -> Response:
    rows = list(reversed(assessments.ASSESSMENTS.versions(db, nhs_number)))  # newest first
    flagged = [(row, found) for row in rows if (found := assessments.flags(row))]
    return page(request, "assessment/versions.html.j2", title="Assessment versions",
                nhs_number=nhs_number, rows=rows, flagged=flagged, saved=saved)
