"""The wider team's pages (CM-5) on SQLite and PostgreSQL: My actions (each person shown
one ``list`` audit row, only the people the user looks after), a refused allocation and
status naming their field with nothing saved, an action assigned through the API and
from the actions page (a new plan version), and the person page's Wider team panel
showing what was typed as text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ltc.care.audit.models import AuditEvent
from ltc.care.careplans import services as plans
from ltc.care.team.models import PlanAction, TeamAllocation

from ..care import IN_AREA, IN_AREA_2, Community, api_client, db, signed_in


def _last(url: str) -> int:
    with db(url) as s:
        return s.scalar(select(func.max(AuditEvent.seq))) or 0


def _since(url: str, seq: int) -> list[tuple[str | None, str, str]]:
    with db(url) as s:
        return [(a.nhs_number, a.action, a.what) for a in s.scalars(
            select(AuditEvent).where(AuditEvent.seq > seq, AuditEvent.nhs_number.is_not(None))
            .order_by(AuditEvent.seq))]


def _plan(app: Any, community: Community, nhs: str, *assignees: str) -> None:
    api = api_client(app, "matron")
    r = api.put(f"/api/v1/people/{nhs}/careplan", headers={"If-Match": '"none-0"'}, json={
        "goals": ["Stay at home"], "actions": [
            {"who": name, "what": f"Visit by {name}", "assignee": community.users[name]}
            for name in assignees]})
    assert r.status_code == 200, r.text


def test_my_actions_lists_and_audits_each_person_once(app: Any, community: Community) -> None:
    _plan(app, community, IN_AREA, "social", "social")
    _plan(app, community, IN_AREA_2, "dnurse")
    social = signed_in(app, "social")
    last = _last(community.url)
    page = social.get("/team/actions")
    assert page.status_code == 200
    assert page.text.count("Visit by social") == 2
    assert "Visit by dnurse" not in page.text
    assert IN_AREA_2 not in page.text
    assert _since(community.url, last) == [(IN_AREA, "list", "GET /team/actions")]
    assert signed_in(app, "analyst").get("/team/actions").status_code == 403


def test_a_refused_allocation_or_status_names_the_field_and_saves_nothing(
        app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    r = matron.post(f"/people/{IN_AREA}/team/allocations",
                    data={"user_id": str(community.users["gp"]), "reason": "x"})
    assert r.status_code == 422
    assert "Allocate to: no active wider-team user" in r.text
    _plan(app, community, IN_AREA, "social")
    r = matron.post(f"/people/{IN_AREA}/careplan/actions/a1",
                    data={"status": "finished", "note": "x"})
    assert r.status_code == 422
    assert "Status must be one of open, in_progress, done, cannot_do" in r.text
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(TeamAllocation)) == 0
        assert s.scalar(select(PlanAction.status)) == "open"


def test_the_api_refuses_a_bad_assignee_and_the_actions_page_assigns(
        app: Any, community: Community) -> None:
    api = api_client(app, "matron")
    r = api.put(f"/api/v1/people/{IN_AREA}/careplan", headers={"If-Match": '"none-0"'},
                json={"actions": [{"who": "A", "what": "B",
                                   "assignee": community.users["analyst"]}]})
    assert r.status_code == 422
    assert "Action 1: assigned to: no active clinician or wider-team user" in r.text
    r = api.put(f"/api/v1/people/{IN_AREA}/careplan", headers={"If-Match": '"none-0"'},
                json={"actions": [{"who": "Sam", "what": "Assess <i>needs</i>"}]})
    assert r.status_code == 200, r.text
    matron = signed_in(app, "matron")
    matron.post(f"/people/{IN_AREA}/team/allocations",
                data={"user_id": str(community.users["social"]), "reason": "<b>Falls</b>"})
    actions_page = matron.get(f"/people/{IN_AREA}/careplan/actions")
    assert f'value="{community.users["social"]}"' in actions_page.text  # in the team now
    r = matron.post(f"/people/{IN_AREA}/careplan/actions/a1/assign",
                    data={"assignee": str(community.users["social"])}, follow_redirects=False)
    assert r.status_code == 303
    with db(community.url) as s:
        latest = plans.PLANS.latest(s, IN_AREA)
        assert latest is not None
        assert latest.version == 2
        assert latest.content["actions"][0]["assignee"] == community.users["social"]
        assert s.scalar(select(PlanAction.assignee_id)) == community.users["social"]
    person = signed_in(app, "social").get(f"/people/{IN_AREA}")
    assert person.status_code == 200
    assert "&lt;b&gt;Falls&lt;/b&gt;" in person.text
    assert "Assess &lt;i&gt;needs&lt;/i&gt;" in person.text
    assert "<b>Falls</b>" not in person.text
