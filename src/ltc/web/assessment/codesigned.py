"""Pages: the co-designed assessment (VW-2): the form generated from the current version
of the questionnaire (Health and Social care sections), saving a response with its
version, and every response shown against its own version with the care-plan needs it
suggests. Included in the assessment pages' router."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ltc.care.assessment import questionnaire
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.guard import CSRF_FIELD
from ltc.web.pages import back_to_person, page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()


def _form(request: Request, nhs_number: str, typed: dict[str, str],
          problems: tuple[questionnaire.Problem, ...] = (), status: int = 200) -> Response:
    errors = {p.question: p.message for p in problems if p.question}
    return page(request, "assessment/codesigned.html.j2", status=status,
                title="Co-designed assessment", nhs_number=nhs_number,
                questionnaire=questionnaire.current(), typed=typed, problems=problems,
                errors=errors)


@router.get("/people/{nhs_number}/assessment/codesigned")
@policy("person", roles=CLINICIANS)
def edit(request: Request, nhs_number: str) -> Response:
    return _form(request, nhs_number, {})


@router.post("/people/{nhs_number}/assessment/codesigned")
@policy("person", roles=CLINICIANS)
async def save(request: Request, nhs_number: str, db: Db, me: Me) -> Response:
    form = await request.form()
    # the database work runs in a worker thread, off the event loop
    return await run_in_threadpool(_save, request, nhs_number, db, me, form)


def _save(request: Request, nhs_number: str, db: Db, me: Me, form: Any) -> Response:
    typed = {str(k): str(v) for k, v in form.items() if k != CSRF_FIELD}
    try:
        questionnaire.save(db, nhs_number, typed, me)
    except questionnaire.AnswersError as e:
        return _form(request, nhs_number, typed, e.problems, status=422)
    return back_to_person(nhs_number, "codesigned")


@router.get("/people/{nhs_number}/assessment/codesigned/responses")
@policy("person", roles=CLINICIANS)
def responses(request: Request, nhs_number: str, db: Db) -> Response:
    rows = [(row, questionnaire.of(row), questionnaire.suggested_needs(row))
            for row in questionnaire.responses(db, nhs_number)]
    return page(request, "assessment/codesigned_responses.html.j2",
                title="Co-designed assessment responses", nhs_number=nhs_number, rows=rows)
