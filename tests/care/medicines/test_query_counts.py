"""The practice's medicines and achievement pages (SC-3, DM-6) each cost the same number
of SQL statements with a few people as with more than a page of them: nothing is read one
row at a time."""

from __future__ import annotations

from typing import Any

from ltc.care.achievement.models import AchievementPerson
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.medicines.models import MedicinesPerson
from ltc.care.people.models import Person

from ..care import Community
from ..contacts.team import signed_in_as
from ..samples_practice import LISTS, ready
from ..test_query_counts import counting
from .setup import RUN


def _grow(url: str, people: int) -> None:
    """``people`` more people of practice P1 on every list and behind DM006's gap."""
    with unit_of_work(sessions(make_engine(url))) as s:
        for n in range(people):
            nhs = f"8{n:09d}"
            s.add(Person(nhs_number=nhs, practice_code="P1", locality_code="L1",
                         given_name="Al", family_name=f"Person {n}"))
            s.add(MedicinesPerson(run_id=RUN, nhs_number=nhs, practice_code="P1",
                                  long_term_medicines=5, lowest_pdc=0.5, non_adherent="X",
                                  low_adherence=True, review_due=True, medicines=11,
                                  polypharmacy=True))
            s.add(AchievementPerson(run_id=RUN, nhs_number=nhs, indicator="DM006",
                                    practice_code="P1", outcome=("not_met", "excepted")[n % 2],
                                    reason="DMPCAPU" if n % 2 else None))


def _counts(app: Any, clients: dict[str, Any]) -> dict[str, int]:
    out = {}
    for listed in LISTS:
        with counting(app.state.engine) as statements:
            r = clients[listed.user].get(listed.path)
        assert r.status_code == 200, listed.path
        out[listed.path] = len(statements)
    return out


def test_the_pages_cost_the_same_statements_whatever_the_rows(
        app: Any, community: Community) -> None:
    ready(community.url, community.users)
    clients = {name: signed_in_as(app, name, "/mdt") for name in {r.user for r in LISTS}}
    few = _counts(app, clients)
    _grow(community.url, 130)  # more than two pages of each list
    many = _counts(app, clients)
    assert many == few
    assert "132 people, page 1 of 3" in clients["nurse"].get("/medicines").text
