"""The practice's medicines lists (SC-3): review due (most long-term medicines first), low
adherence (lowest PDC first) and polypharmacy (most medicines first), each with its
count; another practice's people never shown; a page at a time."""

from __future__ import annotations

from datetime import date

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.medicines.lists import medicines_list
from ltc.care.medicines.models import MedicinesPerson
from ltc.care.people.models import Person

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, Community
from .setup import RUN, add_medicines


def _numbers(url: str, chosen: str, practice: str = "P1", page: int = 1,
             size: int = 50) -> tuple[list[str], dict[str, int]]:
    with sessions(make_engine(url))() as s:
        found = medicines_list(s, practice, chosen, page, size)
        return [r.nhs_number for r in found.rows], found.counts


def test_each_list_holds_its_people_in_its_order_with_the_counts(
        community: Community) -> None:
    add_medicines(community.url)
    counts = {"review": 2, "adherence": 2, "polypharmacy": 1}
    assert _numbers(community.url, "review") == ([IN_AREA, LOW], counts)
    assert _numbers(community.url, "adherence") == ([IN_AREA_2, IN_AREA], counts)
    assert _numbers(community.url, "polypharmacy") == ([IN_AREA], counts)
    assert _numbers(community.url, "review", "P2") == (
        [OTHER_AREA], {"review": 1, "adherence": 1, "polypharmacy": 1})
    with sessions(make_engine(community.url))() as s:
        row = medicines_list(s, "P1", "adherence").rows[1]
    assert row.non_adherent == ("Metformin 500mg tablets", "Ramipril 5mg capsules")
    assert (row.lowest_pdc_percent, row.name, row.last_review_on) == (
        63, "CLARKE, Edna", date(2023, 6, 1))


def test_a_person_who_moved_practice_is_not_shown(community: Community) -> None:
    add_medicines(community.url)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        person = s.get(Person, LOW)
        assert person is not None
        person.practice_code = "P2"
    assert _numbers(community.url, "review")[0] == [IN_AREA]
    assert OTHER_AREA in _numbers(community.url, "review", "P2")[0]
    assert LOW not in _numbers(community.url, "review", "P2")[0]  # P1's row in this run


def test_pages_of_a_list(community: Community) -> None:
    add_medicines(community.url)
    more = ["9000000041", "9000000068", "9000000076"]
    with unit_of_work(sessions(make_engine(community.url))) as s:
        for n, nhs in enumerate(more):
            s.add(Person(nhs_number=nhs, practice_code="P1", locality_code="L1"))
            s.add(MedicinesPerson(run_id=RUN, nhs_number=nhs, practice_code="P1",
                                  long_term_medicines=6 - n, review_due=True, medicines=6))
    # 7, 6, 5, 4 and 4 long-term medicines (a tie in NHS number order)
    everyone = [IN_AREA, more[0], more[1], LOW, more[2]]
    assert _numbers(community.url, "review", page=1, size=2)[0] == everyone[:2]
    assert _numbers(community.url, "review", page=2, size=2)[0] == everyone[2:4]
    assert _numbers(community.url, "review", page=3, size=2)[0] == everyone[4:]
    with sessions(make_engine(community.url))() as s:
        found = medicines_list(s, "P1", "review", 3, 2)
        assert (found.total, found.number, found.pages) == (5, 3, 3)
