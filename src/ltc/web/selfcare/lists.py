"""Pages: the self-care lists across the people a clinician looks after, and the directory
(SC-1, SC-4, SC-5): people referred to programmes and their progress, by practice; goals
due for review; the directory of community and voluntary resources searched by need and
place, on its own or for one person (with a button to suggest each resource to them).
Each person a list shows is audited as a ``list`` row."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from ltc.care.selfcare import goals, programmes
from ltc.care.selfcare.setup import Setup
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import CLINICIANS, READERS, policy
from ltc.web.selfcare.config import selfcare
from ltc.web.selfcare.pages import person_of

router = guarded_router()
Config = Annotated[Setup, Depends(selfcare)]
Choice = Annotated[str, Query(max_length=64)]
Words = Annotated[str, Query(max_length=200)]


@router.get("/selfcare/programmes")
@policy("signed_in", roles=READERS)
def programme_list(request: Request, db: Db, me: Me, config: Config,
                   programme: Choice = "", status: Choice = "") -> Response:
    found = programmes.referrals(db, me, programme if programme in config.programmes
                                 else "", status if status in programmes.STATUSES else "")
    for nhs_number in dict.fromkeys(r.person.nhs_number for r in found):
        request.state.audit.add(nhs_number, "list", "GET /selfcare/programmes")
    return page(request, "selfcare/programmes.html.j2", title="Self-care programmes",
                rows=found, programmes=config.programmes, statuses=programmes.STATUSES,
                chosen_programme=programme, chosen_status=status)


@router.get("/selfcare/goals")
@policy("signed_in", roles=READERS)
def goals_due(request: Request, db: Db, me: Me) -> Response:
    found = goals.due(db, me)
    for nhs_number in dict.fromkeys(d.person.nhs_number for d in found):
        request.state.audit.add(nhs_number, "list", "GET /selfcare/goals")
    return page(request, "selfcare/goals_due.html.j2", title="Goals due for review",
                rows=found, days=goals.DUE_SOON_DAYS)


def _search(config: Setup, need: str, place: str, q: str) -> dict[str, Any]:
    need = need if need in config.directory.needs else ""
    place = place if place in config.directory.places else ""
    return {"need": need, "place": place, "q": q.strip(),
            "results": config.directory.search(need, place, q),
            "needs": config.directory.needs, "places": config.directory.places}


@router.get("/selfcare/directory")
@policy("signed_in", roles=READERS)
def directory(request: Request, config: Config, need: Choice = "", place: Choice = "",
              q: Words = "") -> Response:
    return page(request, "selfcare/directory.html.j2", title="Community resources",
                person=None, records=False, **_search(config, need, place, q))


@router.get("/people/{nhs_number}/selfcare/directory")
@policy("person", roles=READERS)
def directory_for(request: Request, nhs_number: str, db: Db, me: Me, config: Config,
                  need: Choice = "", place: Choice | None = None, q: Words = "") -> Response:
    person = person_of(db, nhs_number)
    where = (person.locality_code or "") if place is None else place
    return page(request, "selfcare/directory.html.j2", title="Community resources",
                person=person, banner_for=nhs_number, records=me.role in CLINICIANS,
                **_search(config, need, where, q))
