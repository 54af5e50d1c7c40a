"""Pages: the practice's recall list (DM-2), filtered by condition, item and status, a
page at a time, with the people to invite selected on it; inviting them; and sending the
letters and texts waiting in the outbox. The list is the signed-in user's practice's
(practice team only); each person it shows is audited as a ``list`` row, each person
invited as a ``write`` row."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from ltc.care.access import access
from ltc.care.casemgmt import changes
from ltc.care.events.notify import outbox_folder
from ltc.care.recall import invitations, outbox
from ltc.care.recall.lists import NO_RESPONSE_AFTER, Filters, Page, kept_list
from ltc.care.recall.models import DUE, STATUSES
from ltc.protocols import Protocol
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import TEMPLATES, page
from ltc.web.policy import PRACTICE_TEAM, policy
from ltc.web.recall.config import protocols
from ltc.web.recall.letters import letter_pdf
from ltc.web.recall.views import Labels, status_words, tag

router = guarded_router()
Protocols = Annotated[dict[str, Protocol], Depends(protocols)]
Choice = Annotated[str, Query(max_length=64)]
#: the most people one request may invite (a page of the list)
MAX_INVITED = 200


def _practice(me: Me) -> str:
    if not me.practice_code:
        raise HTTPException(403, "Your account belongs to no practice: ask an administrator "
                                 "to set it.")
    return me.practice_code


def _filters(labels: Labels, condition: str, item: str, status: str) -> Filters:
    condition = condition if condition in labels.protocols else ""
    item = item if item in labels.items(condition) else ""
    statuses = (status,) if status in STATUSES else DUE
    return Filters(condition, item, statuses)


@router.get("/recall")
@policy("signed_in", roles=PRACTICE_TEAM)
def recall_page(request: Request, db: Db, me: Me, config: Protocols, condition: Choice = "",
                item: Choice = "", status: Choice = "",
                page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
                sent: Annotated[int | None, Query(ge=0)] = None) -> Response:
    practice = _practice(me)
    labels = Labels(config)
    chosen = _filters(labels, condition, item, status)
    found, key = kept_list(db, practice, chosen, page_number)
    for row in found.rows:
        request.state.audit.add(row.person.nhs_number, "list", "GET /recall")
    query = {k: v for k, v in (("condition", chosen.condition), ("item", chosen.item),
                               ("status", status if status in STATUSES else "")) if v}
    return page(request, "recall/list.html.j2", title="Recall", listed=found, labels=labels,
                rows=rows(found, key, labels), statuses=STATUSES,
                chosen_status=query.get("status", ""), query=query, urlencode=urlencode,
                practice=practice, no_response_after=NO_RESPONSE_AFTER, sent=sent)


#: the rows of the recall list pages kept (ltc.care.recall.lists.PAGES), rendered
ROWS = changes.Pages()


def rows(found: Page, key: tuple[Any, ...], labels: Labels) -> Markup:
    """The table rows of a page of the recall list, rendered once for each page kept and
    set of protocols (the same whoever of the practice looks)."""
    kept_key = (*key, id(labels.protocols))
    html: Markup | None = ROWS.get(kept_key)
    if html is None:
        html = Markup(TEMPLATES.get_template("recall/_rows.html.j2").render(
            listed=found, labels=labels, status_words=status_words, tag=tag))
        ROWS.put(kept_key, html)
    return html


@router.post("/recall/invitations")
@policy("signed_in", roles=PRACTICE_TEAM)
def invite_selected(request: Request, db: Db, me: Me, config: Protocols,
                    nhs_number: Annotated[list[str] | None, Form(max_length=10)] = None,
                    only: Annotated[str, Form(max_length=10)] = "",
                    back: Annotated[str, Form(max_length=500)] = "") -> Response:
    _practice(me)
    chosen = [only] if only else list(dict.fromkeys(nhs_number or []))
    if not chosen:
        return page(request, "recall/invited.html.j2", status=422, title="Nobody invited",
                    done=None, error="Select the people to invite (tick each one), then "
                                     "choose Invite.", back=_back(back))
    if len(chosen) > MAX_INVITED:
        return page(request, "recall/invited.html.j2", status=422, title="Nobody invited",
                    done=None, error=f"{len(chosen)} people were selected: invite "
                                     f"{MAX_INVITED} or fewer at a time.", back=_back(back))
    allowed = [n for n in chosen if access(db, me, n, emergency=False).allowed]
    done = invitations.invite(db, me, allowed, config)
    for n in chosen:
        if n not in allowed:  # the same words as for someone who does not exist
            done.skipped[n] = "no such person"
    for invitation in done.invitations:
        request.state.audit.add(invitation.nhs_number, "write", "POST /recall/invitations")
    return page(request, "recall/invited.html.j2", title="Invitations", done=done,
                error=None, back=_back(back))


def _back(back: str) -> str:
    """Where the result page links back to: the recall list with its filters."""
    return back if back.startswith("/recall") and "//" not in back else "/recall"


@router.post("/recall/outbox")
@policy("signed_in", roles=PRACTICE_TEAM)
def send(request: Request, db: Db, me: Me) -> Response:
    practice = _practice(me)
    data_dir: Path | None = getattr(request.app.state, "data_dir", None)
    if data_dir is None:
        raise HTTPException(503, "This server has no data folder, so no outbox: start it "
                                 "with --data-dir (or LTC_DATA_DIR).")
    sender = outbox.OutboxFile(outbox_folder(Path(data_dir)), letter_pdf)
    sent = 0
    while True:  # every waiting message of the practice, a batch at a time
        batch = outbox.deliver(db, sender, practice)
        sent += batch
        if batch < 500 or not outbox.waiting(db, practice):
            break
    return RedirectResponse(f"/recall?sent={sent}", status_code=303)
