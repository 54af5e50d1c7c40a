"""A request that fails leaves nothing behind, on every write route: the request owns the
transaction and services never commit (privacy; the guard, ``ltc.web.guard``).

Every POST, PUT, PATCH and DELETE route of the app (read from ``app.routes``, so a new
route must be given a request here or this test fails) is sent a valid request built from
the test samples (``samples*.py``, the feeds' tests) twice, on SQLite and PostgreSQL:

1. with a fault injected at the request's last step: the guard's ``before_commit`` hook
   flushes whatever the route wrote and raises, after the route and its services have
   run and the audit rows are written. Every table of the care store must then hold
   exactly what it held before (a service that commits would leave its rows behind);
2. without the fault: the request must succeed and change the store (so the first
   attempt did have something to leave behind).

The requests run in an order that builds what the next needs, as the access sweep's do.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ltc.care import tables
from ltc.care.auth import services as auth
from ltc.care.auth.models import LoginFailure, Role, User
from ltc.care.contacts import allocation
from ltc.care.contacts.models import ContactAllocation
from ltc.care.db import Base, make_engine, now, sessions, unit_of_work
from ltc.care.events import rules
from ltc.care.events.models import Alert, InboundMessage
from ltc.care.mdt.models import AgendaItem, Meeting
from ltc.care.phone.models import PhoneCall
from ltc.care.recall.models import Invitation
from ltc.care.selfcare.models import Goal, ProgrammeReferral
from ltc.care.wards.models import Ward
from ltc.care.work.models import Task
from ltc.interop.feeds import receive
from ltc.interop.hl7v2 import adt
from ltc.web.deps import Db, guarded_router
from ltc.web.guard import UNSAFE
from ltc.web.policy import policy, routes

from .care import (
    IN_AREA,
    IN_AREA_2,
    LOW,
    MISSING,
    PASSWORD,
    Community,
    api_client,
    db,
    signed_in,
)
from .casemgmt import sweep
from .samples import AS_GP, prepare, samples

assert tables  # every package's models registered, so every table is compared

#: path parameters the person samples fill in with the id of the person's newest row
NEWEST: dict[str, type[Task | ProgrammeReferral | Goal | AgendaItem]] = {
    "task_id": Task, "referral_id": ProgrammeReferral, "goal_id": Goal,
    "item_id": AgendaItem}

#: (register, recall, review and telephone care: an invitation's letter, a call)
NEWEST.update({"invitation_id": Invitation, "call_id": PhoneCall})


class FaultInjectedError(Exception):
    """The failure injected at a request's last step."""


Call = tuple[TestClient, str, str, dict[str, Any]]  # client, method, URL, arguments


@dataclass(frozen=True)
class Step:
    method: str
    route: str  # the route's path as the app declares it
    call: Callable[[World], Call]  # a valid request, made just before it is sent


@dataclass
class World:
    """The app, its store and the clients the steps share."""

    app: Any
    community: Community
    clients: dict[str, TestClient]

    def page(self, username: str) -> TestClient:
        if f"page:{username}" not in self.clients:
            self.clients[f"page:{username}"] = signed_in(self.app, username)
        return self.clients[f"page:{username}"]

    def api(self, username: str) -> TestClient:
        if f"api:{username}" not in self.clients:
            self.clients[f"api:{username}"] = api_client(self.app, username)
        return self.clients[f"api:{username}"]

    def user(self, username: str) -> int:
        with db(self.community.url) as s:
            found = s.scalar(select(User.id).where(User.username == username))
        assert found is not None, username
        return found

    def scalar(self, statement: Any) -> Any:
        with db(self.community.url) as s:
            return s.scalar(statement)


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the care store."""
    with db(url) as s:
        return {t.name: [tuple(row) for row in s.execute(
                    select(t).order_by(*(t.primary_key.columns or t.columns)))]
                for t in Base.metadata.sorted_tables}


def _changed(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@contextmanager
def fault_before_commit(app: Any) -> Iterator[None]:
    def fail(session: Session) -> None:
        session.flush()  # whatever the route left pending is written too
        raise FaultInjectedError("injected at the request's last step")

    app.state.before_commit = fail
    try:
        yield
    finally:
        app.state.before_commit = None


# -- the requests ----------------------------------------------------------------------
def _person_steps(users: dict[str, int]) -> list[Step]:
    """The write requests of the access sweep's samples, on ``IN_AREA``."""
    out = []
    for method, route, kind, args in samples(users):
        if method not in UNSAFE:
            continue

        def call(w: World, method: str = method, route: str = route, kind: str = kind,
                 args: dict[str, Any] = args) -> Call:
            client = (w.page("gp") if route in AS_GP else w.page("matron") if kind == "page"
                      else w.api("matron"))
            fixed = dict(getattr(route, "fixed", {}))
            for name, model in NEWEST.items():  # a failed insert may use up an id
                if name in fixed:
                    fixed[name] = w.scalar(select(func.max(model.id)).where(
                        model.nhs_number == IN_AREA))
            return client, method, str.format(str(route), nhs_number=IN_AREA, **fixed), args
        out.append(Step(method, str(route), call))
    return out


