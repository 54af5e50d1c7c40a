"""Hidden populations (POP-5), on SQLite and PostgreSQL: level-3 people of the current run
known neither to community nursing nor to social care, for a case manager's own locality
and covered practices, highest risk first, with why they are level 3; counts per locality
suppressed (1-7 withheld, others rounded to 5)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from ltc.care.casemgmt import hidden
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import Person, PersonResult

from ..care import IN_AREA, IN_AREA_2, OTHER_AREA, Community, db


def test_a_case_manager_sees_hidden_people_of_their_area_only(community: Community) -> None:
    with unit_of_work(sessions(make_engine(community.url))) as s:
        s.execute(update(PersonResult).where(PersonResult.nhs_number == IN_AREA_2)
                  .values(known_to_social_care=True))
    with db(community.url) as s:
        mine = hidden.hidden_for(s, community.users["matron"])
        theirs = hidden.hidden_for(s, community.users["matron2"])
        nobody = hidden.hidden_for(s, community.users["analyst"])
    assert [h.nhs_number for h in mine] == [IN_AREA]  # IN_AREA_2 known to social care
    assert "case-finding rules met" in mine[0].why
    assert "Aged 65" in mine[0].why
    assert [h.nhs_number for h in theirs] == [OTHER_AREA]
    assert nobody == []


def test_hidden_list_pages_highest_risk_first(community: Community) -> None:
    with db(community.url) as s:
        first = hidden.hidden_for(s, community.users["matron"], limit=1)
        second = hidden.hidden_for(s, community.users["matron"], limit=1, offset=1)
    assert [h.nhs_number for h in first + second] == [IN_AREA, IN_AREA_2]  # 0.61, 0.42


def test_counts_are_suppressed_per_locality(community: Community) -> None:
    with unit_of_work(sessions(make_engine(community.url))) as s:
        for i in range(20):
            nhs = f"7{i:09d}"
            s.add(Person(nhs_number=nhs, date_of_birth=date(1940, 1, 1), locality_code="L3"))
            s.flush()
            s.add(PersonResult(run_id="run-0001", nhs_number=nhs, level=3, locality_code="L3",
                               level_basis="x", risk=0.5, known_to_community_nursing=i < 8))
    with db(community.url) as s:
        rows = {c.locality_code: c for c in hidden.counts(s)}
    assert rows["L1"].level3 is None
    assert rows["L1"].hidden is None
    assert rows["L3"].level3 == 20
    assert rows["L3"].hidden == 10
