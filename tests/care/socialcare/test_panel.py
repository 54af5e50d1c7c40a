"""The person page's social care panel and the API's person summary (POP-2, CM-5), on
SQLite and PostgreSQL: a GP sees the person's current package, earlier packages, latest
assessment and review, and their timeline lines; a practice manager sees none of it; a
person without social care reads "No social care recorded"; what a package holds is shown
as text, never as markup."""

from __future__ import annotations

import json
from typing import Any

from ltc.care.auth.models import Role
from ltc.care.db import unit_of_work
from ltc.care.people.models import PersonActivity
from ltc.care.socialcare.readers import SOCIAL_CARE_READERS, may_see
from ltc.web.people.api import person_out
from ltc.web.people.pages import summary

from ..care import IN_AREA, IN_AREA_2, LOW, Community, api_client, db, signed_in
from ..contacts.team import add_team, signed_in_as

KEPT = {"packages": [["2024-02-02", None, "21.0", "high"],
                     ["2023-01-05", "2024-02-01", "4.5", "low"]],
        "assessment": "2024-01-10", "review": "2024-06-01", "contact": None}


def _keep(app: object, nhs: str, social_care: dict[str, Any] | None) -> None:
    with unit_of_work(app.state.sessions) as s:  # type: ignore[attr-defined]
        s.add(PersonActivity(run_id="run-0001", nhs_number=nhs,
                             social_care=json.dumps(social_care) if social_care else None))


def test_the_readers_are_the_clinicians_and_the_wider_team_not_the_practice_manager() -> None:
    assert may_see(Role.PRACTICE_CLINICIAN)
    assert may_see(Role.CASE_MANAGER)
    assert may_see(Role.SOCIAL_WORKER)
    assert may_see(Role.COMMUNITY_NURSE)
    for role in (Role.PRACTICE_MANAGER, Role.ANALYST, Role.ADMIN, Role.INTERFACE,
                 Role.OUT_OF_HOURS, None):
        assert not may_see(role)
    assert len(set(SOCIAL_CARE_READERS)) == len(SOCIAL_CARE_READERS) == 8


def test_a_gp_sees_the_panel_and_a_practice_manager_does_not(app: object,
                                                             community: Community) -> None:
    _keep(app, IN_AREA, KEPT)
    page = signed_in(app, "gp").get(f"/people/{IN_AREA}")
    assert page.status_code == 200
    text = page.text
    assert '<h2 id="social-care">Social care</h2>' in text
    current = text.split('id="social-care-current">')[1].split("</dd>")[0]
    assert current == "High intensity, 21 hours a week, since 2 February 2024"
    earlier = text.split('id="social-care-earlier">')[1].split("</dd>")[0]
    assert "5 January 2023 to 1 February 2024: low intensity, 4.5 hours a week" in earlier
    assert "2 February 2024" not in earlier
    assert 'id="social-care-assessment">10 January 2024<' in text
    assert 'id="social-care-review">1 June 2024<' in text
    timeline = text.split('id="timeline">')[1]
    assert ("2 February 2024: Social care package started – high intensity, 21 hours a week"
            in timeline)
    assert "1 February 2024: Social care package ended" in timeline
    assert "1 June 2024: Social care review – latest recorded" in timeline

    add_team(community.url, community.users)
    manager = signed_in_as(app, "pm", "/mdt").get(f"/people/{IN_AREA}")
    assert manager.status_code == 200
    assert "NHS number" in manager.text  # the page itself is shown
    for hidden in ('id="social-care', "Social care package", "Social care review",
                   "Social care assessment", "21 hours a week"):
        assert hidden not in manager.text


def test_no_social_care_recorded(app: object, community: Community) -> None:
    _keep(app, IN_AREA_2, None)  # activity kept, but no social care
    gp = signed_in(app, "gp")
    for nhs in (IN_AREA_2, LOW):  # LOW has no activity row at all
        text = gp.get(f"/people/{nhs}").text
        assert '<p id="social-care-summary">No social care recorded.</p>' in text
        assert "Social care package" not in text


def test_what_a_package_holds_is_shown_as_text(app: object, community: Community) -> None:
    _keep(app, IN_AREA, {"packages": [["2024-02-02", None, "3.0", "<b>x</b><script>y</script>"]],
                         "assessment": None, "review": None, "contact": None})
    text = signed_in(app, "gp").get(f"/people/{IN_AREA}").text
    assert "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;y&lt;/script&gt; intensity" in text
    assert "<b>x</b>" not in text
    assert "<script>y" not in text


def test_the_api_summary_holds_social_care_for_its_readers_only(app: object,
                                                                community: Community) -> None:
    _keep(app, IN_AREA, KEPT)
    got = api_client(app, "matron").get(f"/api/v1/people/{IN_AREA}")
    assert got.status_code == 200, got.text
    assert got.json()["social_care"] == {
        "packages": [{"start": "2024-02-02", "end": None, "hours_per_week": 21.0,
                      "intensity": "high"},
                     {"start": "2023-01-05", "end": "2024-02-01", "hours_per_week": 4.5,
                      "intensity": "low"}],
        "latest_assessment": "2024-01-10", "latest_review": "2024-06-01",
        "latest_contact": None}
    with db(community.url) as s:
        assert person_out(summary(s, IN_AREA, Role.CASE_MANAGER)).social_care is not None
        for role in (Role.PRACTICE_MANAGER, None):
            assert person_out(summary(s, IN_AREA, role)).social_care is None
