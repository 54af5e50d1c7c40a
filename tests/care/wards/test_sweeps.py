"""The sweeps of the virtual wards' routes that are not person routes (VW-1; privacy):
every such route has a sample here; outside the ward (a GP of a served practice who is
not on its staff, another practice's GP, another locality's matron, an analyst, an
administrator) nobody on the ward is shown or read; every person the board shows writes
exactly one audit row; markup in what it shows comes back as text; and each write route
(making, changing a ward, the default wards) leaves nothing behind when its request
fails at its last step (as ``tests/care/test_write_routes_atomic.py`` does for the
routes it lists)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update

from ltc.care.audit import services as audit
from ltc.care.audit.models import AuditEvent
from ltc.care.auth.models import User
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import Person
from ltc.care.wards import services
from ltc.care.wards.models import Ward
from ltc.web.guard import UNSAFE
from ltc.web.policy import routes

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, Community, db, signed_in
from ..samples_wards import make_ward
from ..test_write_routes_atomic import _changed, left_behind, snapshot

XSS = "<script>alert(1)</script><iframe src=x></iframe>"
ON_WARD = (IN_AREA, IN_AREA_2)


@dataclass(frozen=True)
class Listed:
    route: str
    path: str
    shown: frozenset[str]  # whom the matron sees on it


def lists(ward: int) -> list[Listed]:
    none: frozenset[str] = frozenset()
    return [Listed("/wards", "/wards", none), Listed("/wards/new", "/wards/new", none),
            Listed("/wards/admit", f"/wards/admit?nhs_number={LOW}", none),
            Listed("/wards/{ward_id}", f"/wards/{ward}", frozenset(ON_WARD)),
            Listed("/wards/{ward_id}/edit", f"/wards/{ward}/edit", none),
            Listed("/wards/{ward_id}/occupancy", f"/wards/{ward}/occupancy", none)]


def ready(url: str, users: dict[str, int]) -> int:
    """Ward L1 (coordinated by the matron), with IN_AREA and IN_AREA_2 on it."""
    ward = make_ward(url, users)
    engine = make_engine(url)
    with unit_of_work(sessions(engine)) as s:
        matron = s.get(User, users["matron"])
        assert matron is not None
        w = services.ward_run_by(s, ward, matron)
        w.coordinator_id = matron.id
        for nhs in ON_WARD:
            services.admit(s, matron, nhs, ward, date.today(), "mdt", "Frailty")
    engine.dispose()
    return ward


def _shown(text: str, numbers: tuple[str, ...]) -> set[str]:
    spaced = {n: f"{n[:3]} {n[3:6]} {n[6:]}" for n in numbers}
    return {n for n, s in spaced.items() if n in text or s in text}


def test_every_ward_route_has_a_sample(app: Any) -> None:
    found = {r.path for r in routes(app) if r.path.startswith("/wards")
             and "{nhs_number}" not in r.path and "GET" in r.methods}
    assert found == {listed.route for listed in lists(1)}


def test_outside_the_ward_nobody_on_it_is_shown(app: Any, community: Community) -> None:
    ward = ready(community.url, community.users)
    # signed in first: a GP's home page (the worklist) lists the practice's people
    clients = {n: signed_in(app, n) for n in ("gp", "gp2", "matron2", "analyst", "admin")}
    with db(community.url) as s:
        before = len(s.scalars(select(AuditEvent.seq).where(
            AuditEvent.nhs_number.in_(ON_WARD))).all())
    for name, client in clients.items():
        for listed in lists(ward):
            r = client.get(listed.path, follow_redirects=False)
            assert r.status_code in (200, 303, 403, 404), (name, listed.path)
            assert not _shown(r.text, (*ON_WARD, OTHER_AREA)), (name, listed.path)
            if listed.shown:
                assert r.status_code in (403, 404), (name, listed.path)
    with db(community.url) as s:
        after = len(s.scalars(select(AuditEvent.seq).where(
            AuditEvent.nhs_number.in_(ON_WARD))).all())
    assert after == before


def test_every_person_shown_writes_one_audit_row(app: Any, community: Community) -> None:
    ward = ready(community.url, community.users)
    matron = signed_in(app, "matron")
    for listed in lists(ward):
        with db(community.url) as s:
            last = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        r = matron.get(listed.path, follow_redirects=False)
        assert r.status_code in (200, 303), listed.path
        assert _shown(r.text, (*ON_WARD, OTHER_AREA, LOW)) == listed.shown, listed.path
        with db(community.url) as s:
            rows = s.scalars(select(AuditEvent).where(AuditEvent.seq > (last or 0))).all()
        assert sorted(a.nhs_number or "" for a in rows) == sorted(listed.shown), listed.path
        assert {(a.action, a.what) for a in rows} <= {("list", f"GET /wards/{ward}")}
    with db(community.url) as s:
        assert audit.verify(s).intact


def test_markup_on_the_board_shows_as_text(app: Any, community: Community) -> None:
    ward = ready(community.url, community.users)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        s.execute(update(Person).values(given_name=XSS, family_name=XSS))
    text = signed_in(app, "matron").get(f"/wards/{ward}").text
    assert "<script>alert(1)" not in text
    assert "<iframe src=x>" not in text
    assert "&lt;script&gt;" in text


def test_a_failing_ward_write_leaves_nothing_behind(app: Any, community: Community) -> None:
    form = {"name": "Virtual ward North", "locality_code": "L1", "practices": "P1",
            "capacity": "30", "coordinator": community.users["matron"]}
    admin = signed_in(app, "admin")
    def first_ward() -> int:  # a failed insert may use up an id (PostgreSQL)
        with db(community.url) as s:
            found = s.scalar(select(func.min(Ward.id)))
        assert found is not None
        return int(found)

    calls: list[Callable[[], Any]] = [
        lambda: (admin, "POST", "/wards/defaults", {}),
        lambda: (admin, "POST", "/wards", {"data": form}),
        lambda: (admin, "POST", f"/wards/{first_ward()}/edit",
                 {"data": {**form, "name": "Virtual ward South", "capacity": "35"}})]
    assert {("POST", p) for p in ("/wards/defaults", "/wards", "/wards/{ward_id}/edit")} \
        == {(m, r.path) for r in routes(app) if r.path.startswith("/wards")
            and "{nhs_number}" not in r.path for m in r.methods & UNSAFE}
    for make in calls:
        call = make()
        before = snapshot(community.url)
        assert not left_behind(app, community.url, call), call[2]
        client, method, path, args = call
        r = client.request(method, path, follow_redirects=False, **args)
        assert r.status_code == 303, (path, r.text[-300:])
        assert _changed(before, snapshot(community.url)), path
