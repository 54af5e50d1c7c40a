"""The recall list (DM-2): a practice's people with items due, one row per person with
every item they are due, earliest due first; filtered by condition, item and status; a
page at a time with the total; another practice's people never shown."""

from __future__ import annotations

from datetime import date

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import Person
from ltc.care.recall.lists import Filters, recall_list
from ltc.care.recall.models import RecallItem, RecallPerson

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, Community
from .setup import RUN, add_recall


def _rows(url: str, practice: str = "P1", filters: Filters | None = None, page: int = 1,
          size: int = 50) -> tuple[list[tuple[str, list[str]]], int]:
    with sessions(make_engine(url))() as s:
        found = recall_list(s, practice, filters or Filters(), page, size)
        return ([(r.person.nhs_number, [f"{i.condition}.{i.item}:{i.status}"
                                        for i in r.items]) for r in found.rows], found.total)


def test_one_row_per_person_with_every_item_due_earliest_first(community: Community) -> None:
    add_recall(community.url)
    rows, total = _rows(community.url)
    assert rows == [(IN_AREA, ["copd.review:overdue", "copd.spirometry:due"]),
                    (LOW, ["copd.inhaler_technique:due_soon"])]
    assert total == 2
    rows, _ = _rows(community.url, "P2")
    assert rows == [(OTHER_AREA, ["copd.review:overdue"])]


def test_filters_by_condition_item_and_status(community: Community) -> None:
    add_recall(community.url)
    assert _rows(community.url, filters=Filters(statuses=("overdue",)))[0] == [
        (IN_AREA, ["copd.review:overdue", "copd.spirometry:due"])]
    assert _rows(community.url, filters=Filters(item="inhaler_technique"))[0] == [
        (LOW, ["copd.inhaler_technique:due_soon"])]
    assert _rows(community.url, filters=Filters(condition="heart_failure"))[0] == []
    # the items done: every person with one, shown with the items due
    rows, total = _rows(community.url, filters=Filters(statuses=("done",)))
    assert rows == [(IN_AREA, ["copd.review:overdue", "copd.spirometry:due",
                               "heart_failure.review:done"]),
                    (IN_AREA_2, ["copd.review:done"])]
    assert total == 2


def test_pages_of_the_list(community: Community) -> None:
    add_recall(community.url)
    more = ["9000000041", "9000000068", "9000000076", "9000000084", "9000000092"]
    with unit_of_work(sessions(make_engine(community.url))) as s:  # 5 more people due
        for n, nhs in enumerate(more):
            s.add(Person(nhs_number=nhs, practice_code="P1", locality_code="L1"))
            s.add(RecallItem(run_id=RUN, nhs_number=nhs, condition="copd", item="review",
                             practice_code="P1", status="due", due_on=date(2025, 1, 1 + n)))
            s.add(RecallPerson(run_id=RUN, nhs_number=nhs, practice_code="P1",
                               first_due_on=date(2025, 1, 1 + n), due_items=1))
    everyone = [IN_AREA, *more, LOW]  # IN_AREA due since October 2024, LOW in April 2025
    for page in (1, 2, 3):
        rows, total = _rows(community.url, page=page, size=3)
        assert total == 7
        assert [n for n, _ in rows] == everyone[3 * (page - 1):3 * page]
    rows, total = _rows(community.url, filters=Filters(condition="copd"), page=2, size=3)
    assert total == 7
    assert [n for n, _ in rows] == everyone[3:6]
    with sessions(make_engine(community.url))() as s:
        found = recall_list(s, "P1", Filters(), 3, 3)
        assert (found.number, found.pages) == (3, 3)
