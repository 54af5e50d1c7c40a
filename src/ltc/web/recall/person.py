"""Pages: one person's register, recall and review (DM-2): their items in the current run
with the status of each, the invitations sent (with the printed letter), the reviews
recorded; inviting them (the practice team) and recording a review item done or excepted
(clinicians), which shows at once on the page, the recall list and the person page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ltc.care.people.models import Person
from ltc.care.recall import history, invitations, reviews
from ltc.care.recall.invitations import CHANNELS
from ltc.care.recall.lists import NO_RESPONSE_AFTER
from ltc.care.recall.models import STATUSES
from ltc.care.recall.reviews import OUTCOMES, RecallError
from ltc.protocols import Protocol
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import CLINICIANS, PRACTICE_TEAM, READERS, policy
from ltc.web.recall.config import protocols
from ltc.web.recall.letters import pdf
from ltc.web.recall.views import Labels, status_words, tag

router = guarded_router()
Protocols = Annotated[dict[str, Protocol], Depends(protocols)]
Short = Annotated[str, Form(max_length=64)]
Text = Annotated[str, Form(max_length=reviews.MAX_TEXT)]
Number = Annotated[float | None, Form(ge=-1e6, le=1e6)]

#: what each saved form says on the page it returns to
NOTES = {"invited": "Invitation sent to the outbox: a letter, and a text message when a "
                    "mobile number is known.",
         "reviewed": "Review recorded: the item shows as recorded on the recall list and "
                     "the person page."}


def view(db: Session, config: dict[str, Protocol], nhs_number: str, me: Any
         ) -> dict[str, Any]:
    person = db.get(Person, nhs_number)
    assert person is not None  # the guard found them
    found = history.for_person(db, nhs_number)
    mine = reviews.protocols_of(db, nhs_number, config)
    return {"person": person, "recall": found, "labels": Labels(config), "mine": mine,
            "statuses": STATUSES, "outcomes": OUTCOMES, "channels": CHANNELS,
            "status_words": status_words, "tag": tag, "no_response_after": NO_RESPONSE_AFTER,
            "today": date.today(), "banner_for": nhs_number,
            "may_invite": me.role in {r.value for r in PRACTICE_TEAM},
            "may_record": me.role in {r.value for r in CLINICIANS}}


@router.get("/people/{nhs_number}/recall")
@policy("person", roles=READERS)
def recall_person(request: Request, nhs_number: str, db: Db, me: Me, config: Protocols,
                  note: str = "") -> Response:
    return page(request, "recall/person.html.j2", title="Recall and review",
                note=NOTES.get(note), **view(db, config, nhs_number, me))


def _problem(request: Request, nhs_number: str, error: str) -> Response:
    return page(request, "recall/problem.html.j2", status=422, title="Not saved",
                error=error, nhs_number=nhs_number)


@router.post("/people/{nhs_number}/recall/invitations")
@policy("person", roles=PRACTICE_TEAM)
def invite(request: Request, nhs_number: str, db: Db, me: Me, config: Protocols
           ) -> Response:
    done = invitations.invite(db, me, [nhs_number], config)
    if not done.invitations:
        return _problem(request, nhs_number, f"Not invited: {done.skipped[nhs_number]}.")
    return RedirectResponse(f"/people/{nhs_number}/recall?note=invited#invitations",
                            status_code=303)


@router.post("/people/{nhs_number}/recall/reviews")
@policy("person", roles=CLINICIANS)
def record_review(request: Request, nhs_number: str, db: Db, me: Me, config: Protocols,
                  condition: Short = "", item: Short = "", outcome: Short = "done",
                  on: Annotated[date | None, Form()] = None, value: Number = None,
                  value_2: Number = None, reason: Text = "", note: Text = "") -> Response:
    if ":" in item and not condition:  # the form's one choice: condition:item
        condition, item = item.split(":", 1)
    try:
        reviews.record(db, nhs_number, me, config, condition=condition, item=item,
                       outcome=outcome, on=on, value=value, value_2=value_2, reason=reason,
                       note=note)
    except RecallError as e:
        return _problem(request, nhs_number, str(e))
    return RedirectResponse(f"/people/{nhs_number}/recall?note=reviewed#items",
                            status_code=303)


@router.get("/people/{nhs_number}/recall/invitations/{invitation_id}/letter.pdf")
@policy("person", roles=READERS)
def letter(nhs_number: str, invitation_id: int, db: Db) -> Response:
    found = history.letter_of(db, nhs_number, invitation_id)
    if found is None:
        raise HTTPException(404, "This invitation has no letter.")
    return Response(pdf(found.to, found.text), media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="invitation-{invitation_id}.pdf"'})
