"""A practice team for the seeded community (DM-3, DM-4): a practice nurse and a practice
manager at practice P1 (with the GP ``gp``), a nurse and a manager at P2 (with ``gp2``),
added beside the users :func:`tests.care.care.seed` makes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role
from ltc.care.db import make_engine, sessions, unit_of_work

from ..care import PASSWORD

#: user name: (display name, role, practice)
TEAM = {"nurse": ("Nia Nurse", Role.PRACTICE_NURSE, "P1"),
        "pm": ("Pat Manager", Role.PRACTICE_MANAGER, "P1"),
        "nurse2": ("Noor Nurse", Role.PRACTICE_NURSE, "P2"),
        "pm2": ("Priya Manager", Role.PRACTICE_MANAGER, "P2")}


def add_team(url: str, users: dict[str, int]) -> dict[str, int]:
    """Add the team's users to the store at ``url`` and to ``users``; return ``users``."""
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            for name, (display, role, practice) in TEAM.items():
                if name not in users:
                    users[name] = auth.create_user(s, name, display, role, PASSWORD,
                                                   practice).id
    finally:
        engine.dispose()
    return users


def signed_in_as(app: object, username: str, page: str) -> TestClient:
    """A browser-like client signed in as ``username``, its CSRF header read from ``page``
    (a page the user may open: a practice manager's home is the MDT list)."""
    client = TestClient(app, base_url="https://testserver")  # type: ignore[arg-type]
    form = client.get("/login")
    token = form.text.split('name="login_csrf" value="')[1].split('"')[0]
    done = client.post("/login", data={"username": username, "password": PASSWORD,
                                       "login_csrf": token, "next": "/"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    text = client.get(page).text
    client.headers["X-CSRF-Token"] = text.split('"X-CSRF-Token": "')[1].split('"')[0]
    return client
