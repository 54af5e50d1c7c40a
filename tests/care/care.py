"""Care-plane fixtures: a migrated care store on SQLite and on PostgreSQL (every test
that uses ``care_url`` runs on both), a small stratified community, users, and HTTP
clients signed in as each of them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role
from ltc.care.casemgmt.models import CaseManager, CoveredPractice
from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
from ltc.care.people.models import Person, PersonResult, StratRun

POSTGRES = os.environ.get("LTC_TEST_POSTGRES",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgresql"])
def care_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty care store; on PostgreSQL in a schema of its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'care.db'}"
        upgrade(url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# NHS numbers with valid check digits
IN_AREA = "9434765919"  # locality L1, practice P1, level 3
IN_AREA_2 = "9000000009"  # locality L1, practice P1, level 3
OTHER_AREA = "9000000017"  # locality L2, practice P2, level 3
LOW = "9000000025"  # locality L1, practice P1, level 1
MISSING = "9000000033"  # nobody


@dataclass
class Community:
    url: str
    users: dict[str, int]


def seed(url: str) -> Community:
    engine = make_engine(url)
    factory = sessions(engine)
    users: dict[str, int] = {}
    with unit_of_work(factory) as s:
        s.add(StratRun(id="run-0001", as_of=date(2025, 3, 31), people=4, current=True))
        s.flush()
        for nhs, loc, prac, level, risk in ((IN_AREA, "L1", "P1", 3, 0.61),
                                            (IN_AREA_2, "L1", "P1", 3, 0.42),
                                            (OTHER_AREA, "L2", "P2", 3, 0.55),
                                            (LOW, "L1", "P1", 1, 0.03)):
            s.add(Person(nhs_number=nhs, date_of_birth=date(1940, 5, 17), sex="F",
                         practice_code=prac, locality_code=loc))
            s.add(PersonResult(run_id="run-0001", nhs_number=nhs, level=level,
                               locality_code=loc, practice_code=prac,
                               level_basis="case-finding rules met" if level == 3 else "LTC",
                               reasons="Castlefields: Aged 65 or over", risk=risk,
                               risk_percentile=99.0, age=84, ltc_count=4,
                               registers="copd,heart_failure"))
        for name, role, practice in (("matron", Role.CASE_MANAGER, None),
                                     ("matron2", Role.CASE_MANAGER, None),
                                     ("gp", Role.PRACTICE_CLINICIAN, "P1"),
                                     ("gp2", Role.PRACTICE_CLINICIAN, "P2"),
                                     ("analyst", Role.ANALYST, None),
                                     ("admin", Role.ADMIN, None),
                                     ("social", Role.SOCIAL_WORKER, None),
                                     ("dnurse", Role.COMMUNITY_NURSE, None)):
            u = auth.create_user(s, name, name.title(), role, PASSWORD, practice)
            users[name] = u.id
        s.add(CaseManager(user_id=users["matron"], job_title="Community matron",
                          locality_code="L1"))
        s.add(CaseManager(user_id=users["matron2"], job_title="Care co-ordinator",
                          locality_code="L2"))
        s.flush()
        s.add(CoveredPractice(user_id=users["matron"], practice_code="P1"))
    engine.dispose()
    return Community(url, users)


@pytest.fixture
def community(care_url: str) -> Community:
    return seed(care_url)


@pytest.fixture
def app(community: Community) -> Iterator[object]:
    from ltc.web.app import create_app

    application = create_app(community.url)
    yield application
    application.state.engine.dispose()


def signed_in(app: object, username: str) -> TestClient:
    """A browser-like client signed in through the login form (cookie and CSRF)."""
    client = TestClient(app, base_url="https://testserver")  # type: ignore[arg-type]
    page = client.get("/login")
    token = page.text.split('name="login_csrf" value="')[1].split('"')[0]
    done = client.post("/login", data={"username": username, "password": PASSWORD,
                                       "login_csrf": token, "next": "/"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    home = client.get("/")
    client.headers["X-CSRF-Token"] = home.text.split('"X-CSRF-Token": "')[1].split('"')[0]
    return client


def api_client(app: object, username: str) -> TestClient:
    client = TestClient(app, base_url="https://testserver")  # type: ignore[arg-type]
    r = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return client


def db(url: str) -> Session:
    return sessions(make_engine(url))()
