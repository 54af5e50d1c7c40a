"""Pages: allocating a person to a wider-team user and ending it (a case manager or GP),
the newest care plan's assigned actions with a form to update each one's status (its
assignee, or the person's case manager or GP), and "My actions": the actions assigned to
the signed-in user across people (CM-5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from ltc.care.careplans import services as plans
from ltc.care.team import actions, services
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import back_to_person, not_saved, page
from ltc.web.policy import CARE_TEAM, CLINICIANS, policy

router = guarded_router()
Text = Annotated[str, Form(max_length=actions.NOTE_LIMIT)]
Choice = Annotated[str, Form(max_length=24)]


@router.get("/people/{nhs_number}/team")
@policy("person", roles=services.ALLOCATORS)
def allocation_form(request: Request, nhs_number: str, db: Db) -> Response:
    allocations = services.open_allocations(db, nhs_number)
    return page(request, "team/allocate.html.j2", title="Allocate to the wider team",
                nhs_number=nhs_number, banner_for=nhs_number,
                users=services.wider_team_users(db), allocations=allocations,
                team_names=services.names(db, {a.user_id for a in allocations}))


@router.post("/people/{nhs_number}/team/allocations")
@policy("person", roles=services.ALLOCATORS)
def allocate(request: Request, nhs_number: str, db: Db, me: Me,
             user_id: Annotated[int, Form()], reason: Text = "") -> Response:
    try:
        services.allocate(db, nhs_number, user_id, reason, me)
    except services.TeamError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, "allocated-to-team")


@router.post("/people/{nhs_number}/team/allocations/end")
@policy("person", roles=services.ALLOCATORS)
def end(request: Request, nhs_number: str, db: Db, me: Me,
        user_id: Annotated[int, Form()]) -> Response:
    """End the person's allocation to the user ``user_id``."""
    try:
        services.end(db, nhs_number, user_id, me)
    except services.TeamError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, "team-allocation-ended")


@router.get("/people/{nhs_number}/careplan/actions")
@policy("person", roles=CARE_TEAM)
def plan_actions(request: Request, nhs_number: str, db: Db, me: Me,
                 saved: str = "") -> Response:
    """The newest care plan's actions, each with its assignee and status, and a status
    form on those the user may update."""
    latest = plans.PLANS.latest(db, nhs_number)
    doc = plans.document(db, latest) if latest is not None else None
    rows = actions.of_person(db, nhs_number)
    keys = [a.get("key") or "" for a in (latest.content.get("actions", []) if latest else [])]
    overseer = me.role in {r.value for r in actions.OVERSEERS}
    writer = me.role in {r.value for r in CLINICIANS}
    return page(request, "team/plan_actions.html.j2", title="Care plan actions",
                nhs_number=nhs_number, banner_for=nhs_number, plan=doc,
                items=[(a, rows.get(k), k) for a, k in zip(doc.actions if doc else (), keys,
                                                           strict=True)],
                may_update={k for k, r in rows.items()
                            if overseer or r.assignee_id == me.id},
                statuses=actions.STATUSES, saved=saved in keys,
                team=services.team(db, nhs_number) if writer and latest else [])


def _then_actions(request: Request, nhs_number: str, key: str,
                  change: Callable[[], object]) -> Response:
    """Make a change to one of the plan's actions, then back to the plan's actions (or
    what was wrong)."""
    try:
        change()
    except (actions.ActionError, plans.CarePlanError) as e:
        return not_saved(request, nhs_number, str(e))
    return RedirectResponse(f"/people/{nhs_number}/careplan/actions?saved={key}",
                            status_code=303)


@router.post("/people/{nhs_number}/careplan/actions/{key}")
@policy("person", roles=CARE_TEAM)
def update_status(request: Request, nhs_number: str, key: str, db: Db, me: Me,
                  status: Choice, note: Text = "") -> Response:
    return _then_actions(request, nhs_number, key, lambda: actions.update_status(
        db, nhs_number, key, status, note, me))


@router.post("/people/{nhs_number}/careplan/actions/{key}/assign")
@policy("person", roles=CLINICIANS)
def assign(request: Request, nhs_number: str, key: str, db: Db, me: Me,
           assignee: Choice = "") -> Response:
    """Assign one of the newest plan's actions (a new version of the plan)."""
    return _then_actions(request, nhs_number, key, lambda: plans.assign(
        db, nhs_number, key, assignee, me))


@router.get("/team/actions")
@policy("signed_in", roles=CARE_TEAM)
def my_actions(request: Request, db: Db, me: Me) -> Response:
    """The actions assigned to me across the people I look after: each person shown is a
    ``list`` audit row."""
    found = actions.assigned_to(db, me)
    for nhs_number in dict.fromkeys(p.nhs_number for _, p in found):
        request.state.audit.add(nhs_number, "list", "GET /team/actions")
    return page(request, "team/my_actions.html.j2", title="My actions", rows=found,
                statuses=actions.STATUSES)
