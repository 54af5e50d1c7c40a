"""The legitimate relationship's two forms agree (CM-1; privacy): for a generated care
store of users in every role (case managers with and without a profile, in and out of
localities, covering practices or not; practice clinicians, nurses and managers of each
practice or none)
and people (of each locality and practice, or neither), with caseload entries open and
ended, wider-team allocations open and ended and assigned care-plan actions (held by
every role), and break-glass grants live, expired and held by roles that cannot use them, the
SQL form (``access.MAY_SEE``, ``access.LOOKS_AFTER``) selects exactly the people the
Python form (``access.access``, ``access.looks_after``) allows, for every user, on
SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care import access
from ltc.care.auth.models import PRACTICE_ROLES, WIDER_TEAM, BreakGlass, Role, User
from ltc.care.casemgmt.models import CaseloadEntry, CaseManager, CoveredPractice
from ltc.care.db import make_engine, now, sessions, unit_of_work
from ltc.care.people.models import Person
from ltc.care.team.models import PlanAction, TeamAllocation
from ltc.care.wards.models import Ward, WardStaff, WardStay

PRACTICES = ("P1", "P2", "P3", None)
LOCALITIES = ("L1", "L2", "L3", None)
ROLES = tuple(Role)
#: a store whose draw reaches every branch of the rule (asserted below)
SEED = 14


def _generate(url: str, seed: int) -> None:
    rng = random.Random(seed)
    today = date.today()
    with unit_of_work(sessions(make_engine(url))) as s:
        people = []
        for number in (f"{9_000_000_000 + i:010d}" for i in range(60)):
            people.append(Person(nhs_number=number, date_of_birth=date(1940, 1, 1), sex="F",
                                 practice_code=rng.choice(PRACTICES),
                                 locality_code=rng.choice(LOCALITIES)))
        s.add_all(people)
        users = []
        for i in range(4 * len(ROLES)):  # three of each role, then any
            role = ROLES[i % len(ROLES)] if i < 3 * len(ROLES) else rng.choice(ROLES)
            practice = rng.choice(PRACTICES)
            if role in PRACTICE_ROLES and 2 * len(ROLES) <= i < 3 * len(ROLES):
                practice = None  # a practice user whose practice is not recorded
            users.append(User(username=f"u{i}", display_name=f"U{i}", role=role.value,
                              password_hash="-", practice_code=practice))
        s.add_all(users)
        s.flush()
        managers = []
        # the first case manager has no profile (no locality); the first user of each
        # practice role keeps one from an earlier role, with its caseload, which no longer
        # counts
        kept = [next(u for u in users if u.role == r) for r in PRACTICE_ROLES]
        for user in users:
            if (user.role == Role.CASE_MANAGER and user is not users[0]) or user in kept:
                s.add(CaseManager(user_id=user.id, job_title="Matron",
                                  locality_code=rng.choice(LOCALITIES[:3])))
                managers.append(user)
        s.flush()
        for user in managers:
            covers = 2 if user in kept else rng.randint(0, 2)
            for practice in rng.sample(PRACTICES[:3], covers):
                s.add(CoveredPractice(user_id=user.id, practice_code=practice))
            for person in rng.sample(people, 16):
                ended = rng.random() < 0.5
                s.add(CaseloadEntry(nhs_number=person.nhs_number, user_id=user.id,
                                    started_on=today - timedelta(days=30),
                                    allocated_by=user.id,
                                    ended_on=today - timedelta(days=1) if ended else None))
        # two wards: co-ordinated by case managers; every third user (every role) on the
        # staff of one; people on them now, and people whose stay has ended
        cms = [u for u in users if u.role == Role.CASE_MANAGER]
        wards = [Ward(name=f"W{i}", locality_code="L1", coordinator_id=cms[i].id)
                 for i in (1, 2)]
        s.add_all(wards)
        s.flush()
        for i, user in enumerate(users):
            if i % 3 == 0:
                s.add(WardStaff(ward_id=wards[(i // 3) % 2].id, user_id=user.id))
        for i, person in enumerate(rng.sample(people, 30)):
            ended = i % 2 == 1
            s.add(WardStay(ward_id=wards[i % 3 % 2].id, nhs_number=person.nhs_number,
                           admitted_on=today - timedelta(days=10), source="worklist",
                           reason="Falls", admitted_by=cms[1].id,
                           discharged_on=today - timedelta(days=1) if ended else None,
                           outcome="to_level_2" if ended else None))
        for user in users:  # every role, so grants no role may use are tried too
            for person in rng.sample(people, 5):
                live = rng.random() < 0.6
                s.add(BreakGlass(user_id=user.id, nhs_number=person.nhs_number,
                                 reason="Seen in the emergency department",
                                 expires_at=now() + timedelta(hours=2 if live else -2)))
        # the wider team (a draw of its own, so the draws above stay as they were): every
        # role allocated people (open and ended) and assigned care-plan actions, so
        # allocations and actions no role but the wider team's may use are tried too
        team = random.Random(seed + 1)
        for user in users:
            for person in team.sample(people, 4):
                ended = team.random() < 0.5
                s.add(TeamAllocation(nhs_number=person.nhs_number, user_id=user.id,
                                     allocated_by=cms[1].id,
                                     started_on=today - timedelta(days=30), reason="",
                                     ended_on=today - timedelta(days=1) if ended else None))
            for j, person in enumerate(team.sample(people, 4)):
                s.add(PlanAction(nhs_number=person.nhs_number, key=f"u{user.id}a{j}",
                                 assignee_id=user.id, what="Visit", plan_version=1,
                                 status="open", note=""))


def _reasons(s: Session, at: datetime) -> dict[tuple[int, str], set[str]]:
    """What links each user to each person in the generated store (whatever the role):
    the branches the rule has to decide between."""
    out: dict[tuple[int, str], set[str]] = defaultdict(set)
    people = s.scalars(select(Person)).all()
    managers = {m.user_id: m for m in s.scalars(select(CaseManager))}
    covered = {(u, p) for u, p in s.execute(select(CoveredPractice.user_id,
                                                   CoveredPractice.practice_code))}
    for e in s.scalars(select(CaseloadEntry)):
        out[e.user_id, e.nhs_number].add("caseload" if e.ended_on is None else "ended")
    team: dict[int, set[int]] = defaultdict(set)
    for ward in s.scalars(select(Ward)):
        if ward.coordinator_id is not None:
            team[ward.id].add(ward.coordinator_id)
    for member in s.scalars(select(WardStaff)):
        team[member.ward_id].add(member.user_id)
    for stay in s.scalars(select(WardStay)):
        for user_id in team[stay.ward_id]:
            out[user_id, stay.nhs_number].add("ward" if stay.discharged_on is None
                                              else "ward_ended")
    for a in s.scalars(select(TeamAllocation)):
        out[a.user_id, a.nhs_number].add("allocated" if a.ended_on is None
                                         else "allocation_ended")
    for action in s.scalars(select(PlanAction)):
        out[action.assignee_id, action.nhs_number].add("assigned")
    for g in s.scalars(select(BreakGlass)):
        out[g.user_id, g.nhs_number].add("glass" if g.expires_at > at else "expired")
    for user in s.scalars(select(User)):
        for p in people:
            m = managers.get(user.id)
            if m is not None and p.locality_code == m.locality_code:
                out[user.id, p.nhs_number].add("locality")
            if (user.id, p.practice_code) in covered:
                out[user.id, p.nhs_number].add("covered")
            if user.practice_code is not None and p.practice_code == user.practice_code:
                out[user.id, p.nhs_number].add("practice")
    return out


def test_the_sql_form_selects_whom_the_python_form_allows(care_url: str) -> None:
    _generate(care_url, seed=SEED)
    with sessions(make_engine(care_url))() as s:
        users = s.scalars(select(User).order_by(User.id)).all()
        people = s.scalars(select(Person.nhs_number).order_by(Person.nhs_number)).all()
        at = now()
        decided: set[tuple[str, frozenset[str], bool]] = set()
        reasons = _reasons(s, at)
        for user in users:
            bound = access.params(user, at)
            in_sql = set(s.scalars(select(Person.nhs_number).where(access.MAY_SEE), bound))
            looked_after = set(s.scalars(select(Person.nhs_number)
                                         .where(access.LOOKS_AFTER), bound))
            grants = {n: access.access(s, user, n, at) for n in people}
            allowed = {n for n, grant in grants.items() if grant.allowed}
            assert in_sql == allowed, (user.username, user.role,
                                       sorted(in_sql ^ allowed))
            assert looked_after == {n for n in people if access.looks_after(s, user, n)}, (
                user.username, user.role)
            assert {n for n, g in grants.items() if g.break_glass} == allowed - looked_after
            for n in people:
                decided.add((user.role, frozenset(reasons[user.id, n]), n in allowed))
        # the generated store reaches every branch of the rule, both ways
        cm, gp = Role.CASE_MANAGER.value, Role.PRACTICE_CLINICIAN.value
        nurse, manager = Role.PRACTICE_NURSE.value, Role.PRACTICE_MANAGER.value
        for role, reason, allowed_ in [
                (cm, "caseload", True), (cm, "locality", True), (cm, "covered", True),
                (cm, "glass", True), (cm, "ended", False), (cm, "expired", False),
                (cm, "practice", False), (gp, "practice", True), (gp, "glass", True),
                (gp, "expired", False), (gp, "locality", False), (gp, "caseload", False),
                (gp, "covered", False), (nurse, "practice", True), (nurse, "glass", True),
                (nurse, "expired", False), (nurse, "caseload", False),
                (manager, "practice", True), (manager, "caseload", False),
                (cm, "ward", True), (gp, "ward", True), (nurse, "ward", True),
                (cm, "ward_ended", False), (manager, "ward", False),
                *((r.value, "ward", False) for r in Role if r not in access.CLINICAL),
                (Role.OUT_OF_HOURS.value, "glass", True),
                *((r.value, "glass", False) for r in Role
                  if r not in access.BREAK_GLASS_ROLES),
                *((r.value, "practice", False) for r in Role
                  if r not in (*access.CLINICAL, *PRACTICE_ROLES)),
                *((r.value, why, True) for r in WIDER_TEAM for why in ("allocated",
                                                                       "assigned")),
                *((r.value, why, False) for r in WIDER_TEAM
                  for why in ("allocation_ended", "glass", "practice")),
                *((r.value, why, False) for r in Role if r not in WIDER_TEAM
                  for why in ("allocated", "assigned"))]:
            assert (role, frozenset({reason}), allowed_) in decided, (role, reason)
        assert any(role == cm and not why and not ok for role, why, ok in decided)
        assert access.access(s, users[0], "0000000000").allowed is False  # nobody's record
