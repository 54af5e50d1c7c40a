"""Sign-in, sessions, CSRF, throttling and break-glass access (privacy)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ltc.care.audit.models import AuditEvent
from ltc.care.auth.models import LoginFailure, User
from ltc.care.auth.services import MAX_FAILURES, hash_password

from .care import IN_AREA, OTHER_AREA, PASSWORD, Community, db, signed_in


def _login_form(client: TestClient) -> str:
    return client.get("/login").text.split('name="login_csrf" value="')[1].split('"')[0]


def test_pages_need_sign_in_and_cookies_are_locked_down(app: Any, community: Community) -> None:
    client = TestClient(app, base_url="https://testserver")
    r = client.get("/worklist", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/worklist"
    assert client.get("/api/v1/worklist").status_code == 401
    token = _login_form(client)
    r = client.post("/login", data={"username": "matron", "password": PASSWORD,
                                    "login_csrf": token}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "secure" in cookie
    assert "samesite=strict" in cookie


def test_forms_without_the_csrf_token_are_refused(app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    del matron.headers["X-CSRF-Token"]
    r = matron.post(f"/people/{IN_AREA}/approach",
                    data={"outcome": "agreed", "on": "2025-04-02"}, follow_redirects=False)
    assert r.status_code == 403
    r = matron.post(f"/people/{IN_AREA}/approach", follow_redirects=False,
                    data={"outcome": "agreed", "on": "2025-04-02", "csrf_token": "forged"})
    assert r.status_code == 403


def test_failed_sign_ins_are_throttled(app: Any, community: Community) -> None:
    client = TestClient(app, base_url="https://testserver")
    token = _login_form(client)
    for _ in range(MAX_FAILURES):
        r = client.post("/login", data={"username": "matron", "password": "wrong password",
                                        "login_csrf": token})
        assert r.status_code == 401
        assert "not right" in r.text
    r = client.post("/login", data={"username": "matron", "password": PASSWORD,
                                    "login_csrf": token})
    assert r.status_code == 429  # even the right password, until the window passes
    assert "Too many failed sign-ins" in r.text


def test_failed_api_sign_ins_are_kept_and_throttled(app: Any, community: Community) -> None:
    """A failed sign-in answers 401 yet is kept (the request commits it on purpose)."""
    client = TestClient(app, base_url="https://testserver")
    for _ in range(MAX_FAILURES):
        r = client.post("/api/v1/session", json={"username": "gp", "password": "wrong one"})
        assert r.status_code == 401
        assert r.json() == {"detail": "The user name or password is not right."}
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.username == "gp")) == MAX_FAILURES
    r = client.post("/api/v1/session", json={"username": "gp", "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many failed sign-ins" in r.json()["detail"]
    assert client.post("/api/v1/session", json={"username": "matron", "password": PASSWORD}
                       ).json()["role"] == "case_manager"


def test_a_name_longer_than_any_user_fails_and_is_throttled(app: Any,
                                                            community: Community) -> None:
    """A name over the column's 64 characters is refused like any wrong name (not a
    server error), its failures kept under its first 64 characters."""
    client = TestClient(app, base_url="https://testserver")
    long_name = "0" * 65
    for _ in range(MAX_FAILURES):
        r = client.post("/api/v1/session", json={"username": long_name, "password": "x"})
        assert r.status_code == 401
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.username == long_name[:64])) == MAX_FAILURES
    r = client.post("/api/v1/session", json={"username": long_name, "password": "x"})
    assert r.status_code == 429


def test_sign_out_ends_the_session(app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    assert matron.get("/worklist").status_code == 200
    matron.post("/logout")
    assert matron.get("/worklist", follow_redirects=False).status_code == 303


def test_break_glass_needs_a_reason_and_is_flagged(app: Any, community: Community) -> None:
    gp = signed_in(app, "gp")  # practice P1; OTHER_AREA is registered with P2
    assert gp.get(f"/people/{OTHER_AREA}").status_code == 404
    r = gp.post(f"/break-glass/{OTHER_AREA}", data={"reason": "no"}, follow_redirects=False)
    assert r.status_code == 422
    r = gp.post(f"/break-glass/{OTHER_AREA}",
                data={"reason": "Collapsed in the surgery car park; needs care plan"},
                follow_redirects=False)
    assert r.status_code == 303
    page = gp.get(f"/people/{OTHER_AREA}")
    assert page.status_code == 200
    assert "Emergency access" in page.text
    with db(community.url) as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.nhs_number == OTHER_AREA)
                         .order_by(AuditEvent.seq)).all()
    assert [(r.action, r.break_glass) for r in rows] == [("break_glass", True), ("read", True)]


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2id_at_the_rfc_9106_cost(community: Community) -> None:
    hashed = hash_password(PASSWORD)
    # RFC 9106 section 4, second recommended option: 64 MiB, 3 passes, 4 lanes
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in hashed
    with db(community.url) as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "matron"))
    assert stored is not None
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
