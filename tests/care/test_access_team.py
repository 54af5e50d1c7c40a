"""The wider team's access (CM-5), role by role: for each wider-team role, a user
allocated to a person, one named in an action of the person's newest care plan and one
with neither. The table below is what each sees: the allocated and the named user see
that person's page and nobody else's; the unrelated one gets, on every person route, the
same 404 as for a person who does not exist. None of them may write the plan or
allocate; the named user finds the action on "My actions" and updates it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from ltc.care.audit.models import AuditEvent
from ltc.care.auth import services as auth
from ltc.care.auth.models import WIDER_TEAM, Role, User
from ltc.care.careplans import services as plans
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.team import services as team

from .care import (
    IN_AREA,
    IN_AREA_2,
    LOW,
    MISSING,
    OTHER_AREA,
    PASSWORD,
    Community,
    api_client,
    db,
    signed_in,
)
from .samples import samples
from .test_access import _call, _core

#: (link to IN_AREA, person) -> the status of the person page; the same for every role
TABLE = {
    ("allocated", IN_AREA): 200, ("allocated", IN_AREA_2): 404,
    ("allocated", OTHER_AREA): 404, ("allocated", LOW): 404,
    ("named", IN_AREA): 200, ("named", IN_AREA_2): 404,
    ("named", OTHER_AREA): 404, ("named", LOW): 404,
    ("neither", IN_AREA): 404, ("neither", IN_AREA_2): 404,
    ("neither", OTHER_AREA): 404, ("neither", LOW): 404,
}
LINKS = ("allocated", "named", "neither")


def _team(community: Community) -> dict[tuple[Role, str], str]:
    """For each wider-team role, a user of each link to IN_AREA; their usernames."""
    names = {(role, link): f"{role.value[:12]}_{link}" for role in WIDER_TEAM
             for link in LINKS}
    with unit_of_work(sessions(make_engine(community.url))) as s:
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        ids = {key: auth.create_user(s, name, name.title(), role=key[0],
                                     password=PASSWORD).id for key, name in names.items()}
        for role in WIDER_TEAM:
            team.allocate(s, IN_AREA, ids[role, "allocated"], "Visits", matron)
        plans.save(s, IN_AREA, {"status": "draft", "goals": ["Stay at home"], "actions": [
            {"who": f"Named {role.value}", "what": f"Support ({role.value})",
             "assignee": ids[role, "named"]} for role in WIDER_TEAM]}, 0, matron)
    return names


@pytest.mark.parametrize("role", WIDER_TEAM, ids=lambda r: r.value)
def test_each_wider_team_role_sees_exactly_whom_it_should(app: Any, community: Community,
                                                          role: Role) -> None:
    names = _team(community)
    for link in LINKS:
        client = signed_in(app, names[role, link])
        for nhs in (IN_AREA, IN_AREA_2, OTHER_AREA, LOW):
            r = client.get(f"/people/{nhs}")
            assert r.status_code == TABLE[link, nhs], (role, link, nhs, r.status_code)
        mine = client.get("/team/actions")
        assert mine.status_code == 200
        assert (IN_AREA in mine.text.replace(" ", "")) == (link == "named"), (role, link)
        if link == "named":  # the named user updates their own action
            key = f"a{WIDER_TEAM.index(role) + 1}"
            done = client.post(f"/people/{IN_AREA}/careplan/actions/{key}",
                               data={"status": "done", "note": "Seen"},
                               follow_redirects=False)
            assert done.status_code == 303, done.text
            others = f"a{(WIDER_TEAM.index(role) + 1) % len(WIDER_TEAM) + 1}"
            refused = client.post(f"/people/{IN_AREA}/careplan/actions/{others}",
                                  data={"status": "done"}, follow_redirects=False)
            assert refused.status_code == 422, refused.text
        if link == "neither":
            continue
        # they read the plan and its actions, but write no plan and allocate nobody
        assert client.get(f"/people/{IN_AREA}/careplan/actions").status_code == 200
        assert client.get(f"/people/{IN_AREA}/careplan/copy").status_code == 200
        for method, path, data in (
                ("GET", "/careplan", None), ("POST", "/careplan", {"based_on": "1"}),
                ("GET", "/team", None),
                ("POST", "/team/allocations", {"user_id": str(community.users["social"])}),
                ("POST", "/allocate", {"case_manager": str(community.users["matron"])})):
            r = client.request(method, f"/people/{IN_AREA}{path}", data=data,
                               follow_redirects=False)
            assert r.status_code in (403, 404), (role, link, method, path, r.status_code)
    with db(community.url) as s:
        assert plans.PLANS.latest(s, IN_AREA).version == 1  # type: ignore[union-attr]
        assert len(team.open_allocations(s, IN_AREA)) == len(WIDER_TEAM)


@pytest.mark.parametrize("role", WIDER_TEAM, ids=lambda r: r.value)
def test_the_unrelated_user_gets_the_same_404_on_every_person_route(
        app: Any, community: Community, role: Role) -> None:
    names = _team(community)
    with db(community.url) as s:
        before = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action != "list"))
    page, api = signed_in(app, names[role, "neither"]), api_client(app, names[role, "neither"])
    legit_page, legit_api = signed_in(app, "matron"), api_client(app, "matron")
    for method, route, kind, args in samples(community.users):
        missing = _call(legit_page if kind == "page" else legit_api, method,
                        route.format(nhs_number=MISSING), args)
        r = _call(page if kind == "page" else api, method, route.format(nhs_number=IN_AREA),
                  args)
        assert r.status_code == 404, (role, method, route, r.status_code)
        assert _core(r.text) == _core(missing.text), (role, method, route)
    with db(community.url) as s:  # nothing read or changed
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action != "list")) == before
