"""Pages: the practice's medicines lists (SC-3): medication review due, low adherence and
polypharmacy, one tab each with how many people it holds, a page at a time, each person
linked to their page. The lists are the signed-in user's practice's (practice team only,
as the recall list is); each person shown is audited as a ``list`` row."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import HTTPException, Query, Request
from fastapi.responses import Response

from ltc.care.medicines.lists import kept_list
from ltc.care.medicines.models import LISTS
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import PRACTICE_TEAM, policy

router = guarded_router()


def practice_of(me: Me) -> str:
    """The signed-in user's practice (403 when their account has none)."""
    if not me.practice_code:
        raise HTTPException(403, "Your account belongs to no practice: ask an administrator "
                                 "to set it.")
    return me.practice_code


@router.get("/medicines")
@policy("signed_in", roles=PRACTICE_TEAM)
def medicines_page(request: Request, db: Db, me: Me,
                   chosen: Annotated[str, Query(alias="list", max_length=32)] = "review",
                   page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1
                   ) -> Response:
    practice = practice_of(me)
    chosen = chosen if chosen in LISTS else "review"
    found = kept_list(db, practice, chosen, page_number)
    for row in found.rows:
        request.state.audit.add(row.nhs_number, "list", "GET /medicines")
    return page(request, "medicines/list.html.j2", title="Medicines", listed=found,
                lists=LISTS, practice=practice, urlencode=urlencode)