def _login(w: World) -> Call:
    client = TestClient(w.app, base_url="https://testserver")
    token = client.get("/login").text.split('name="login_csrf" value="')[1].split('"')[0]
    return client, "POST", "/login", {"data": {"username": "gp2", "password": PASSWORD,
                                               "login_csrf": token, "next": "/"}}


def _alert(w: World, user: str, n: int = 0) -> int:
    """The ``n``th open alert in ``user``'s inbox, oldest first."""
    listed = w.api(user).get("/api/v1/inbox").json()
    alerts = sorted(a["id"] for a in listed["alerts"] + listed["snoozed"])
    assert len(alerts) > n, listed
    return alerts[n]


def _message(w: World, status: str) -> int:
    found = w.scalar(select(func.min(InboundMessage.id)).where(
        InboundMessage.status == status))
    assert found is not None, status
    return int(found)


def _outbox(w: World) -> Call:
    """Send the practice's waiting letters and texts, to an outbox of the sweep's own."""
    w.app.state.data_dir = Path(tempfile.mkdtemp(prefix="ltc-outbox-"))
    return w.page("gp"), "POST", "/recall/outbox", {}


def _other_steps() -> list[Step]:
    def fhir(w: World) -> Call:
        from .feeds.test_fhir import FHIR_JSON, encounter

        return (w.api("pas-interface"), "POST", "/api/v1/feeds/fhir",
                {"json": encounter(nhs_number=IN_AREA_2, ident="enc-atomic"),
                 "headers": FHIR_JSON})

    def ambulance(w: World) -> Call:
        from .feeds.test_ambulance import incident

        return (w.api("pas-interface"), "POST", "/api/v1/feeds/ambulance",
                {"json": incident("INC-ATOMIC", nhs_number=IN_AREA_2)})

    def until() -> str:
        return (now() + timedelta(days=2)).isoformat()

    return [
        Step("POST", "/login", _login),
        Step("POST", "/api/v1/session", lambda w: (
            TestClient(w.app, base_url="https://testserver"), "POST", "/api/v1/session",
            {"json": {"username": "gp2", "password": PASSWORD}})),
        Step("DELETE", "/api/v1/session", lambda w: (
            api_client(w.app, "gp2"), "DELETE", "/api/v1/session", {})),
        Step("POST", "/logout", lambda w: (signed_in(w.app, "gp2"), "POST", "/logout", {})),
        Step("POST", "/break-glass/{nhs_number}", lambda w: (
            w.page("gp2"), "POST", f"/break-glass/{IN_AREA}",
            {"data": {"reason": "Seen in the emergency department, unconscious"}})),
        Step("POST", "/admin/users", lambda w: (
            w.page("admin"), "POST", "/admin/users",
            {"data": {"username": "nurse", "display_name": "Nurse", "role": "case_manager",
                      "password": "a long enough password", "password_again":
                      "a long enough password"}})),
        Step("POST", "/admin/users/{user_id}/profile", lambda w: (
            w.page("admin"), "POST", f"/admin/users/{w.user('nurse')}/profile",
            {"data": {"job_title": "Community matron", "locality_code": "L2",
                      "practices": "P2", "capacity": "40"}})),
        Step("POST", "/admin/users/{user_id}/password", lambda w: (
            w.page("admin"), "POST", f"/admin/users/{w.user('nurse')}/password",
            {"data": {"password": "another long password",
                      "password_again": "another long password"}})),
        Step("POST", "/admin/users/{user_id}/deactivate", lambda w: (
            w.page("admin"), "POST", f"/admin/users/{w.user('nurse')}/deactivate", {})),
        Step("POST", "/admin/users/{user_id}/reactivate", lambda w: (
            w.page("admin"), "POST", f"/admin/users/{w.user('nurse')}/reactivate", {})),
        # the practice's alerts: snoozed, assigned to the matron, acknowledged
        Step("POST", "/alerts/{alert_id}/snooze", lambda w: (
            w.page("gp"), "POST", f"/alerts/{_alert(w, 'gp')}/snooze", {"data": {"days": 3}})),
        Step("POST", "/api/v1/alerts/{alert_id}/snooze", lambda w: (
            w.api("gp"), "POST", f"/api/v1/alerts/{_alert(w, 'gp')}/snooze",
            {"json": {"until": until()}})),
        Step("POST", "/alerts/{alert_id}/assign", lambda w: (
            w.page("gp"), "POST", f"/alerts/{_alert(w, 'gp')}/assign",
            {"data": {"to_user_id": w.user("matron")}})),
        Step("POST", "/api/v1/alerts/{alert_id}/assign", lambda w: (
            w.api("gp"), "POST", f"/api/v1/alerts/{_alert(w, 'gp')}/assign",
            {"json": {"to_user_id": w.user("matron")}})),
        Step("POST", "/alerts/{alert_id}/acknowledge", lambda w: (
            w.page("gp"), "POST", f"/alerts/{_alert(w, 'gp')}/acknowledge", {})),
        Step("POST", "/api/v1/alerts/{alert_id}/acknowledge", lambda w: (
            w.api("matron"), "POST", f"/api/v1/alerts/{_alert(w, 'matron')}/acknowledge",
            {})),
        # the quarantine and the review queue
        Step("POST", "/admin/messages/{message_id}/replay", lambda w: (
            w.page("admin"), "POST", f"/admin/messages/{_message(w, 'quarantined')}/replay",
            {})),
        Step("POST", "/admin/messages/{message_id}/match", lambda w: (
            w.page("admin"), "POST", f"/admin/messages/{_message(w, 'unmatched')}/match",
            {"data": {"nhs_number": LOW}})),
        Step("POST", "/admin/messages/{message_id}/dismiss", lambda w: (
            w.page("admin"), "POST", f"/admin/messages/{_message(w, 'unmatched')}/dismiss",
            {"data": {"reason": "A test message sent by the PAS supplier"}})),
        Step("POST", "/api/v1/feeds/fhir", fhir),
        Step("POST", "/api/v1/feeds/ambulance", ambulance),
        # the practice's recall list: people invited from it, the outbox sent
        Step("POST", "/recall/invitations", lambda w: (
            w.page("gp"), "POST", "/recall/invitations", {"data": {"nhs_number": [LOW]}})),
        Step("POST", "/recall/outbox", _outbox),
        # the practice's MDT meetings and named contacts
        Step("POST", "/mdt", lambda w: (
            w.page("gp"), "POST", "/mdt", {"data": {"held_on": date.today().isoformat()}})),
        Step("POST", "/api/v1/mdt/meetings", lambda w: (
            w.api("gp"), "POST", "/api/v1/mdt/meetings",
            {"json": {"held_on": date.today().isoformat()}})),
        Step("POST", "/mdt/{meeting_id}/attendees", lambda w: (
            w.page("gp"), "POST", f"/mdt/{_newest(w, Meeting)}/attendees",
            {"data": {"attendee": [w.user("gp")], "others": "Jo Smith, social worker"}})),
        Step("POST", "/mdt/{meeting_id}/close", lambda w: (
            w.page("gp"), "POST", f"/mdt/{_newest(w, Meeting)}/close", {})),
        Step("POST", "/wards/defaults", lambda w: (w.page("admin"), "POST", "/wards/defaults",
                                                  {})),
        Step("POST", "/wards", lambda w: (w.page("admin"), "POST", "/wards", {"data": {
            "name": "Virtual ward North", "locality_code": "L2", "practices": "P2",
            "capacity": "30", "coordinator": w.user("matron2")}})),
        Step("POST", "/wards/{ward_id}/edit", lambda w: (
            w.page("admin"), "POST", f"/wards/{_newest(w, Ward)}/edit", {"data": {
                "name": "Virtual ward South", "locality_code": "L2", "practices": "P2",
                "capacity": "35", "coordinator": w.user("matron2")}})),
        Step("POST", "/contacts/allocation", _allocation),
        # a rebalancing proposal saved, approved and undone by the locality's team lead
        Step("POST", "/caseloads/proposals", lambda w: (
            w.page(sweep.lead(w.community.url)), "POST", "/caseloads/proposals", {})),
        Step("POST", "/caseloads/proposals/{proposal_id}/approve", lambda w: (
            w.page("lead"), "POST",
            f"/caseloads/proposals/{sweep.newest(w.community.url)}/approve", {})),
        Step("POST", "/caseloads/proposals/{proposal_id}/undo", lambda w: (
            w.page("lead"), "POST",
            f"/caseloads/proposals/{sweep.newest(w.community.url)}/undo", {})),
        Step("POST", "/contacts/allocations/{allocation_id}/undo", lambda w: (
            w.page("gp"), "POST", f"/contacts/allocations/{_newest(w, ContactAllocation)}/undo",
            {})),
    ]


