"""The medicines page over HTTP (SC-3): a practice's team (GP, nurse, manager) sees its
own practice's three lists with their counts, each person shown audited and linked to
their page; nobody else may open it; markup in a medicine's name or a person's name shows
as text; the navigation's links lead to pages the role may open."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from ltc.care.audit.models import AuditEvent
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.medicines.models import MedicinesPerson
from ltc.care.people.models import Person

from ..care import IN_AREA, IN_AREA_2, LOW, Community, db, signed_in
from ..contacts.team import add_team, signed_in_as
from .setup import add_medicines

XSS = "<script>alert(1)</script><iframe src=x></iframe>"


def _ready(community: Community) -> None:
    add_medicines(community.url)
    add_team(community.url, community.users)


def test_the_lists_are_the_practices_own_and_each_person_is_audited(
        app: Any, community: Community) -> None:
    _ready(community)
    nurse = signed_in_as(app, "nurse", "/medicines")
    page = nurse.get("/medicines")
    assert page.status_code == 200
    assert "Medication review due (2)" in page.text
    assert 'id="tab-adherence">Low adherence (2)' in page.text
    assert "Polypharmacy (1)" in page.text
    assert page.text.index("943 476 5919") < page.text.index("900 000 0025")
    assert f'href="/people/{IN_AREA}"' in page.text
    assert "900 000 0017" not in page.text  # practice P2's
    low = nurse.get("/medicines", params={"list": "adherence"}).text
    assert "Low adherence: Metformin 500mg tablets, Ramipril 5mg capsules (PDC 63%)" in low
    assert low.index("900 000 0009") < low.index("943 476 5919")  # PDC 41% before 63%
    poly = nurse.get("/medicines", params={"list": "polypharmacy"}).text
    assert "943 476 5919" in poly
    assert "900 000 0025" not in poly
    with db(community.url) as s:
        listed = s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.action == "list", AuditEvent.what == "GET /medicines")).all()
    # the review list read twice (signing in read it once), the other two once each
    assert sorted(listed) == sorted([*[IN_AREA, LOW] * 2, IN_AREA_2, IN_AREA, IN_AREA])
    other = signed_in_as(app, "nurse2", "/medicines").get("/medicines").text
    assert "900 000 0017" in other
    assert "943 476 5919" not in other


@pytest.mark.parametrize("user", ["gp", "pm"])
def test_the_practices_gp_and_manager_see_it_too(app: Any, community: Community,
                                                 user: str) -> None:
    _ready(community)
    client = signed_in_as(app, user, "/medicines")
    assert "943 476 5919" in client.get("/medicines").text


@pytest.mark.parametrize("user", ["matron", "analyst", "admin"])
def test_nobody_else_may_open_it(app: Any, community: Community, user: str) -> None:
    _ready(community)
    assert signed_in(app, user).get("/medicines").status_code == 403


def test_a_practice_user_without_a_practice_is_told_why(app: Any,
                                                        community: Community) -> None:
    _ready(community)
    from ltc.care.auth.models import User
    with unit_of_work(sessions(make_engine(community.url))) as s:
        s.execute(update(User).where(User.username == "nurse").values(practice_code=None))
    r = signed_in_as(app, "nurse", "/mdt").get("/medicines")
    assert r.status_code == 403
    assert "belongs to no practice" in r.text


def test_markup_shows_as_text(app: Any, community: Community) -> None:
    _ready(community)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        s.execute(update(MedicinesPerson).where(MedicinesPerson.nhs_number == IN_AREA)
                  .values(non_adherent=XSS))
        s.execute(update(Person).where(Person.nhs_number == IN_AREA).values(given_name=XSS))
    nurse = signed_in_as(app, "nurse", "/medicines")
    for chosen in ("review", "adherence", "polypharmacy"):
        text = nurse.get("/medicines", params={"list": chosen}).text
        assert "<script>alert(1)" not in text
        assert "<iframe src=x>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_an_unknown_list_shows_the_first(app: Any,
                                                     community: Community) -> None:
    _ready(community)
    nurse = signed_in_as(app, "nurse", "/medicines")
    assert "Medication review due (2)</strong>" in nurse.get(
        "/medicines", params={"list": "<b>x</b>"}).text


@pytest.mark.parametrize("user", ["gp", "nurse", "pm"])
def test_the_navigation_links_open_for_the_role(app: Any, community: Community,
                                                user: str) -> None:
    _ready(community)
    client = signed_in_as(app, user, "/medicines")
    nav = client.get("/medicines").text.split('aria-label="Main"')[1].split("</nav>")[0]
    links = [part.split('"')[0] for part in nav.split('href="')[1:]]
    for wanted in ("/recall", "/selfcare/programmes", "/medicines", "/achievement"):
        assert wanted in links
    assert ("/phone" in links) == (user != "pm")  # calls are made by clinicians
    for link in links:
        assert client.get(link).status_code == 200, (user, link)
