"""Working the caseload over HTTP: contacts, tasks, referrals and satisfaction survey
responses through the pages and the API; what is refused saves nothing; a task is marked
done only through its own person; markup typed into any free-text field shows as text;
"my tasks" lists overdue tasks first, names each person's case manager and audits one
list row per person (CM-6, CM-7, CM-10, CM-11; privacy)."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ltc.care.audit.models import AuditEvent
from ltc.care.auth import services as auth
from ltc.care.auth.models import User
from ltc.care.casemgmt import services as cases
from ltc.care.events import inbox as alerts
from ltc.care.events.models import Alert
from ltc.care.people.models import Person
from ltc.care.work import services as work
from ltc.care.work.models import Contact, Referral, SurveyResponse, Task

from .care import IN_AREA, IN_AREA_2, OTHER_AREA, Community, api_client, db, signed_in
from .contacts.team import add_team
from .samples_work import FIRST_TASK_ID

XSS = "<script>alert(1)</script><iframe src=x></iframe>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;iframe src=x&gt;&lt;/iframe&gt;"
TODAY = date.today()
FUTURE = (TODAY + timedelta(days=30)).isoformat()


def _count(url: str, model: Any) -> int:
    with db(url) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _user(s: Session, community: Community, name: str) -> User:
    user = s.get(User, community.users[name])
    assert user is not None
    return user


def _main(text: str) -> str:
    return text.split("<main", 1)[1].split("</main>")[0]


def test_each_action_through_the_pages(app: object, community: Community) -> None:
    matron = signed_in(app, "matron")
    steps = [("contacts", {"kind": "telephone", "on": TODAY.isoformat(),
                           "outcome": "Breathless; GP told"}, "contact"),
             ("tasks", {"title": "Arrange a medicines review", "due_on": FUTURE}, "task"),
             ("referrals", {"service": "palliative_care", "reason": "Wishes to die at home"},
              "referral"),
             ("survey", {"satisfaction": "4", "comment": "Kind staff"}, "survey")]
    for path, data, note in steps:
        r = matron.post(f"/people/{IN_AREA}/{path}", data=data, follow_redirects=False)
        assert r.status_code == 303, (path, r.text[:300])
        assert r.headers["location"] == f"/people/{IN_AREA}?note={note}"
    with db(community.url) as s:
        contact = s.scalars(select(Contact)).one()
        assert (contact.nhs_number, contact.kind, contact.on, contact.outcome) == (
            IN_AREA, "telephone", TODAY, "Breathless; GP told")
        task = s.scalars(select(Task)).one()
        assert (task.title, task.due_on, task.assigned_to, task.created_by) == (
            "Arrange a medicines review", date.fromisoformat(FUTURE),
            community.users["matron"], community.users["matron"])
        referral = s.scalars(select(Referral)).one()
        assert (referral.service, referral.reason, referral.on) == (
            "palliative_care", "Wishes to die at home", TODAY)
        survey = s.scalars(select(SurveyResponse)).one()
        assert (survey.satisfaction, survey.comment, survey.recorded_by) == (
            4, "Kind staff", community.users["matron"])
    summary = matron.get(f"/people/{IN_AREA}?note=survey")
    assert "Survey response recorded." in summary.text
    for shown in ("Breathless; GP told", "Arrange a medicines review", "Palliative care",
                  "Wishes to die at home", "4 – Satisfied – “Kind staff”"):
        assert shown in summary.text


def test_contacts_and_tasks_through_the_api(app: object, community: Community) -> None:
    matron = api_client(app, "matron")
    r = matron.post(f"/api/v1/people/{IN_AREA}/contacts",
                    json={"kind": "home_visit", "on": TODAY.isoformat(), "outcome": "Well"})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "home_visit"
    r = matron.post(f"/api/v1/people/{IN_AREA}/tasks",
                    json={"title": "Check the blood results", "due_on": FUTURE})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["assigned_to"], made["overdue"], made["done_at"]) == (
        community.users["matron"], False, None)
    listed = matron.get(f"/api/v1/people/{IN_AREA}/tasks").json()
    assert [t["id"] for t in listed] == [made["id"]]
    mine = matron.get("/api/v1/tasks")
    assert mine.status_code == 200
    assert [(t["nhs_number"], t["title"], t["case_manager"]) for t in mine.json()] == [
        (IN_AREA, "Check the blood results", None)]
    with db(community.url) as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.what == "GET /api/v1/tasks")).all()
    assert [(e.nhs_number, e.action) for e in rows] == [(IN_AREA, "list")]


def test_a_gp_assigns_a_task_to_the_practice_nurse_but_not_to_the_manager(
        app: object, community: Community) -> None:
    add_team(community.url, community.users)
    gp = api_client(app, "gp")
    r = gp.post(f"/api/v1/people/{IN_AREA}/tasks",
                json={"title": "Inhaler technique", "due_on": FUTURE,
                      "assigned_to": community.users["nurse"]})
    assert r.status_code == 201, r.text
    assert r.json()["assigned_to"] == community.users["nurse"]
    for name, why in (("pm", "is not a clinician"), ("nurse2", "does not look after")):
        r = gp.post(f"/api/v1/people/{IN_AREA}/tasks",
                    json={"title": "Visit", "due_on": FUTURE,
                          "assigned_to": community.users[name]})
        assert r.status_code == 422
        assert why in r.json()["detail"]
    with db(community.url) as s:
        clinicians = alerts.practice_clinicians(s, ["P1"])["P1"]
        assert sorted(u.username for u in clinicians) == ["gp", "nurse"]
        # an alert to the practice is in the nurse's inbox, as in the GP's
        s.add(Alert(nhs_number=IN_AREA, kind="self_monitoring", title="Reading out of range",
                    practice_code="P1"))
        s.commit()
        for name, count in (("gp", 1), ("nurse", 1), ("nurse2", 0)):
            user = s.get(User, community.users[name])
            assert user is not None
            assert alerts.unread_count(s, user) == count, name
            assert len(alerts.inbox(s, user).open) == count, name


def test_a_practice_clinician_assigns_a_task_to_the_named_case_manager(
        app: object, community: Community) -> None:
    with db(community.url) as s:
        cases.allocate(s, IN_AREA, community.users["matron"], _user(s, community, "matron"))
        s.commit()
    gp = api_client(app, "gp")
    r = gp.post(f"/api/v1/people/{IN_AREA}/tasks",
                json={"title": "Visit after the fall", "due_on": FUTURE,
                      "assigned_to": community.users["matron"]})
    assert r.status_code == 201, r.text
    assert r.json()["assigned_to"] == community.users["matron"]
    # a user who is not a clinician, or one who does not look after the person, cannot be
    for name, why in (("analyst", "not a clinician"), ("gp2", "does not look after")):
        r = gp.post(f"/api/v1/people/{IN_AREA}/tasks",
                    json={"title": "Visit", "due_on": FUTURE, "assigned_to": community.users[name]})
        assert r.status_code == 422
        assert why in r.json()["detail"]
    # emergency (break-glass) access is not looking after someone: no task goes to it
    with db(community.url) as s:
        auth.break_glass(s, _user(s, community, "gp2"), IN_AREA, "Called by A&E at night")
        s.commit()
        assert auth.access(s, _user(s, community, "gp2"), IN_AREA).break_glass
    r = gp.post(f"/api/v1/people/{IN_AREA}/tasks",
                json={"title": "Visit", "due_on": FUTURE, "assigned_to": community.users["gp2"]})
    assert r.status_code == 422
    assert "does not look after" in r.json()["detail"]
    assert _count(community.url, Task) == 1


#: (route, form data, what the message says, the table that must stay empty)
REFUSED: list[tuple[str, dict[str, str], str, Any]] = [
    ("contacts", {"kind": "telephone", "on": FUTURE, "outcome": "Fine"},
     "Date of the contact (on)", Contact),
    ("contacts", {"kind": "carrier_pigeon", "on": TODAY.isoformat(), "outcome": "Fine"},
     "Kind of contact (kind)", Contact),
    ("contacts", {"kind": "telephone", "on": TODAY.isoformat(), "outcome": "  "},
     "Outcome of the contact (outcome)", Contact),
    ("referrals", {"service": "astrologer", "reason": "Stars"}, "Service (service)", Referral),
    ("referrals", {"service": "home_care", "reason": ""}, "Reason for the referral", Referral),
    ("survey", {"satisfaction": "6"}, "Satisfaction (satisfaction)", SurveyResponse),
    ("survey", {"satisfaction": "0"}, "Satisfaction (satisfaction)", SurveyResponse),
    ("survey", {"comment": "No score"}, "Satisfaction (satisfaction)", SurveyResponse),
    ("tasks", {"title": "", "due_on": FUTURE}, "Task title (title)", Task),
    ("tasks", {"title": "   ", "due_on": FUTURE}, "Task title (title)", Task),
    ("tasks", {"title": "Phone", "due_on": "2001-01-01"}, "Due date (due_on)", Task),
    ("tasks", {"title": "Phone"}, "Due date (due_on)", Task),
]


def test_refused_input_saves_nothing_and_says_why(app: object, community: Community) -> None:
    matron = signed_in(app, "matron")
    for path, data, message, model in REFUSED:
        r = matron.post(f"/people/{IN_AREA}/{path}", data=data, follow_redirects=False)
        assert r.status_code == 422, (path, data)
        assert message in r.text, (path, data, _main(r.text))
        assert f'href="/people/{IN_AREA}"' in r.text  # the way back
        assert _count(community.url, model) == 0, (path, data)
    r = matron.post(f"/people/{IN_AREA}/survey", data={"satisfaction": "very"},
                    follow_redirects=False)
    assert r.status_code == 422
    api = api_client(app, "matron")
    for path, body, message in (
            ("contacts", {"kind": "telephone", "on": FUTURE, "outcome": "x"}, "in the future"),
            ("contacts", {"kind": "fax", "on": TODAY.isoformat(), "outcome": "x"},
             "home_visit, telephone, clinic, video"),
            ("tasks", {"title": " ", "due_on": FUTURE}, "Task title (title)")):
        r = api.post(f"/api/v1/people/{IN_AREA}/{path}", json=body)
        assert r.status_code == 422, (path, body)
        assert message in r.json()["detail"]
    r = api.post(f"/api/v1/people/{IN_AREA}/tasks", json={"title": "x" * 301, "due_on": FUTURE})
    assert r.status_code == 422  # longer than the column
    assert _count(community.url, Contact) == _count(community.url, Task) == 0


def _task(url: str, community: Community, nhs_number: str, title: str, due: date,
          to: str = "matron") -> int:
    """A task saved directly (a due date in the past needs ``today`` before it)."""
    with db(url) as s:
        task = work.add_task(s, nhs_number, _user(s, community, to), title, due,
                             today=min(due, TODAY))
        s.commit()
        return task.id


def test_a_task_is_marked_done_once(app: object, community: Community) -> None:
    task_id = _task(community.url, community, IN_AREA, "Phone the pharmacist", TODAY)
    matron = signed_in(app, "matron")
    done = f"/people/{IN_AREA}/tasks/{task_id}/done"
    r = matron.post(done, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/people/{IN_AREA}?note=task-done"
    with db(community.url) as s:
        task = s.get(Task, task_id)
        assert task is not None
        assert task.done_at is not None
    summary = matron.get(f"/people/{IN_AREA}")
    assert 'id="work-done-tasks"' in summary.text
    assert f'action="{done}"' not in summary.text  # no longer offered
    r = matron.post(done, follow_redirects=False)
    assert r.status_code == 422
    assert "already marked done" in r.text
    assert matron.get("/tasks").text.count("Phone the pharmacist") == 0


def test_another_persons_task_is_not_found(app: object, community: Community) -> None:
    theirs = _task(community.url, community, IN_AREA_2, "Phone the daughter", TODAY)
    matron = signed_in(app, "matron")
    for task_id in (theirs, theirs + 1000):
        r = matron.post(f"/people/{IN_AREA}/tasks/{task_id}/done", follow_redirects=False)
        assert r.status_code == 404, task_id
    with db(community.url) as s:
        task = s.get(Task, theirs)
        assert task is not None
        assert task.done_at is None
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.what.like("%/done"))) == 0  # a refused request leaves no audit row


def test_markup_in_free_text_shows_as_text(app: object, community: Community) -> None:
    matron = signed_in(app, "matron")
    for path, data in (("contacts", {"kind": "video", "on": TODAY.isoformat(), "outcome": XSS}),
                       ("tasks", {"title": XSS, "due_on": FUTURE}),
                       ("referrals", {"service": "other", "reason": XSS}),
                       ("survey", {"satisfaction": "1", "comment": XSS})):
        r = matron.post(f"/people/{IN_AREA}/{path}", data=data, follow_redirects=False)
        assert r.status_code == 303, path
    with db(community.url) as s:  # stored as typed
        assert s.scalar(select(SurveyResponse.comment)) == XSS
    for page in (matron.get(f"/people/{IN_AREA}"), matron.get("/tasks")):
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<iframe" not in page.text
    summary = matron.get(f"/people/{IN_AREA}").text
    # the contact outcome (in its list and the timeline), the task title (in its list and
    # the done button's label), the referral reason (in its list and the timeline) and the
    # survey comment (in its list)
    assert summary.count(ESCAPED) == 7
    assert ESCAPED in matron.get("/tasks").text


def test_my_tasks_overdue_first_with_the_case_manager_and_one_list_row_per_person(
        app: object, community: Community) -> None:
    with db(community.url) as s:
        cases.allocate(s, IN_AREA, community.users["matron"], _user(s, community, "matron"))
        s.commit()
    day = timedelta(days=1)
    _task(community.url, community, IN_AREA, "Due next week", TODAY + 7 * day)
    _task(community.url, community, IN_AREA_2, "Overdue by two days", TODAY - 2 * day)
    _task(community.url, community, IN_AREA, "Overdue by a day", TODAY - day)
    _task(community.url, community, IN_AREA_2, "Due today", TODAY)
    _task(community.url, community, IN_AREA, "The GP's task", TODAY - 3 * day, to="gp")
    done = _task(community.url, community, IN_AREA, "Already done", TODAY - 5 * day)
    _task(community.url, community, OTHER_AREA, "Another locality's", TODAY - 9 * day,
          to="matron2")
    with db(community.url) as s:
        work.complete_task(s, IN_AREA, done)
        s.commit()
    matron = signed_in(app, "matron")
    r = matron.get("/tasks")
    assert r.status_code == 200
    table = r.text.split('id="tasks"')[1].split("</table>")[0]
    titles = ["Overdue by two days", "Overdue by a day", "Due today", "Due next week"]
    assert [table.index(t) for t in titles] == sorted(table.index(t) for t in titles)
    assert table.count("Overdue</strong>") == 2
    for absent in ("The GP's task", "Already done", "Another locality's"):
        assert absent not in table
    rows = table.split("<tr")[2:]
    assert ["Matron" in row for row in rows] == [False, True, False, True]  # IN_AREA's CM
    with db(community.url) as s:
        audited = s.scalars(select(AuditEvent).where(AuditEvent.what == "GET /tasks")).all()
    assert sorted((e.nhs_number, e.action, e.username) for e in audited) == [
        (IN_AREA_2, "list", "matron"), (IN_AREA, "list", "matron")]
    theirs = signed_in(app, "matron2").get("/tasks").text
    assert "Another locality&#39;s" in theirs
    assert "Overdue by a day" not in theirs


def test_my_tasks_leave_out_people_no_longer_looked_after(app: object,
                                                          community: Community) -> None:
    _task(community.url, community, IN_AREA, "Review the inhalers", TODAY, to="gp")
    gp = signed_in(app, "gp")
    assert "Review the inhalers" in gp.get("/tasks").text
    with db(community.url) as s:  # the person moves to another practice
        s.execute(update(Person).where(Person.nhs_number == IN_AREA)
                  .values(practice_code="P2"))
        s.commit()
    assert "Review the inhalers" not in gp.get("/tasks").text
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.what == "GET /tasks")) == 1  # the first listing only


def test_the_analyst_and_administrator_have_no_task_list(app: object,
                                                         community: Community) -> None:
    for name in ("analyst", "admin"):
        assert signed_in(app, name).get("/tasks").status_code == 403
        assert api_client(app, name).get("/api/v1/tasks").status_code == 403


def test_the_first_task_in_a_fresh_store_has_id_1(community: Community) -> None:
    """What the sweep's sample for marking a task done relies on (samples_work.py)."""
    assert _task(community.url, community, IN_AREA, "First", TODAY) == FIRST_TASK_ID


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "select":
            self._select = found.get("id")
            self.options[str(self._select)] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(str(found.get("value")))
        elif tag == "input" and found.get("type") == "radio" and found.get("name"):
            self.options.setdefault(f"radio:{found['name']}", []).append(str(found["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def test_the_summary_forms_have_unique_ids_and_every_choice(app: object,
                                                           community: Community) -> None:
    _task(community.url, community, IN_AREA, "Something to do", TODAY)
    for name in ("matron", "gp"):
        parsed = _Ids()
        parsed.feed(signed_in(app, name).get(f"/people/{IN_AREA}").text)
        duplicated = {i for i in parsed.ids if parsed.ids.count(i) > 1}
        assert duplicated == set(), name
        assert parsed.options["contact_kind"] == list(work.KINDS)
        assert parsed.options["referral_service"] == list(work.SERVICES)
        assert parsed.options["radio:satisfaction"] == [str(k) for k in work.SATISFACTION]
        for field in ("contact_on", "contact_outcome", "task_title", "task_due_on",
                      "task_assigned_to", "referral_on", "referral_reason", "survey_on",
                      "survey_comment"):
            assert field in parsed.ids, (name, field)
