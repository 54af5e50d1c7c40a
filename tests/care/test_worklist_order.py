"""The worklist's candidates against a plain reading of their definition (CM-2, CM-3,
STRAT-7), over random communities: every person at level 3 of the current run living in
the case manager's locality or registered with a practice they cover, or nominated and
in that area, and not on an open caseload, not excluded, not declined with a review
date ahead, not dead; highest risk first (no risk last), then NHS number; each page the
matching slice."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role, User
from ltc.care.casemgmt import services as cases
from ltc.care.casemgmt.models import (
    Approach,
    CaseloadEntry,
    CaseManager,
    CoveredPractice,
    Nomination,
)
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import Person, PersonResult, StratRun

TODAY = date(2025, 6, 1)


def _community(url: str, rng: random.Random) -> tuple[int, set[str], list[tuple[str, float, bool]]]:
    """Make a random community; return the manager, their practices and the expected
    candidates in order."""
    factory = sessions(make_engine(url))
    people = [f"{9_000_000_000 + i:010d}" for i in range(rng.randint(40, 90))]
    with unit_of_work(factory) as s:
        s.add(StratRun(id="run-0001", as_of=date(2024, 3, 31), people=1, current=False))
        s.add(StratRun(id="run-0002", as_of=date(2025, 3, 31), people=1, current=True))
        admin = auth.create_user(s, "admin", "Admin", Role.ADMIN, "correct horse battery")
        matron = auth.create_user(s, "matron", "Matron", Role.CASE_MANAGER,
                                  "correct horse battery")
        other = auth.create_user(s, "other", "Other", Role.CASE_MANAGER,
                                 "correct horse battery")
        s.add_all([CaseManager(user_id=matron.id, job_title="Community matron",
                               locality_code="L1"),
                   CaseManager(user_id=other.id, job_title="Community matron",
                               locality_code="L2")])
        s.flush()
        covered = set(rng.sample(["P2", "P3", "P4"], rng.randint(0, 2)))
        s.add_all(CoveredPractice(user_id=matron.id, practice_code=p) for p in covered)
        expected = []
        below = 0  # candidates only because a clinician nominated them
        for nhs in people:
            loc, prac = rng.choice(["L1", "L2", "L3"]), rng.choice(["P1", "P2", "P3", "P4"])
            level = rng.choice([1, 2, 3, 3, 3])
            risk = rng.choice([None, round(rng.random(), 2), 0.5])
            dead = rng.random() < 0.08
            s.add(Person(nhs_number=nhs, locality_code=loc, practice_code=prac,
                         date_of_death=date(2025, 1, 1) if dead else None))
            if rng.random() < 0.95:  # a few people have no result in the current run
                s.add(PersonResult(run_id="run-0002", nhs_number=nhs, level=level,
                                   locality_code=loc, practice_code=prac,
                                   level_basis="rules", risk=risk))
            else:
                level, risk = 0, None
            # an older run, in which everyone was at level 3 in the manager's locality
            s.add(PersonResult(run_id="run-0001", nhs_number=nhs, level=3,
                               locality_code="L1", practice_code="P1", level_basis="rules",
                               risk=0.999))
            live = {}
            for action, chance in (("nominate", 0.3), ("exclude", 0.1)):
                live[action] = False
                if rng.random() < chance:
                    withdrawn = rng.random() < 0.3
                    s.add(Nomination(nhs_number=nhs, action=action, reason="Known to the GP",
                                     user_id=admin.id,
                                     withdrawn_at=datetime(2025, 5, 1) if withdrawn else None))
                    live[action] = not withdrawn
            nominated, excluded = live["nominate"], live["exclude"]
            on_caseload = declined = False
            if rng.random() < 0.1:
                ended = rng.random() < 0.4
                s.add(CaseloadEntry(nhs_number=nhs, user_id=other.id,
                                    started_on=date(2025, 1, 1), allocated_by=admin.id,
                                    ended_on=date(2025, 3, 1) if ended else None))
                on_caseload = not ended
            if rng.random() < 0.1:
                ahead = rng.random() < 0.6
                s.add(Approach(nhs_number=nhs, user_id=other.id, on=date(2025, 2, 1),
                               outcome="declined",
                               review_on=TODAY + timedelta(days=30 if ahead else -1)))
                declined = ahead
            in_area = loc == "L1" or prac in covered
            wanted = level == 3 or nominated
            if (in_area and wanted and not dead and not excluded and not on_caseload
                    and not declined):
                expected.append((nhs, -1.0 if risk is None else risk, nominated))
                below += level != 3
        matron_id = matron.id
    assert below, "the community should hold a nominated candidate below level 3"
    expected.sort(key=lambda c: (-c[1], c[0]))
    return matron_id, covered, expected


@pytest.mark.parametrize("seed", range(4))
def test_candidates_follow_their_definition_page_by_page(care_url: str, seed: int) -> None:
    rng = random.Random(seed)
    matron_id, covered, expected = _community(care_url, rng)
    factory = sessions(make_engine(care_url))
    with factory() as s:
        matron = s.get(User, matron_id)
        assert matron is not None
        everyone = cases.candidates_for(s, matron, today=TODAY, limit=1000)
        assert [c.nhs_number for c in everyone] == [n for n, _, _ in expected], covered
        assert [c.nominated for c in everyone] == [nominated for _, _, nominated in expected]
        # levels and risks are the current run's (the older run had everyone at level 3)
        assert all(c.level == 3 or c.nominated for c in everyone)
        assert all(c.risk != 0.999 for c in everyone)
        size = 7
        for page in range(len(expected) // size + 2):
            got = cases.candidates_for(s, matron, today=TODAY, limit=size,
                                       offset=page * size)
            assert [c.nhs_number for c in got] == \
                [n for n, _, _ in expected[page * size:(page + 1) * size]]


def test_a_kept_worklist_page_follows_every_change(care_url: str) -> None:
    """Pages are kept between requests; each change that can alter them is seen at once."""
    rng = random.Random(11)
    matron_id, covered, expected = _community(care_url, rng)
    factory = sessions(make_engine(care_url))

    def page() -> list[str]:
        with factory() as s:
            matron = s.get(User, matron_id)
            assert matron is not None
            kept = [c.nhs_number for c in cases.candidates_for(s, matron, today=TODAY,
                                                                limit=1000)]
            fresh = [c.nhs_number for c in cases.candidates(
                s, locality="L1", practices=sorted(covered), today=TODAY, limit=1000)]
            assert kept == fresh
            return kept

    first = page()
    assert first == [n for n, _, _ in expected]
    with unit_of_work(factory) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        other = s.scalar(select(User).where(User.username == "other"))
        assert admin is not None
        assert other is not None
        cases.allocate(s, first[0], other.id, admin, TODAY)
    assert first[0] not in page()
    with unit_of_work(factory) as s:
        cases.nominate(s, first[1], admin, "exclude", "Moved into a care home")
    assert first[1] not in page()
    with unit_of_work(factory) as s:
        cases.record_approach(s, first[2], admin, TODAY, "declined",
                              review_on=TODAY + timedelta(days=90))
    assert first[2] not in page()
    with unit_of_work(factory) as s:
        cases.discharge(s, first[0], TODAY, "Moved away")
    assert first[0] in page()
    with unit_of_work(factory) as s:
        low = s.scalar(select(Person.nhs_number).join(
            PersonResult, PersonResult.nhs_number == Person.nhs_number).where(
            PersonResult.run_id == "run-0002", PersonResult.level == 1,
            Person.locality_code == "L1", Person.date_of_death.is_(None),
            Person.nhs_number.not_in(s.scalars(select(Nomination.nhs_number)).all())))
        assert low is not None
        cases.nominate(s, low, admin, "nominate", "Frail; the GP is worried")
    assert low in page()
