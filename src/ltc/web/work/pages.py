"""Pages: contacts, tasks, referrals and satisfaction survey responses recorded from the
person summary, and the signed-in clinician's open tasks (CM-6, CM-7, CM-10, CM-11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import Response

from ltc.care.work import services as work
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import back_to_person, not_saved, page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()
Text = Annotated[str, Form(max_length=work.MAX_TEXT)]
Day = Annotated[date | None, Form()]


def _recorded(request: Request, nhs_number: str, note: str, save: Callable[[], object]
              ) -> Response:
    """Back to the person with ``note`` once ``save`` has run, or the person page with the
    reason it was not saved."""
    try:
        save()
    except work.WorkError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, note)


@router.get("/tasks")
@policy("signed_in", roles=CLINICIANS)
def my_tasks(request: Request, db: Db, me: Me) -> Response:
    found = work.open_tasks(db, me)
    for nhs_number in dict.fromkeys(t.person.nhs_number for t in found):
        request.state.audit.add(nhs_number, "list", "GET /tasks")
    return page(request, "work/tasks.html.j2", title="My tasks", tasks=found)


@router.post("/people/{nhs_number}/contacts")
@policy("person", roles=CLINICIANS)
def contact(request: Request, nhs_number: str, db: Db, me: Me,
            kind: Annotated[str, Form(max_length=32)] = "", on: Day = None,
            outcome: Text = "") -> Response:
    return _recorded(request, nhs_number, "contact",
                     lambda: work.record_contact(db, nhs_number, me, on, kind, outcome))


@router.post("/people/{nhs_number}/tasks")
@policy("person", roles=CLINICIANS)
def task(request: Request, nhs_number: str, db: Db, me: Me,
         title: Annotated[str, Form(max_length=work.MAX_TITLE)] = "", due_on: Day = None,
         assigned_to: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None) -> Response:
    return _recorded(request, nhs_number, "task",
                     lambda: work.add_task(db, nhs_number, me, title, due_on, assigned_to))


@router.post("/people/{nhs_number}/tasks/{task_id}/done")
@policy("person", roles=CLINICIANS)
def task_done(request: Request, nhs_number: str, task_id: int, db: Db) -> Response:
    try:
        work.complete_task(db, nhs_number, task_id)
    except work.NoSuchTaskError as e:
        raise HTTPException(404, str(e)) from e
    except work.WorkError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, "task-done")


@router.post("/people/{nhs_number}/referrals")
@policy("person", roles=CLINICIANS)
def referral(request: Request, nhs_number: str, db: Db, me: Me,
             service: Annotated[str, Form(max_length=32)] = "", reason: Text = "",
             on: Day = None) -> Response:
    return _recorded(request, nhs_number, "referral",
                     lambda: work.add_referral(db, nhs_number, me, service, reason, on))


@router.post("/people/{nhs_number}/survey")
@policy("person", roles=CLINICIANS)
def survey(request: Request, nhs_number: str, db: Db, me: Me,
           satisfaction: Annotated[int | None, Form()] = None, comment: Text = "",
           on: Day = None) -> Response:
    return _recorded(request, nhs_number, "survey",
                     lambda: work.record_survey(db, nhs_number, me, satisfaction, comment, on))
