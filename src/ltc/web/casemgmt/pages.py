"""Pages: the candidates worklist, allocation, approach and consent, nominations,
caseload, discharge, workforce and rebalancing proposals a team lead approves or undoes
(CM-1, CM-2, CM-3, CM-12, STRAT-7)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Annotated

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from ltc.care.auth.models import Role
from ltc.care.casemgmt import balance, changes, hidden, proposals
from ltc.care.casemgmt import services as cases
from ltc.care.casemgmt.models import WARN_ABOVE, CaseManager
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import TEMPLATES, back_to_person, not_saved, page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()
Text = Annotated[str, Form(max_length=2000)]


@lru_cache(maxsize=changes.KEPT)
def rows(candidates: tuple[cases.Candidate, ...]) -> Markup:
    """The table rows of a page of candidates, rendered once for each page kept (they are
    the same whoever looks)."""
    return Markup(TEMPLATES.get_template("casemgmt/_worklist_rows.html.j2").render(
        candidates=candidates))


@router.get("/worklist")
@policy("signed_in", roles=CLINICIANS)
def worklist(request: Request, db: Db, me: Me,
             page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1) -> Response:
    # one more than a page tells whether there is a next page
    found = cases.candidates_for(db, me, limit=cases.PAGE + 1,
                                 offset=(page_number - 1) * cases.PAGE)
    more, found = len(found) > cases.PAGE, found[:cases.PAGE]
    for c in found:
        request.state.audit.add(c.nhs_number, "list", "GET /worklist")
    return page(request, "casemgmt/worklist.html.j2", title="Worklist", candidates=found,
                rows=rows(tuple(found)), page_number=page_number, more=more,
                first=(page_number - 1) * cases.PAGE + 1)


@router.get("/caseload")
@policy("signed_in", roles=(Role.CASE_MANAGER,))
def caseload(request: Request, db: Db, me: Me) -> Response:
    rows = cases.caseload(db, me.id)
    for _, person in rows:
        request.state.audit.add(person.nhs_number, "list", "GET /caseload")
    cm = db.get(CaseManager, me.id)
    return page(request, "casemgmt/caseload.html.j2", title="My caseload", rows=rows, cm=cm,
                warn_above=WARN_ABOVE)


@router.get("/workforce")
@policy("signed_in", roles=(Role.CASE_MANAGER, Role.ANALYST))
def workforce(request: Request, db: Db) -> Response:
    return page(request, "casemgmt/workforce.html.j2", title="Workforce",
                rows=cases.workforce(db))


@router.post("/people/{nhs_number}/allocate")
@policy("person", roles=(Role.CASE_MANAGER,))
def allocate(request: Request, nhs_number: str, db: Db, me: Me,
             case_manager: Annotated[int, Form()]) -> Response:
    try:
        done = cases.allocate(db, nhs_number, case_manager, me)
    except cases.CaseError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, "allocated-warning" if done.warning else "allocated")


@router.post("/people/{nhs_number}/approach")
@policy("person", roles=(Role.CASE_MANAGER,))
def approach(request: Request, nhs_number: str, db: Db, me: Me,
             outcome: Annotated[str, Form(max_length=20)], on: Annotated[date, Form()],
             review_on: Annotated[date | None, Form()] = None, note: Text = "") -> Response:
    try:
        cases.record_approach(db, nhs_number, me, on, outcome, review_on, note)
    except cases.CaseError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, "approach")


@router.post("/people/{nhs_number}/nominate")
@policy("person", roles=CLINICIANS)
def nominate(request: Request, nhs_number: str, db: Db, me: Me,
             action: Annotated[str, Form(max_length=20)], reason: Text = "") -> Response:
    try:
        cases.nominate(db, nhs_number, me, action, reason)
    except cases.CaseError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, action)


@router.post("/people/{nhs_number}/discharge")
@policy("person", roles=(Role.CASE_MANAGER,))
def discharge(request: Request, nhs_number: str, db: Db, me: Me, on: Annotated[date, Form()],
              reason: Text = "") -> Response:
    try:
        cases.discharge(db, nhs_number, on, reason)
    except cases.CaseError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, "discharged")


@router.get("/hidden")
@policy("signed_in", roles=(Role.CASE_MANAGER, Role.ANALYST))
def hidden_people(request: Request, db: Db, me: Me,
                  page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1
                  ) -> Response:
    """Hidden populations (POP-5): suppressed counts per locality for everyone here; a case
    manager also sees their own area's people, a page at a time (each an audited read)."""
    found = hidden.hidden_for(db, me.id, limit=hidden.PAGE + 1,
                              offset=(page_number - 1) * hidden.PAGE)
    more, found = len(found) > hidden.PAGE, found[:hidden.PAGE]
    for h in found:
        request.state.audit.add(h.nhs_number, "list", "GET /hidden")
    return page(request, "casemgmt/hidden.html.j2", title="Hidden populations",
                people=found, counts=hidden.counts(db), page_number=page_number, more=more,
                is_case_manager=db.get(CaseManager, me.id) is not None)


