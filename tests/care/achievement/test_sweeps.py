"""The sweeps of the practice's list routes of medicines and achievement (SC-3, DM-6),
from ``tests/care/samples_practice.py``: every such route has a sample; a role without a
practice list is refused and shown nobody, and another practice's team sees none of the
people; every person a list shows writes exactly one audit row; markup in what a list
shows comes back as text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from ltc.care.audit import services as audit
from ltc.care.audit.models import AuditEvent
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.medicines.models import MedicinesPerson
from ltc.care.people.models import Person
from ltc.web.policy import routes

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, Community, db, signed_in
from ..contacts.team import signed_in_as
from ..samples_practice import LISTS, PREFIXES, ready

XSS = "<script>alert(1)</script><iframe src=x></iframe>"
P1_PEOPLE = (IN_AREA, IN_AREA_2, LOW)


def _shown(text: str, numbers: tuple[str, ...]) -> set[str]:
    spaced = {n: f"{n[:3]} {n[3:6]} {n[6:]}" for n in numbers}
    return {n for n, s in spaced.items() if n in text or s in text}


def test_every_practice_list_route_has_a_sample(app: Any) -> None:
    declared = {r.route for r in LISTS}
    found = {r.path for r in routes(app) if r.path.startswith(PREFIXES)}
    assert found == declared
    assert all("GET" in r.methods and r.methods <= {"GET", "HEAD"} for r in routes(app)
               if r.path.startswith(PREFIXES))


def test_without_a_practice_relationship_nobody_is_shown(app: Any,
                                                         community: Community) -> None:
    ready(community.url, community.users)
    outsiders = {name: signed_in(app, name) for name in ("matron", "analyst", "admin")}
    other_practice = {name: signed_in_as(app, name, "/mdt")
                      for name in ("gp2", "nurse2", "pm2")}
    with db(community.url) as s:
        before = len(s.scalars(select(AuditEvent.seq).where(
            AuditEvent.nhs_number.in_(P1_PEOPLE))).all())
    for listed in LISTS:
        for name, client in outsiders.items():
            r = client.get(listed.path)
            assert r.status_code == 403, (name, listed.path)
            assert not _shown(r.text, (*P1_PEOPLE, OTHER_AREA)), (name, listed.path)
        for name, client in other_practice.items():
            r = client.get(listed.path)
            assert r.status_code == 200, (name, listed.path)
            assert not _shown(r.text, P1_PEOPLE), (name, listed.path)
    with db(community.url) as s:  # none of P1's people read
        after = len(s.scalars(select(AuditEvent.seq).where(
            AuditEvent.nhs_number.in_(P1_PEOPLE))).all())
    assert after == before


def test_every_person_shown_writes_one_audit_row(app: Any, community: Community) -> None:
    ready(community.url, community.users)
    clients = {name: signed_in_as(app, name, "/mdt") for name in {r.user for r in LISTS}}
    for listed in LISTS:
        with db(community.url) as s:
            last = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        r = clients[listed.user].get(listed.path)
        assert r.status_code == 200, listed.path
        assert _shown(r.text, (*P1_PEOPLE, OTHER_AREA)) == listed.shown, listed.path
        with db(community.url) as s:
            rows = s.scalars(select(AuditEvent).where(AuditEvent.seq > (last or 0))).all()
        assert sorted(a.nhs_number or "" for a in rows) == sorted(listed.shown), listed.path
        assert {(a.action, a.what, a.request_id) for a in rows} <= {
            ("list", listed.audited_as, r.headers["X-Request-ID"])}, listed.path
    with db(community.url) as s:
        assert audit.verify(s).intact


def test_markup_in_a_list_shows_as_text(app: Any, community: Community) -> None:
    ready(community.url, community.users)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        s.execute(update(Person).values(given_name=XSS, family_name=XSS))
        s.execute(update(MedicinesPerson).where(MedicinesPerson.non_adherent != "")
                  .values(non_adherent=XSS))
    clients = {name: signed_in_as(app, name, "/mdt") for name in {r.user for r in LISTS}}
    for listed in LISTS:
        text = clients[listed.user].get(listed.path).text
        assert "<script>alert(1)" not in text.lower(), listed.path
        assert "<iframe src=x>" not in text.lower(), listed.path
        if listed.shown:
            assert "&lt;script&gt;" in text.lower(), listed.path
