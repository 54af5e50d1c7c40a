"""Self-monitoring readings over HTTP (SC-2): a reading out of range prompts the person's
named contact, else their case manager (a task and an alert, each with a notice in the
outbox), else their practice's clinicians (an alert); the page says whom; a reading in
range prompts nobody; a reading that cannot be right is refused saying why and saves
nothing; a failing request leaves no prompt behind; the chart shows each reading against
the target; the person's own target comes first; the API does the same."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.casemgmt import services as cases
from ltc.care.contacts import services as contacts
from ltc.care.events.models import Alert, Notification
from ltc.care.people.models import PersonResult
from ltc.care.selfcare import readings, targets
from ltc.care.selfcare.models import Reading
from ltc.care.work.models import Task

from ..care import IN_AREA, IN_AREA_2, Community, api_client, db, signed_in
from ..contacts.team import add_team, signed_in_as
from ..test_write_routes_atomic import left_behind

TODAY = date.today()
WHEN = (datetime.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
HIGH_BP = {"measure": "blood_pressure", "value": "168", "value2": "95", "taken_at": WHEN,
           "place": "home", "reported_by": "person"}


def _allocate(community: Community, nhs_number: str = IN_AREA) -> None:
    with db(community.url) as s:
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        cases.allocate(s, nhs_number, matron.id, matron)
        s.commit()


def _count(url: str, model: Any) -> int:
    with db(url) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _post(client: Any, nhs_number: str, data: dict[str, str]) -> Any:
    return client.post(f"/people/{nhs_number}/selfcare/readings", data=data,
                       follow_redirects=False)


def test_out_of_range_prompts_the_case_manager(app: Any, community: Community) -> None:
    _allocate(community)
    gp = signed_in(app, "gp")  # a practice clinician records it; the matron is prompted
    r = _post(gp, IN_AREA, HIGH_BP)
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"] == f"/people/{IN_AREA}/selfcare?note=reading-prompted#readings"
    with db(community.url) as s:
        reading = s.scalars(select(Reading)).one()
        assert (reading.value, reading.unit, reading.in_range, reading.target) == (
            [168.0, 95.0], "mmHg", False, "below 145/85 mmHg")  # aged 84, at home
        assert "NG136" in reading.target_source
        assert reading.prompted == "Task and alert for Matron (case manager)"
        task = s.get(Task, reading.task_id)
        alert = s.get(Alert, reading.alert_id)
        assert task is not None
        assert alert is not None
        assert (task.assigned_to, task.kind, task.due_on, task.created_by) == (
            community.users["matron"], "self_monitoring", TODAY, None)
        assert task.title.startswith("Self-monitoring: blood pressure 168/95 mmHg on ")
        assert "systolic 168 mmHg is not below 145 mmHg" in task.title
        assert (alert.user_id, alert.practice_code, alert.nhs_number) == (
            community.users["matron"], None, IN_AREA)
        assert [n.user_id for n in s.scalars(select(Notification))] == [
            community.users["matron"]]
    matron = signed_in(app, "matron")
    assert "Self-monitoring: blood pressure 168/95" in matron.get("/tasks").text
    inbox = matron.get("/inbox").text
    assert "Self-monitoring: blood pressure 168/95" in inbox
    assert "<strong>Self-monitoring reading out of range</strong>" in inbox
    page = gp.get(f"/people/{IN_AREA}/selfcare?note=reading-prompted").text
    assert "It is out of range: a prompt was sent" in page
    assert "Prompt: Task and alert for Matron (case manager)" in page
    summary = gp.get(f"/people/{IN_AREA}").text
    assert "Out of range" in summary
    assert "below 145/85 mmHg" in summary


def test_without_a_case_manager_the_practice_is_told(app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    assert _post(matron, IN_AREA_2, HIGH_BP).status_code == 303
    with db(community.url) as s:
        reading = s.scalars(select(Reading)).one()
        assert reading.task_id is None
        assert reading.prompted == ("Alert to the clinicians of practice P1 (no named "
                                    "contact or case manager)")
        alert = s.get(Alert, reading.alert_id)
        assert alert is not None
        assert (alert.user_id, alert.practice_code) == (None, "P1")
        assert [n.user_id for n in s.scalars(select(Notification))] == [
            community.users["gp"]]
    assert _count(community.url, Task) == 0
    assert "Self-monitoring: blood pressure" in signed_in(app, "gp").get("/inbox").text
    assert "Self-monitoring: blood pressure" not in signed_in(app, "gp2").get("/inbox").text


def test_the_named_contact_is_prompted_before_the_case_manager(
        app: Any, community: Community) -> None:
    _allocate(community)
    add_team(community.url, community.users)
    with db(community.url) as s:
        gp = s.get(User, community.users["gp"])
        assert gp is not None
        contacts.set_contact(s, IN_AREA, community.users["nurse"], gp)
        s.commit()
    r = _post(signed_in(app, "matron"), IN_AREA, HIGH_BP)
    assert r.status_code == 303
    with db(community.url) as s:
        reading = s.scalars(select(Reading)).one()
        task = s.get(Task, reading.task_id)
        alert = s.get(Alert, reading.alert_id)
        assert task is not None
        assert alert is not None
        assert reading.prompted == "Task and alert for Nia Nurse (named contact)"
        assert (task.assigned_to, alert.user_id) == (community.users["nurse"],) * 2
        assert [n.user_id for n in s.scalars(select(Notification))] == [
            community.users["nurse"]]
    nurse = signed_in_as(app, "nurse", "/tasks")
    assert "Self-monitoring: blood pressure 168/95" in nurse.get("/tasks").text


def test_the_named_contact_comes_first_while_they_look_after_the_person(
        app: Any, community: Community) -> None:
    _allocate(community)
    t = targets.load()
    with db(community.url) as s:
        gp, gp2, matron = (s.get(User, community.users[n]) for n in ("gp", "gp2", "matron"))
        assert gp is not None
        assert gp2 is not None
        assert matron is not None
        done = readings.record(s, IN_AREA, matron, t, measure="inr", values=[4.2],
                               taken_at=datetime.now() - timedelta(hours=1), place="practice",
                               reported_by="clinician", named_contact=lambda _s, _n: gp)
        assert done.prompt is not None
        assert (done.prompt.route, done.prompt.words) == (
            "named_contact", "Task and alert for Gp (named contact)")
        assert s.get(Task, done.prompt.task_id).assigned_to == gp.id  # type: ignore[union-attr]
        # a named contact who does not look after the person (another practice's GP):
        # the case manager instead
        again = readings.record(s, IN_AREA, matron, t, measure="inr", values=[1.5],
                                taken_at=datetime.now() - timedelta(minutes=30),
                                place="practice", reported_by="clinician",
                                named_contact=lambda _s, _n: gp2)
        assert again.prompt is not None
        assert again.prompt.route == "case_manager"
        s.commit()


def test_a_reading_in_range_prompts_nobody(app: Any, community: Community) -> None:
    _allocate(community)
    r = _post(signed_in(app, "matron"), IN_AREA, HIGH_BP | {"value": "130", "value2": "80"})
    assert r.headers["location"].endswith("?note=reading#readings")
    with db(community.url) as s:
        reading = s.scalars(select(Reading)).one()
        assert (reading.in_range, reading.verdict, reading.prompted) == (True, "In range", "")
    assert (_count(community.url, Task), _count(community.url, Alert)) == (0, 0)


REFUSED = [
    ({"value": "1680"}, "Systolic (value): 1680 mmHg is not a reading a meter gives"),
    ({"value": "80", "value2": "95"}, "Diastolic (value): 95 is not below the systolic 80"),
    ({"value2": ""}, "Diastolic (value): this is empty"),
    ({"measure": "cholesterol"}, "Measure (measure): &#39;cholesterol&#39; is not one of"),
    ({"place": "moon"}, "Where it was taken (place): &#39;moon&#39; is not one of"),
    ({"taken_at": (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
     "is in the future"),
    ({"measure": "glucose", "value": "6.2", "value2": ""},
     "When it was taken (timing): this is empty; a capillary blood glucose reading"),
    ({"measure": "inr", "value": "2.5"}, "Second value (value2): INR has one value"),
    ({"measure": "inr", "value": "2.5", "value2": "", "timing": "waking"},
     "INR readings have no timing"),
]


def test_a_reading_that_cannot_be_right_is_refused_and_saves_nothing(
        app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    for change, message in REFUSED:
        r = _post(matron, IN_AREA, HIGH_BP | change)
        assert r.status_code == 422, change
        assert message in r.text, (change, r.text.split("<main")[1][:600])
        assert f'href="/people/{IN_AREA}/selfcare"' in r.text
    assert (_count(community.url, Reading), _count(community.url, Alert)) == (0, 0)


def test_a_failing_request_leaves_no_prompt_behind(app: Any, community: Community) -> None:
    _allocate(community)
    matron = signed_in(app, "matron")
    call = (matron, "POST", f"/people/{IN_AREA}/selfcare/readings", {"data": HIGH_BP})
    assert left_behind(app, community.url, call) == []
    assert _post(matron, IN_AREA, HIGH_BP).status_code == 303
    assert [_count(community.url, m) for m in (Reading, Task, Alert, Notification)] == [
        1, 1, 1, 1]


def test_the_chart_shows_each_reading_against_the_target(app: Any,
                                                        community: Community) -> None:
    matron = signed_in(app, "matron")
    start = datetime.now() - timedelta(days=3)
    for i, (sys, dia) in enumerate(((130, 80), (150, 80), (138, 82))):
        when = (start + timedelta(days=i)).strftime("%Y-%m-%dT%H:%M")
        r = _post(matron, IN_AREA, HIGH_BP | {"value": str(sys), "value2": str(dia),
                                              "taken_at": when})
        assert r.status_code == 303
    page = matron.get(f"/people/{IN_AREA}/selfcare").text
    svg = page.split("<svg", 1)[1].split("</svg>")[0]
    assert 'aria-label="Blood pressure: 3 readings from ' in page
    assert "1 out of range; the newest 138/82 mmHg" in page
    assert svg.count('class="ltc-chart-dot"') == 6  # systolic and diastolic
    assert svg.count('fill="#d5281b"') == 2  # the one out of range, both of its dots
    assert svg.count('class="ltc-chart-limit"') == 2  # the target of each component
    assert "systolic" in svg
    assert "(out of range)" in svg


def test_peak_flow_is_judged_against_the_best_reading_so_far(app: Any,
                                                             community: Community) -> None:
    with db(community.url) as s:
        s.execute(update(PersonResult).where(PersonResult.nhs_number == IN_AREA)
                  .values(registers="asthma"))
        s.commit()
    matron = signed_in(app, "matron")
    start = datetime.now() - timedelta(days=2)
    for i, value in enumerate(("400", "330", "300")):
        when = (start + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M")
        assert _post(matron, IN_AREA, {"measure": "peak_flow", "value": value,
                                       "taken_at": when, "place": "home",
                                       "reported_by": "person"}).status_code == 303
    with db(community.url) as s:
        found = [(r.in_range, r.target) for r in s.scalars(select(Reading).order_by(Reading.id))]
    assert found == [
        (None, "at least 80% of the best reading (no reading yet to know the best)"),
        (True, "at least 80% of the best reading (400 L/min): 320 L/min or more"),
        (False, "at least 80% of the best reading (400 L/min): 320 L/min or more")]


def test_the_persons_own_target_comes_first(app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    r = matron.post(f"/people/{IN_AREA}/selfcare/targets", follow_redirects=False,
                    data={"measure": "inr", "at_least": "3.0", "at_most": "4.0",
                          "reason": "Mechanical mitral valve"})
    assert r.status_code == 303
    assert _post(matron, IN_AREA, {"measure": "inr", "value": "2.5", "taken_at": WHEN,
                                   "place": "pharmacy",
                                   "reported_by": "pharmacist"}).status_code == 303
    with db(community.url) as s:
        reading = s.scalars(select(Reading)).one()
    assert (reading.in_range, reading.target) == (False, "3.0 to 4.0")
    assert reading.target_source.endswith("Mechanical mitral valve")
    assert "Mechanical mitral valve" in matron.get(f"/people/{IN_AREA}/selfcare").text
    # every value empty: back to the usual targets
    matron.post(f"/people/{IN_AREA}/selfcare/targets",
                data={"measure": "inr", "reason": "Valve replaced"})
    with db(community.url) as s:
        assert readings.personal_target(s, IN_AREA, "inr") is None
    bad = matron.post(f"/people/{IN_AREA}/selfcare/targets",
                      data={"measure": "inr", "at_least": "4", "at_most": "3", "reason": "x"})
    assert bad.status_code == 422
    assert "the lowest, 4, is above the highest, 3" in bad.text


def test_readings_through_the_api(app: Any, community: Community) -> None:
    _allocate(community)
    api = api_client(app, "matron")
    r = api.post(f"/api/v1/people/{IN_AREA}/selfcare/readings",
                 json={"measure": "glucose", "value": [3.1], "taken_at": WHEN + ":00",
                       "place": "home", "reported_by": "person", "timing": "before_meal"})
    assert r.status_code == 201, r.text
    # not on the diabetes register: no target
    assert (r.json()["in_range"], r.json()["verdict"]) == (None, "No target for this reading")
    with db(community.url) as s:
        s.execute(update(PersonResult).where(PersonResult.nhs_number == IN_AREA)
                  .values(registers="diabetes"))
        s.commit()
    r = api.post(f"/api/v1/people/{IN_AREA}/selfcare/readings",
                 json={"measure": "glucose", "value": [3.1], "taken_at": WHEN + ":00",
                       "place": "home", "reported_by": "person", "timing": "before_meal"})
    body = r.json()
    assert (body["in_range"], body["target"], body["task_id"] is not None) == (
        False, "4.0 to 7.0 mmol/L", True)
    assert body["verdict"] == "Out of range: 3.1 mmol/L is below 4.0 mmol/L"
    bad = api.post(f"/api/v1/people/{IN_AREA}/selfcare/readings",
                   json={"measure": "weight", "value": [70, 71], "taken_at": WHEN + ":00",
                         "place": "home", "reported_by": "person"})
    assert bad.status_code == 422
    assert "Weight has 1 value(s)" in bad.json()["detail"]
    listed = api.get(f"/api/v1/people/{IN_AREA}/selfcare/readings").json()
    assert [x["value"] for x in listed] == [[3.1], [3.1]]
    assert api.get(f"/api/v1/people/{IN_AREA}/selfcare/readings",
                   params={"measure": "weight"}).json() == []


def _user(s: Session, community: Community, name: str) -> User:
    user = s.get(User, community.users[name])
    assert user is not None
    return user