@router.get("/caseloads/rebalance")
@policy("signed_in", roles=(Role.CASE_MANAGER,))
def rebalance(request: Request, db: Db, me: Me) -> Response:
    """A preview of the rebalancing proposal for the case manager's locality (CM-2): each
    person named in a move is an audited read."""
    cm = db.get(CaseManager, me.id)
    loads = balance.locality_loads(db, cm.locality_code) if cm else []
    before = {x.user_id: (len(x.members), round(x.weighted, 2)) for x in loads}
    proposal = balance.propose(loads)
    for m in proposal.moves:
        request.state.audit.add(m.nhs_number, "list", "GET /caseloads/rebalance")
    names = balance.names(db, list(before))
    return page(request, "casemgmt/rebalance.html.j2", title="Rebalance caseloads",
                cm=cm, proposal=proposal, before=before, names=names,
                leaving={x.user_id for x in loads if x.leaving})


#: what a redirect after a proposal step says (by key: the address carries no free text)
PROPOSAL_NOTES = {"saved": "The proposal has been saved for a team lead to approve.",
                  "approved": "The proposal has been approved: everyone in it has moved.",
                  "undone": "The proposal has been undone: everyone is back where they were."}


def _proposals_page(request: Request, db: Db, me: Me, *, status: int = 200,
                    error: str | None = None, note: str | None = None) -> Response:
    cm = db.get(CaseManager, me.id)
    found = proposals.for_locality(db, cm.locality_code) if cm else []
    moves = proposals.moves_of(db, [p.id for p in found])
    for ms in moves.values():
        for m in ms:
            request.state.audit.add(m.nhs_number, "list", "GET /caseloads/proposals")
    ids = {u for ms in moves.values() for m in ms for u in (m.from_user, m.to_user)}
    ids |= {p.proposed_by for p in found}
    return page(request, "casemgmt/proposals.html.j2", status=status,
                title="Rebalancing proposals", cm=cm, proposals=found, moves=moves,
                names=balance.names(db, sorted(ids)), error=error,
                note=PROPOSAL_NOTES.get(note or ""),
                is_lead=cm is not None and proposals.is_lead(db, me, cm.locality_code))


@router.get("/caseloads/proposals")
@policy("signed_in", roles=(Role.CASE_MANAGER,))
def proposals_list(request: Request, db: Db, me: Me, note: str | None = None) -> Response:
    """The locality's saved proposals, each person named an audited read; a team lead
    approves or undoes them here (CM-2)."""
    return _proposals_page(request, db, me, note=note)


@router.post("/caseloads/proposals")
@policy("signed_in", roles=(Role.CASE_MANAGER,))
def save_proposal(request: Request, db: Db, me: Me) -> Response:
    try:
        saved = proposals.save(db, me)
    except proposals.ProposalError as e:
        return _proposals_page(request, db, me, status=422, error=str(e))
    for m in saved.moves:
        request.state.audit.add(m.nhs_number, "write", "POST /caseloads/proposals")
    return RedirectResponse("/caseloads/proposals?note=saved", status_code=303)


def _decide(request: Request, db: Db, me: Me, proposal_id: int, step: str) -> Response:
    what = f"POST /caseloads/proposals/{proposal_id}/{step}"
    act = proposals.approve if step == "approve" else proposals.undo
    try:
        act(db, proposal_id, me,
            on_person=lambda nhs: request.state.audit.add(nhs, "write", what))
    except proposals.NotLeadError as e:
        raise HTTPException(403, str(e)) from e
    except proposals.ProposalError as e:
        return _proposals_page(request, db, me, status=409, error=str(e))
    note = "approved" if step == "approve" else "undone"
    return RedirectResponse(f"/caseloads/proposals?note={note}", status_code=303)


@router.post("/caseloads/proposals/{proposal_id}/approve")
@policy("signed_in", roles=(Role.CASE_MANAGER,))
def approve_proposal(request: Request, proposal_id: int, db: Db, me: Me) -> Response:
    """A team lead of the locality applies every move at once (CM-2)."""
    return _decide(request, db, me, proposal_id, "approve")


@router.post("/caseloads/proposals/{proposal_id}/undo")
@policy("signed_in", roles=(Role.CASE_MANAGER,))
def undo_proposal(request: Request, proposal_id: int, db: Db, me: Me) -> Response:
    """A team lead puts everyone an approved proposal moved back (CM-2)."""
    return _decide(request, db, me, proposal_id, "undo")
