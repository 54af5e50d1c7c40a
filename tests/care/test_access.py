"""Every route has an access policy; nobody without a legitimate relationship sees a
person (the same 404 as for a person who does not exist); analysts get no identifiable
rows; every successful person-data request writes exactly one audit row (privacy)."""

from __future__ import annotations

import itertools
import re
from typing import Any

from sqlalchemy import func, select

from ltc.care.audit import services as audit
from ltc.care.audit.models import AuditEvent
from ltc.web.policy import policy_of, routes

from .care import (
    IN_AREA,
    IN_AREA_2,
    LOW,
    MISSING,
    OTHER_AREA,
    Community,
    api_client,
    db,
    signed_in,
)
from .samples import AS_GP, prepare, samples

#: routes whose path names a person but which show nothing of them
NOT_PERSON_DATA = {"/break-glass/{nhs_number}"}

#: routes FastAPI itself serves (no patient data) and mounted static files
FRAMEWORK = {"/api/v1/openapi.json", "/static", "/assets"}


def person_routes(app: Any) -> set[tuple[str, str]]:
    out = set()
    for route in routes(app):
        if "{nhs_number}" in route.path and route.path not in NOT_PERSON_DATA:
            out |= {(m, route.path) for m in route.methods}
    return out


def test_every_route_has_a_policy(app: Any) -> None:
    found = routes(app)
    assert len(found) > 20
    for route in found:
        if route.path in FRAMEWORK:
            continue
        assert route.endpoint is not None, route.path
        assert policy_of(route.endpoint) is not None, f"no policy: {route.path}"
    # every route naming a person is a person-data route, or known to show nothing of them
    for route in found:
        if "{nhs_number}" in route.path:
            assert route.endpoint is not None
            kind = policy_of(route.endpoint)
            assert kind is not None
            assert kind.kind == "person" or route.path in NOT_PERSON_DATA, route.path


def test_the_samples_cover_every_person_route(app: Any, community: Community) -> None:
    assert {(m, p) for m, p, _, _ in samples(community.users)} == person_routes(app)


def _core(text: str) -> str:
    """What a page says (its main part: the header names the user), or the JSON."""
    return text.split("<main", 1)[1].split("</main>")[0] if "<main" in text else text


def _call(client: Any, method: str, path: str, args: dict[str, Any]) -> Any:
    return client.request(method, path, follow_redirects=False, **args)


def test_no_relationship_means_404_on_every_person_route(app: Any,
                                                         community: Community) -> None:
    clients = {"gp2": (signed_in(app, "gp2"), api_client(app, "gp2")),
               "matron2": (signed_in(app, "matron2"), api_client(app, "matron2")),
               "analyst": (signed_in(app, "analyst"), api_client(app, "analyst")),
               "admin": (signed_in(app, "admin"), api_client(app, "admin"))}
    legit_page, legit_api = signed_in(app, "matron"), api_client(app, "matron")
    for method, route, kind, args in samples(community.users):
        missing = _call(legit_page if kind == "page" else legit_api, method,
                        route.format(nhs_number=MISSING), args)
        assert missing.status_code == 404, (method, route)
        for name, (page, api) in clients.items():
            client = page if kind == "page" else api
            for nhs in (IN_AREA, LOW):
                r = _call(client, method, route.format(nhs_number=nhs), args)
                assert r.status_code == 404, (name, method, route, r.status_code)
                assert _core(r.text) == _core(missing.text), (name, method, route)
                assert nhs not in r.text or "/login" in r.text
    with db(community.url) as s:
        # nothing read or changed (signing in opened worklists, which are audited as lists)
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action != "list")) == 0


def test_every_successful_person_request_writes_one_audit_row(app: Any,
                                                              community: Community) -> None:
    page, api = signed_in(app, "matron"), api_client(app, "matron")
    gp = signed_in(app, "gp")
    prepare(community.url, community.users)
    for method, route, kind, args in samples(community.users):
        client = gp if route in AS_GP else page if kind == "page" else api
        with db(community.url) as s:
            before = s.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.nhs_number == IN_AREA))
        r = _call(client, method, route.format(nhs_number=IN_AREA), args)
        assert r.status_code < 400, (method, route, r.status_code, r.text[:300])
        with db(community.url) as s:
            rows = s.scalars(select(AuditEvent).where(AuditEvent.nhs_number == IN_AREA)
                             .order_by(AuditEvent.seq)).all()
        assert len(rows) == before + 1, (method, route)
        assert rows[-1].what == f"{method} {route.format(nhs_number=IN_AREA)}"
        assert rows[-1].request_id == r.headers["X-Request-ID"]
    with db(community.url) as s:
        assert audit.verify(s).intact


def test_analysts_get_no_identifiable_rows(app: Any, community: Community) -> None:
    analyst_page, analyst_api = signed_in(app, "analyst"), api_client(app, "analyst")
    nhs_numbers = {IN_AREA, IN_AREA_2, OTHER_AREA, LOW}
    shown = 0
    for route in routes(app):
        if route.endpoint is None or "GET" not in route.methods or "{" in route.path \
                or route.path in FRAMEWORK:
            continue
        found = policy_of(route.endpoint)
        assert found is not None
        if found.kind == "public" or (found.roles and "analyst" not in found.roles):
            continue
        client = analyst_api if route.path.startswith("/api/") else analyst_page
        r = client.get(route.path, follow_redirects=True)
        assert r.status_code == 200, route.path
        shown += 1
        text = re.sub(r"\s", "", r.text)
        assert not any(n in text for n in nhs_numbers), route.path
    assert shown >= 2  # the workforce page and its API at least
    assert analyst_page.get("/worklist").status_code == 403


def test_a_tampered_audit_row_is_detected(app: Any, community: Community) -> None:
    page = signed_in(app, "matron")
    for _ in range(3 * audit.CHAINS):  # so that some chain holds several rows
        assert page.get(f"/people/{IN_AREA}").status_code == 200
    with db(community.url) as s:
        assert audit.verify(s).intact
        rows = s.scalars(select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.link)).all()
        for chain in {r.chain for r in rows}:  # each chain numbers its rows 1, 2, 3...
            links = [r.link for r in rows if r.chain == chain]
            assert links == list(range(1, len(links) + 1))
        victim, following = next((a, b) for a, b in itertools.pairwise(rows)
                                 if a.chain == b.chain)
        victim.what = "GET /somewhere/else"
        s.commit()
        assert audit.verify(s).first_broken == victim.seq
        s.delete(victim)  # deleting a row breaks its chain at the next row
        s.commit()
        assert audit.verify(s).first_broken == following.seq