def _newest(w: World, model: type[Meeting | ContactAllocation | Ward]) -> int:
    found = w.scalar(select(func.max(model.id)))
    assert found is not None, model
    return int(found)


def _allocation(w: World) -> Call:
    """Name contacts for practice P1's people on a register among its GP, as previewed."""
    gp = w.user("gp")
    with db(w.community.url) as s:
        fingerprint = allocation.plan(s, "P1", [gp]).fingerprint
    return (w.page("gp"), "POST", "/contacts/allocation",
            {"data": {"clinician": [gp], "fingerprint": fingerprint}})


def _prepare(community: Community) -> None:
    """What no write route makes: hospital messages (the sweep's, and some for the
    practice's inbox and the administrators' queues) and an interface user."""
    prepare(community.url, community.users)
    at = now() - timedelta(days=1)
    engine = make_engine(community.url)
    try:
        with unit_of_work(sessions(engine)) as s:
            loaded = rules.load()
            for i, nhs in enumerate((IN_AREA_2, LOW, IN_AREA_2, LOW)):
                receive(s, loaded, "hl7v2", adt.message("A01", f"ATOMIC-{i}", nhs, at,
                                                         spell_id=f"AS{i}"))
            receive(s, loaded, "hl7v2", "HELLO, this is not HL7")
            for i in range(2):
                receive(s, loaded, "hl7v2", adt.message("A01", f"ATOMIC-U{i}", MISSING, at))
            auth.create_user(s, "pas-interface", "Hospital PAS", Role.INTERFACE, PASSWORD)
        with unit_of_work(sessions(engine)) as s:
            assert s.scalar(select(func.count()).select_from(Alert)) >= 5
    finally:
        engine.dispose()


