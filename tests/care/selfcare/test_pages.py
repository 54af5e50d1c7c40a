"""Self-care programmes, goals and signposting over HTTP (SC-1, SC-4, SC-5): a referral is
followed session by session to completion or drop-out and listed by practice for the
clinicians who look after the person (one audit row per person listed); a goal with its
action plan is reviewed and listed when due; the directory is searched by need and place
and a resource suggested to a person shows on their page and their copy of the plan; a
data folder's broken file answers 503 naming it; markup typed into every free-text field
shows as text on every page."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ltc.care.audit.models import AuditEvent
from ltc.care.selfcare.models import Goal, GoalReview, ProgrammeReferral, Suggestion

from ..care import IN_AREA, IN_AREA_2, OTHER_AREA, Community, db, signed_in
from ..contacts.team import add_team, signed_in_as

TODAY = date.today()
XSS = "<script>alert(1)</script><iframe src=x></iframe>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;iframe src=x&gt;&lt;/iframe&gt;"


def _post(client: Any, path: str, data: dict[str, str]) -> Any:
    return client.post(path, data=data, follow_redirects=False)


def test_a_referral_from_referral_to_completion_and_the_practice_list(
        app: Any, community: Community) -> None:
    gp = signed_in(app, "gp")
    base = f"/people/{IN_AREA}/selfcare"
    r = _post(gp, f"{base}/programmes", {"programme": "pulmonary_rehab",
                                         "on": (TODAY - timedelta(days=20)).isoformat()})
    assert r.status_code == 303
    assert r.headers["location"] == f"{base}?note=referred#programmes"
    again = _post(gp, f"{base}/programmes", {"programme": "pulmonary_rehab"})
    assert again.status_code == 422
    assert "already referred to Pulmonary rehabilitation" in \
        again.text
    with db(community.url) as s:
        referral = s.scalars(select(ProgrammeReferral)).one()
    for days in (13, 6):
        r = _post(gp, f"{base}/programmes/{referral.id}",
                  {"action": "attended", "on": (TODAY - timedelta(days=days)).isoformat()})
        assert r.status_code == 303
    assert _post(gp, f"{base}/programmes/{referral.id}",
                 {"action": "completed"}).status_code == 303
    with db(community.url) as s:
        done = s.get(ProgrammeReferral, referral.id)
        assert done is not None
        assert (done.status, done.attended, done.sessions, done.ended_on,
                done.last_attended_on) == ("completed", 2, 12, TODAY,
                                           TODAY - timedelta(days=6))
    late = _post(gp, f"{base}/programmes/{referral.id}", {"action": "attended"})
    assert late.status_code == 422
    assert "ended on" in late.text
    assert _post(gp, f"{base}/programmes/999", {"action": "attended"}).status_code == 404
    # a second person drops out, with the reason
    _post(gp, f"/people/{IN_AREA_2}/selfcare/programmes", {"programme": "expert_patients"})
    with db(community.url) as s:
        second = s.scalars(select(ProgrammeReferral).where(
            ProgrammeReferral.nhs_number == IN_AREA_2)).one()
    no_reason = _post(gp, f"/people/{IN_AREA_2}/selfcare/programmes/{second.id}",
                      {"action": "dropped_out"})
    assert no_reason.status_code == 422
    assert "Reason (reason): this is empty" in no_reason.text
    assert _post(gp, f"/people/{IN_AREA_2}/selfcare/programmes/{second.id}",
                 {"action": "dropped_out", "reason": "Caring for her husband"}
                 ).status_code == 303
    # someone else's referral is not found through this person
    assert _post(gp, f"{base}/programmes/{second.id}",
                 {"action": "attended"}).status_code == 404

    listed = gp.get("/selfcare/programmes")
    table = listed.text.split('id="programme-list"')[1].split("</table>")[0]
    assert "Completed: 2 of 12 sessions" in table
    assert "Dropped out: 0 of 6 sessions (Caring for her husband)" in table
    only = gp.get("/selfcare/programmes", params={"status": "dropped_out"}).text
    assert "Pulmonary rehabilitation" not in only.split('id="programme-list"')[1]
    with db(community.url) as s:
        rows = s.scalars(select(AuditEvent).where(
            AuditEvent.what == "GET /selfcare/programmes")).all()
    assert sorted(e.nhs_number for e in rows) == sorted([IN_AREA, IN_AREA_2, IN_AREA_2])
    # another practice's clinician sees none of them
    assert "Nobody you look after" in signed_in(app, "gp2").get("/selfcare/programmes").text
    summary = gp.get(f"/people/{IN_AREA}").text
    assert "Pulmonary rehabilitation: completed" in summary
    assert "Self-care programme – completed: Pulmonary rehabilitation" in summary


def test_a_goal_with_its_action_plan_is_reviewed_and_listed_when_due(
        app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    base = f"/people/{IN_AREA}/selfcare"
    soon = (TODAY + timedelta(days=7)).isoformat()
    r = _post(matron, f"{base}/goals", {
        "goal": "I want to walk to my daughter's house",
        "steps": "Walk to the end of the road every day\n\nUse my inhaler before I go",
        "when_to_act": "If my peak flow falls below 250, take my rescue pack and call the "
                       "practice", "review_on": soon})
    assert r.status_code == 303
    past = _post(matron, f"{base}/goals", {"goal": "x", "steps": "y",
                                            "review_on": TODAY.isoformat()})
    assert past.status_code == 422
    assert "is not after today" in past.text
    with db(community.url) as s:
        goal = s.scalars(select(Goal)).one()
    assert goal.steps == ["Walk to the end of the road every day", "Use my inhaler before I go"]
    page = matron.get(base).text
    assert "I want to walk to my daughter&#39;s house" in page
    assert "If my peak flow falls below 250, take my rescue pack" in page
    assert "Review due" in page
    due = matron.get("/selfcare/goals").text
    assert "I want to walk to my daughter&#39;s house" in due
    assert "I want to walk" not in signed_in(app, "matron2").get("/selfcare/goals").text
    copy = matron.get(f"{base}/plan").text
    assert "My self-care plan" in copy
    assert "What I will do when:" in copy
    assert "We will look at this goal again by" in copy

    later = (TODAY + timedelta(days=90)).isoformat()
    assert _post(matron, f"{base}/goals/{goal.id}/review",
                 {"outcome": "continue", "next_review_on": later,
                  "note": "Walking most days"}).status_code == 303
    assert "I want to walk" not in matron.get("/selfcare/goals").text  # not due now
    assert _post(matron, f"{base}/goals/{goal.id}/review",
                 {"outcome": "achieved", "note": "Walked there on Sunday"}).status_code == 303
    with db(community.url) as s:
        done = s.get(Goal, goal.id)
        assert done is not None
        assert (done.status, done.reviewed_on) == ("achieved", TODAY)
        assert [(r.outcome, r.next_review_on) for r in s.scalars(
            select(GoalReview).order_by(GoalReview.id))] == [
            ("continue", date.fromisoformat(later)), ("achieved", None)]
    again = _post(matron, f"{base}/goals/{goal.id}/review", {"outcome": "stopped"})
    assert again.status_code == 422
    assert "already achieved" in again.text


def test_a_resource_found_by_need_and_place_is_suggested(app: Any,
                                                         community: Community) -> None:
    matron = signed_in(app, "matron")
    everywhere = matron.get("/selfcare/directory", params={"need": "carers"}).text
    assert "Carers UK Helpline" in everywhere
    assert "Carers&#39; Cafe" in everywhere
    in_l1 = matron.get("/selfcare/directory", params={"need": "carers", "place": "LOC01"})
    assert "Carers UK Helpline" in in_l1.text
    assert "Carers&#39; Cafe" not in in_l1.text
    # for a person: their locality is the place unless another is chosen; a button each
    person = matron.get(f"/people/{IN_AREA}/selfcare/directory",
                        params={"need": "breathing", "place": "LOC02"}).text
    assert "Breathe Easy Group" in person
    assert f'action="/people/{IN_AREA}/selfcare/suggestions"' in person
    r = _post(matron, f"/people/{IN_AREA}/selfcare/suggestions",
              {"resource": "demo_breathe_club", "need": "breathing",
               "note": "Meets on the first Monday"})
    assert r.headers["location"] == f"/people/{IN_AREA}/selfcare?note=suggested#suggestions"
    bad = _post(matron, f"/people/{IN_AREA}/selfcare/suggestions", {"resource": "nowhere"})
    assert bad.status_code == 422
    assert "is not in the directory" in bad.text
    with db(community.url) as s:
        found = s.scalars(select(Suggestion)).one()
    assert (found.resource_name, found.need, found.by) == (
        "Breathe Easy Group (demonstration)", "breathing", community.users["matron"])
    assert "Breathe Easy Group (demonstration)" in matron.get(f"/people/{IN_AREA}").text
    assert "Call 01632 960102" in matron.get(f"/people/{IN_AREA}/selfcare/plan").text


def test_a_broken_file_in_the_data_folder_answers_503_naming_it(
        community: Community, tmp_path: Path) -> None:
    from ltc.web.app import create_app

    (tmp_path / "directory").mkdir()
    (tmp_path / "directory" / "directory.csv").write_text(
        "id,name,needs,localities,contact,opening,description\nx,X,Carers!,LOC01,Call,,d\n")
    app = create_app(community.url, data_dir=tmp_path)
    try:
        r = signed_in(app, "matron").get("/selfcare/directory")
        assert r.status_code == 503
        assert "directory.csv, line 2, column needs: &#39;Carers!&#39; is not a need" in r.text
        (tmp_path / "directory" / "directory.csv").write_text(
            "id,name,needs,localities,contact,opening,description\n"
            "x,Local Walks,walking,LOC01,Call,,d\n")
        fixed = signed_in(app, "matron").get("/selfcare/directory")
        assert fixed.status_code == 200
        assert "Local Walks" in fixed.text
    finally:
        app.state.engine.dispose()


def test_markup_in_free_text_shows_as_text(app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    base = f"/people/{IN_AREA}/selfcare"
    when = (TODAY - timedelta(days=1)).isoformat() + "T09:00"
    for path, data in (
            ("programmes", {"programme": "expert_patients", "note": XSS}),
            ("readings", {"measure": "weight", "value": "70", "taken_at": when,
                          "place": "home", "reported_by": "person", "note": XSS}),
            ("targets", {"measure": "weight", "at_most": "90", "reason": XSS}),
            ("goals", {"goal": XSS, "steps": XSS, "when_to_act": XSS,
                       "review_on": (TODAY + timedelta(days=3)).isoformat()}),
            ("suggestions", {"resource": "nhs_111", "note": XSS})):
        assert _post(matron, f"{base}/{path}", data).status_code == 303, path
    with db(community.url) as s:
        referral = s.scalars(select(ProgrammeReferral)).one()
        goal = s.scalars(select(Goal)).one()
        assert goal.goal == XSS  # stored as typed
    assert _post(matron, f"{base}/programmes/{referral.id}",
                 {"action": "dropped_out", "reason": XSS}).status_code == 303
    assert _post(matron, f"{base}/goals/{goal.id}/review",
                 {"outcome": "continue", "note": XSS,
                  "next_review_on": (TODAY + timedelta(days=5)).isoformat()}
                 ).status_code == 303
    pages = {path: matron.get(path) for path in (
        f"/people/{IN_AREA}", base, f"{base}/plan", "/selfcare/goals",
        "/selfcare/programmes", f"{base}/directory")}
    for path, r in pages.items():
        assert r.status_code == 200, path
        assert "<script>alert" not in r.text, path
        assert "<iframe" not in r.text, path
    # the self-care page: the referral's note and reason, the reading's note, the own
    # target's reason, the goal, its step, what to do when and the review's note, and the
    # suggestion's note
    assert pages[base].text.count(ESCAPED) == 9
    # the person page: the reason (programmes list and timeline), the goal (due list and
    # timeline) and the suggestion's note
    assert pages[f"/people/{IN_AREA}"].text.count(ESCAPED) == 5
    assert pages[f"{base}/plan"].text.count(ESCAPED) == 4  # goal, step, when, note
    assert ESCAPED in pages["/selfcare/goals"].text
    assert ESCAPED in pages["/selfcare/programmes"].text


def test_another_areas_clinician_gets_no_list_rows(app: Any, community: Community) -> None:
    gp = signed_in(app, "gp")
    _post(gp, f"/people/{IN_AREA}/selfcare/goals",
          {"goal": "Sleep better", "steps": "No tea after six",
           "review_on": (TODAY + timedelta(days=1)).isoformat()})
    text = signed_in(app, "gp2").get("/selfcare/goals").text
    assert "Sleep better" not in text
    assert OTHER_AREA not in text


def test_a_practice_manager_reads_but_records_nothing_and_a_nurse_records(
        app: Any, community: Community) -> None:
    add_team(community.url, community.users)
    pm = signed_in_as(app, "pm", "/selfcare/directory")
    nurse = signed_in_as(app, "nurse", "/selfcare/directory")
    base = f"/people/{IN_AREA}/selfcare"
    goal = {"goal": "Cook more at home", "steps": "Plan meals on Sunday",
            "review_on": (TODAY + timedelta(days=30)).isoformat()}
    assert _post(nurse, f"{base}/goals", goal).status_code == 303
    page = pm.get(base)
    assert page.status_code == 200
    assert "Cook more at home" in page.text
    assert "<form" not in page.text.split("<main", 1)[1]  # nothing to record with
    assert pm.get(f"{base}/plan").status_code == 200
    person = pm.get(f"{base}/directory").text
    assert "suggestions" not in person.split("<main", 1)[1].split('id="directory-search"')[1]
    assert "Cook more at home" not in pm.get("/selfcare/goals").text  # due in 30 days
    for path, data in (("goals", goal), ("suggestions", {"resource": "nhs_111"}),
                       ("readings", {"measure": "weight", "value": "70"})):
        r = _post(pm, f"{base}/{path}", data)  # a route not for the role: as if no one
        assert r.status_code == 404, path
    with db(community.url) as s:
        assert [g.set_by for g in s.scalars(select(Goal))] == [community.users["nurse"]]
