"""Pages: telephone care management (DM-7). ``/phone`` lists the signed-in clinician's
calls due today (and any left from earlier days), and, for a practice's clinicians, the
practice's level-2 people with no call scheduled; each person listed is audited as a
``list`` row. A person's calls, scheduling one, and making one with the scripted check
are :mod:`ltc.web.phone.person`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from ltc.care.auth.models import PRACTICE_ROLES
from ltc.care.phone import services
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()


@router.get("/phone")
@policy("signed_in", roles=CLINICIANS)
def calls_due(request: Request, db: Db, me: Me,
              on: Annotated[date | None, Query()] = None) -> Response:
    day = on or date.today()
    due = services.due(db, me, day)
    waiting = services.unscheduled(db, me.practice_code) \
        if me.role in {r.value for r in PRACTICE_ROLES} and me.practice_code else []
    for nhs_number in dict.fromkeys([*(d.person.nhs_number for d in due),
                                     *(r.nhs_number for r in waiting)]):
        request.state.audit.add(nhs_number, "list", "GET /phone")
    return page(request, "phone/due.html.j2", title="Telephone calls", due=due, day=day,
                today=date.today(), waiting=waiting, level=services.LEVEL)