def steps(users: dict[str, int]) -> list[Step]:
    return _person_steps(users) + _other_steps()


def write_routes(app: Any) -> set[tuple[str, str]]:
    return {(m, r.path) for r in routes(app) for m in r.methods & UNSAFE}


def test_every_write_route_has_a_request(app: Any, community: Community) -> None:
    listed = [(s.method, s.route) for s in steps(community.users)]
    assert len(listed) == len(set(listed))
    assert set(listed) == write_routes(app), "give each new write route a request here"


def _send(call: Call) -> Any:
    client, method, url, args = call
    return client.request(method, url, follow_redirects=False, **args)


def left_behind(app: Any, url: str, call: Call,
                before: dict[str, list[tuple[Any, ...]]] | None = None) -> list[str]:
    """The tables a request failing at its last step changed (none, when the request
    owns its transaction); ``before``: the store's snapshot just before, if taken."""
    before = snapshot(url) if before is None else before
    with fault_before_commit(app), pytest.raises(FaultInjectedError):
        _send(call)
    return _changed(before, snapshot(url))


def test_a_failing_request_leaves_nothing_behind_on_every_write_route(
        app: Any, community: Community) -> None:
    _prepare(community)
    world = World(app, community, {})
    for step in steps(community.users):
        call = step.call(world)
        before = snapshot(community.url)
        assert not (changed := left_behind(app, community.url, call, before)), (
            f"{step.method} {step.route} failed but left changes in {changed}")
        r = _send(call)
        assert r.status_code < 400, (step.method, step.route, r.status_code, r.text[:500])
        assert _changed(before, snapshot(community.url)), (
            f"{step.method} {step.route} succeeded but changed nothing")


def test_a_service_that_commits_is_caught(app: Any, community: Community) -> None:
    """The check above fails for a route whose service commits part of its work."""
    router = guarded_router()

    @router.post("/committing")
    @policy("public")
    def committing(db: Db) -> dict[str, str]:
        db.add(LoginFailure(username="committed by a service"))
        db.commit()  # what a service must never do
        db.add(LoginFailure(username="left to the request"))
        return {}

    app.include_router(router)
    client = TestClient(app, base_url="https://testserver")
    assert left_behind(app, community.url, (client, "POST", "/committing", {})) == [
        "login_failure"]
    with db(community.url) as s:
        assert s.scalars(select(LoginFailure.username)).all() == ["committed by a service"]
