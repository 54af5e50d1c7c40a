"""The administrator's pages: users, case managers' profiles, the audit viewer and the
per-person access report; nobody else reaches them, and they show no clinical data
(CM-1, privacy)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ltc.care.audit import services as audit
from ltc.care.audit.models import AuditEvent
from ltc.care.auth import admin
from ltc.care.auth.models import LoginSession, User
from ltc.care.auth.services import MAX_FAILURES
from ltc.care.casemgmt import services as cases
from ltc.web.policy import policy_of, routes

from .care import (
    IN_AREA,
    IN_AREA_2,
    LOW,
    OTHER_AREA,
    PASSWORD,
    Community,
    api_client,
    db,
    signed_in,
)

NEW_PASSWORD = "a much longer passphrase"


def _sign_in(app: Any, username: str, password: str) -> int:
    """The status of a sign-in through the form (303: signed in)."""
    client = TestClient(app, base_url="https://testserver")
    token = client.get("/login").text.split('name="login_csrf" value="')[1].split('"')[0]
    return client.post("/login", data={"username": username, "password": password,
                                       "login_csrf": token}, follow_redirects=False).status_code


def _user(url: str, username: str) -> User | None:
    with db(url) as s:
        return s.scalar(select(User).where(User.username == username))


def _seqs(html: str) -> list[int]:
    """The sequence numbers of the audit rows a page lists, in order."""
    return [int(n) for n in re.findall(
        r'<tr class="nhsuk-table__row">\s*<td class="nhsuk-table__cell">(\d+)</td>', html)]


def _audit_seqs(url: str, **where: Any) -> list[int]:
    with db(url) as s:
        q = select(AuditEvent.seq).order_by(AuditEvent.seq.desc())
        for name, value in where.items():
            q = q.where(getattr(AuditEvent, name) == value)
        return list(s.scalars(q).all())


def test_admin_creates_users_who_can_sign_in(app: Any, community: Community) -> None:
    admin_page = signed_in(app, "admin")
    form = admin_page.get("/admin/users/new")
    assert form.status_code == 200
    assert form.text.count("<h1") == 1
    good = {"username": "nurse", "display_name": "Nia Nurse", "role": "practice_clinician",
            "practice_code": "P1", "password": PASSWORD, "password_again": PASSWORD}
    for change, problem in (({"username": "matron"}, "already a user called 'matron'"),
                            ({"username": "MATRON"}, "already a user called 'matron'"),
                            ({"username": "two words"}, "no spaces"),
                            ({"password": "short", "password_again": "short"},
                             "at least 10 characters"),
                            ({"password_again": PASSWORD + "!"}, "not the same"),
                            ({"practice_code": ""}, "needs a practice code"),
                            ({"role": "superuser"}, "Choose a role"),
                            ({"role": "analyst"}, "Only practice clinicians")):
        r = admin_page.post("/admin/users", data=good | change, follow_redirects=False)
        assert r.status_code == 422, change
        assert problem in r.text.replace("&#39;", "'"), (change, r.text[-2000:])
        assert 'value="Nia Nurse"' in r.text  # what was typed is kept, but not passwords
        assert PASSWORD not in r.text
    assert _user(community.url, "nurse") is None
    r = admin_page.post("/admin/users", data=good, follow_redirects=False)
    assert r.status_code == 303
    nurse = _user(community.url, "nurse")
    assert nurse is not None
    assert (nurse.role, nurse.practice_code, nurse.active) == ("practice_clinician", "P1", True)
    assert r.headers["location"] == f"/admin/users/{nurse.id}?note=created"
    assert "has been created" in admin_page.get(r.headers["location"]).text
    assert "Nia Nurse" in admin_page.get("/admin/users").text
    assert signed_in(app, "nurse").get("/worklist").status_code == 200
    with db(community.url) as s:  # the change is in the audit trail, naming no person
        row = s.scalar(select(AuditEvent).where(AuditEvent.action == "admin"))
        assert row is not None
        assert (row.username, row.nhs_number) == ("admin", None)
        assert row.what == f"POST /admin/users (user {nurse.id})"


def test_deactivation_ends_sessions_and_blocks_sign_in(app: Any, community: Community) -> None:
    admin_page = signed_in(app, "admin")
    gp = signed_in(app, "gp")
    assert gp.get("/worklist").status_code == 200
    gp_id = community.users["gp"]
    r = admin_page.post(f"/admin/users/{gp_id}/deactivate", follow_redirects=False)
    assert r.status_code == 303
    r = gp.get("/worklist", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(LoginSession).where(
            LoginSession.user_id == gp_id)) == 0
    assert _sign_in(app, "gp", PASSWORD) == 401
    listing = admin_page.get("/admin/users").text
    assert "Deactivated" in listing
    # nobody deactivates themselves (so one administrator is always left)
    r = admin_page.post(f"/admin/users/{community.users['admin']}/deactivate",
                        follow_redirects=False)
    assert r.status_code == 422
    assert "cannot deactivate your own account" in r.text
    assert admin_page.get("/admin/users").status_code == 200
    r = admin_page.post(f"/admin/users/{gp_id}/reactivate", follow_redirects=False)
    assert r.status_code == 303
    assert _sign_in(app, "gp", PASSWORD) == 303


def test_password_reset_signs_out_and_lifts_the_block(app: Any, community: Community) -> None:
    admin_page = signed_in(app, "admin")
    matron = signed_in(app, "matron")
    for _ in range(MAX_FAILURES):
        assert _sign_in(app, "matron", "wrong password") == 401
    assert _sign_in(app, "matron", PASSWORD) == 429
    target = f"/admin/users/{community.users['matron']}/password"
    for typed, problem in (((NEW_PASSWORD, NEW_PASSWORD + "x"), "not the same"),
                           (("short", "short"), "at least 10 characters")):
        r = admin_page.post(target, data={"password": typed[0], "password_again": typed[1]},
                            follow_redirects=False)
        assert r.status_code == 422
        assert problem in r.text
    r = admin_page.post(target, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
                        follow_redirects=False)
    assert r.status_code == 303
    assert matron.get("/worklist", follow_redirects=False).status_code == 303
    assert _sign_in(app, "matron", PASSWORD) == 401
    assert _sign_in(app, "matron", NEW_PASSWORD) == 303
    # an administrator resetting their own password stays signed in
    own = f"/admin/users/{community.users['admin']}/password"
    r = admin_page.post(own, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
                        follow_redirects=False)
    assert r.status_code == 303
    assert admin_page.get("/admin/users").status_code == 200


def test_profile_changes_who_is_suggested_and_the_capacity(app: Any,
                                                           community: Community) -> None:
    admin_page = signed_in(app, "admin")
    matron, matron2 = community.users["matron"], community.users["matron2"]
    with db(community.url) as s:
        assert cases.suggest(s, IN_AREA)[0].user.id == matron  # her locality is L1
    profile = {"job_title": "Community matron", "locality_code": "L9", "practices": "",
               "capacity": "50", "hard_stop": "", "phone": ""}
    assert admin_page.post(f"/admin/users/{matron}/profile", data=profile,
                           follow_redirects=False).status_code == 303
    profile2 = profile | {"job_title": "Care co-ordinator", "locality_code": "L2",
                          "practices": "P1, P3,P1", "capacity": "1", "hard_stop": "2",
                          "phone": "01632 960001"}
    assert admin_page.post(f"/admin/users/{matron2}/profile", data=profile2,
                           follow_redirects=False).status_code == 303
    with db(community.url) as s:
        assert sorted(cases.covered_practices(s, matron2)) == ["P1", "P3"]
        best = cases.suggest(s, IN_AREA)[0]
        assert (best.user.id, best.why) == (matron2, "covers the person's practice")
    page = admin_page.get(f"/admin/users/{matron2}").text
    assert 'value="P1, P3"' in page
    assert 'value="01632 960001"' in page
    # matron no longer covers the person; matron2 does, and is offered first
    assert signed_in(app, "matron").get(f"/people/{IN_AREA}").status_code == 404
    coordinator = signed_in(app, "matron2")
    summary = coordinator.get(f"/people/{IN_AREA}").text
    first = summary.split("<option", 2)[1]
    assert f'value="{matron2}"' in first
    # capacity 1: the second allocation warns; hard stop 2: the third is refused
    for nhs, outcome in ((IN_AREA, "allocated"), (IN_AREA_2, "allocated-warning")):
        r = coordinator.post(f"/people/{nhs}/allocate", data={"case_manager": matron2},
                             follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"].endswith(f"?note={outcome}")
    r = coordinator.post(f"/people/{LOW}/allocate", data={"case_manager": matron2},
                         follow_redirects=False)
    assert r.status_code == 422
    assert "at its limit (2)" in r.text
    assert "2 of 1 (hard stop 2)" in admin_page.get("/admin/users").text
    # a capacity above 80 is kept, with a warning
    r = admin_page.post(f"/admin/users/{matron2}/profile",
                        data=profile2 | {"capacity": "90", "hard_stop": ""},
                        follow_redirects=False)
    assert r.status_code == 303
    assert "not sustainable" in admin_page.get(r.headers["location"]).text
    for change, problem in (({"capacity": "lots"}, "whole number"),
                            ({"capacity": ""}, "Enter the capacity"),
                            ({"hard_stop": "1", "capacity": "50"}, "cannot be below"),
                            ({"practices": "P1, <b>"}, "is not a practice code"),
                            ({"job_title": " "}, "job title"),
                            ({"locality_code": ""}, "locality")):
        r = admin_page.post(f"/admin/users/{matron2}/profile", data=profile2 | change,
                            follow_redirects=False)
        assert r.status_code == 422, change
        assert problem in r.text, change
    r = admin_page.post(f"/admin/users/{community.users['gp']}/profile", data=profile,
                        follow_redirects=False)
    assert r.status_code == 422
    assert "Only case managers" in r.text


def test_a_new_case_manager_gets_a_profile(app: Any, community: Community) -> None:
    admin_page = signed_in(app, "admin")
    r = admin_page.post("/admin/users", follow_redirects=False, data={
        "username": "cm3", "display_name": "Cara Manager", "role": "case_manager",
        "password": PASSWORD, "password_again": PASSWORD})
    assert r.status_code == 303
    page = admin_page.get(r.headers["location"]).text
    assert "has no profile yet" in page
    assert 'value="50"' in page  # the default capacity
    target = r.headers["location"].split("?")[0] + "/profile"
    assert admin_page.post(target, follow_redirects=False, data={
        "job_title": "Community matron", "locality_code": "L2", "practices": "",
        "capacity": "50"}).status_code == 303
    assert signed_in(app, "cm3").get(f"/people/{OTHER_AREA}").status_code == 200


def _admin_routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in routes(app):
        if route.path.startswith(("/admin", "/api/v1/admin")):
            assert "{nhs_number}" not in route.path, route.path
            assert route.endpoint is not None
            rule = policy_of(route.endpoint)
            assert rule is not None
            assert (rule.kind, rule.roles) == ("signed_in", frozenset({"admin"})), route.path
            found += [(m, route.path) for m in route.methods]
    return found


def test_nobody_but_administrators_reaches_the_admin_routes(app: Any,
                                                            community: Community) -> None:
    found = _admin_routes(app)
    assert len(found) >= 10
    target = community.users["gp"]
    for name in ("matron", "gp", "analyst"):
        page, api = signed_in(app, name), api_client(app, name)
        for method, path in found:
            client = api if path.startswith("/api/") else page
            r = client.request(method, path.format(user_id=target, message_id=1),
                               follow_redirects=False, params={"nhs_number": IN_AREA})
            assert r.status_code == 403, (name, method, path, r.status_code)
    anonymous = TestClient(app, base_url="https://testserver")
    assert anonymous.get("/admin/users", follow_redirects=False).status_code == 303
    assert anonymous.get("/api/v1/admin/users").status_code == 401
    user = _user(community.url, "gp")
    assert user is not None
    assert user.active  # nothing was changed


def test_admin_forms_carry_the_csrf_token(app: Any, community: Community) -> None:
    admin_page = signed_in(app, "admin")
    token = admin_page.headers.pop("X-CSRF-Token")
    hidden = f'<input type="hidden" name="csrf_token" value="{token}">'
    pages = ["/admin/users/new", f"/admin/users/{community.users['matron']}",
             f"/admin/users/{community.users['gp']}"]
    forms = 0
    for path in pages:
        html = admin_page.get(path).text
        for form in html.split("<form")[1:]:
            if 'method="post"' in form.split(">")[0]:
                assert hidden in form.split("</form>")[0], path
                forms += 1
    assert forms >= 7  # sign out on each page, add, deactivate twice, password twice, profile
    gp = f"/admin/users/{community.users['gp']}/deactivate"
    assert admin_page.post(gp, follow_redirects=False).status_code == 403
    assert admin_page.post(gp, data={"csrf_token": token},
                           follow_redirects=False).status_code == 303
    for package in ("ltc.web.auth", "ltc.web.audit"):  # the admin pages' templates
        templates = list((resources.files(package) / "templates").iterdir())
        assert templates, package
        for template in templates:
            assert not re.search(r"\|\s*safe", template.read_text()), template.name


def test_markup_in_a_display_name_is_shown_as_text(app: Any, community: Community) -> None:
    admin_page = signed_in(app, "admin")
    r = admin_page.post("/admin/users", follow_redirects=False, data={
        "username": "mallory", "display_name": "<script>alert(1)</script>", "role": "analyst",
        "password": PASSWORD, "password_again": PASSWORD})
    assert r.status_code == 303
    for html in (admin_page.get("/admin/users").text, admin_page.get(r.headers["location"]).text,
                 signed_in(app, "mallory").get("/workforce").text):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html
    users = api_client(app, "admin").get("/api/v1/admin/users").json()
    assert "<script>alert(1)</script>" in [u["display_name"] for u in users]


def test_the_users_api(app: Any, community: Community) -> None:
    r = api_client(app, "admin").get("/api/v1/admin/users")
    assert r.status_code == 200
    by_name = {u["username"]: u for u in r.json()}
    assert set(by_name) == set(community.users)  # every user the fixture seeded
    assert by_name["matron"] | {"id": 0} == {
        "id": 0, "username": "matron", "display_name": "Matron", "role": "case_manager",
        "active": True, "practice_code": None, "job_title": "Community matron",
        "locality_code": "L1", "practices": ["P1"], "capacity": 50, "hard_stop": None,
        "caseload": 0}
    assert by_name["gp"]["practice_code"] == "P1"
    assert by_name["gp"]["locality_code"] is None
    assert not any("password" in k for k in by_name["gp"])
    assert api_client(app, "analyst").get("/api/v1/admin/users").status_code == 403


def test_audit_viewer_lists_filters_and_checks_the_chain(app: Any,
                                                         community: Community) -> None:
    matron, gp = signed_in(app, "matron"), signed_in(app, "gp")
    for nhs in (IN_AREA, IN_AREA, IN_AREA_2):
        assert matron.get(f"/people/{nhs}").status_code == 200
    assert gp.post(f"/break-glass/{OTHER_AREA}", follow_redirects=False,
                   data={"reason": "Collapsed at the surgery; no plan on file"}).status_code == 303
    assert gp.get(f"/people/{OTHER_AREA}").status_code == 200
    admin_page = signed_in(app, "admin")
    r = admin_page.get("/admin/audit")
    assert r.status_code == 200
    assert r.text.count("<h1") == 1
    assert "The audit trail is intact" in r.text
    everything = _audit_seqs(community.url)
    assert _seqs(r.text) == everything  # newest first; fewer than a page
    assert "943 476 5919" in r.text
    assert f"GET /people/{IN_AREA}" in r.text
    glass = [row for row in r.text.split('<tr class="nhsuk-table__row">')
             if f"/people/{OTHER_AREA}" in row or "POST /break-glass" in row]
    assert len(glass) == 2
    assert all("nhsuk-tag--red" in row and "Break-glass" in row for row in glass)
    assert "Older rows" not in r.text
    # filters: user name, NHS number (with spaces), dates, sequence number
    assert _seqs(admin_page.get("/admin/audit", params={"username": "gp"}).text) == \
        _audit_seqs(community.url, username="gp")
    by_person = admin_page.get("/admin/audit", params={"nhs_number": "943 476 5919"}).text
    assert _seqs(by_person) == _audit_seqs(community.url, nhs_number=IN_AREA)
    assert len(_seqs(by_person)) == 4  # two worklists (signing in) and two reads
    today = datetime.now(UTC).date()
    day = timedelta(days=1)
    for since, until, expected in ((today, today, everything),
                                   (today + day, None, []), (None, today - day, [])):
        params = {"since": since.isoformat() if since else "",
                  "until": until.isoformat() if until else ""}
        r = admin_page.get("/admin/audit", params=params)
        assert r.status_code == 200
        assert _seqs(r.text) == expected, params
    middle = everything[len(everything) // 2]
    assert _seqs(admin_page.get("/admin/audit", params={"before": middle}).text) == \
        [s for s in everything if s < middle]
    for params, problem in (({"since": "1 April"}, "year-month-day"),
                            ({"since": today.isoformat(), "until": (today - day).isoformat()},
                             "after the 'to' date"),
                            ({"nhs_number": "12345"}, "10 digits")):
        r = admin_page.get("/admin/audit", params=params)
        assert r.status_code == 422
        assert problem in r.text.replace("&#39;", "'")
    # editing a row outside the application is reported
    with db(community.url) as s:
        row = s.get(AuditEvent, everything[-2])
        assert row is not None
        row.what = "GET /somewhere/else"
        s.commit()
    r = admin_page.get("/admin/audit")
    assert "The audit trail has been changed" in r.text
    assert f"Row {everything[-2]} does not follow" in r.text


def test_audit_viewer_pages_by_sequence_number(app: Any, community: Community) -> None:
    with db(community.url) as s:
        pending = audit.Pending("seeded", audit.Actor(community.users["matron"], "matron",
                                                      "case_manager"))
        for _ in range(admin.AUDIT_PAGE + 5):
            pending.add(IN_AREA, "read", f"GET /people/{IN_AREA}")
        audit.flush(s, pending)
        s.commit()
    everything = _audit_seqs(community.url)
    admin_page = signed_in(app, "admin")
    first = admin_page.get("/admin/audit", params={"username": "matron"})
    assert _seqs(first.text) == everything[:admin.AUDIT_PAGE]
    older = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert older is not None
    link = older.group(1).replace("&amp;", "&")
    assert "username=matron" in link
    second = admin_page.get(link)
    assert _seqs(second.text) == everything[admin.AUDIT_PAGE:]
    assert 'rel="next"' not in second.text
    assert 'rel="prev"' in second.text  # back to the newest rows
    with db(community.url) as s:
        rows, more = admin.audit_rows(s, admin.AuditFilter(nhs_number=IN_AREA), limit=3)
        assert ([r.seq for r in rows], more) == (everything[:3], True)


def test_per_person_report_lists_that_persons_accesses_only(app: Any,
                                                            community: Community) -> None:
    matron, gp = signed_in(app, "matron"), signed_in(app, "gp")
    assert matron.get(f"/people/{IN_AREA}").status_code == 200
    assert matron.get(f"/people/{IN_AREA_2}").status_code == 200
    assert gp.get(f"/people/{IN_AREA}").status_code == 200
    assert gp.get(f"/people/{LOW}").status_code == 200
    admin_page = signed_in(app, "admin")
    with db(community.url) as s:
        before = s.scalar(select(func.count()).select_from(AuditEvent))
    blank = admin_page.get("/admin/audit/person")
    assert blank.status_code == 200
    assert 'name="nhs_number"' in blank.text
    r = admin_page.get("/admin/audit/person", params={"nhs_number": IN_AREA})
    assert r.status_code == 200
    assert r.text.count("<h1") == 1
    expected = _audit_seqs(community.url, nhs_number=IN_AREA)
    assert len(expected) == 4  # each clinician's worklist (on signing in) and a read
    assert _seqs(r.text) == expected
    assert "Matron" in r.text  # who, by name
    assert "Gp" in r.text
    assert f"GET /people/{IN_AREA}" in r.text
    assert IN_AREA_2 not in r.text
    assert LOW not in r.text
    for clinical in ("Castlefields", "copd", "heart_failure", "1940", "0.61"):
        assert clinical not in r.text  # audit metadata only, never the record
    nobody = admin_page.get("/admin/audit/person", params={"nhs_number": OTHER_AREA})
    assert "No access to this person's record has been recorded" in nobody.text
    bad = admin_page.get("/admin/audit/person", params={"nhs_number": "not a number"})
    assert bad.status_code == 422
    assert "10 digits" in bad.text
    with db(community.url) as s:  # reading the audit trail writes nothing to it
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == before
