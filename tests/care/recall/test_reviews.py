"""Recording a review item (DM-2): done with its date and value (the item's target judged
for the person's age), or excepted with the reason; the item shows at once on the run's
list with its next due date from the protocol (calendar months, the month's last day when
shorter; the next season for the flu vaccination); a late entry of a review long past is
due again at once; every mistake is refused naming the field."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from ltc.care.auth.models import User
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import PersonResult
from ltc.care.recall import reviews
from ltc.care.recall.models import RecallItem, RecallPerson
from ltc.protocols import load as load_protocols

from ..care import IN_AREA, IN_AREA_2, Community
from .setup import RUN, add_recall

PROTOCOLS = load_protocols()
TODAY = date(2025, 4, 3)


def _diabetic(community: Community) -> None:
    """IN_AREA_2 is on the diabetes register with HbA1c and blood pressure due."""
    add_recall(community.url)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        s.execute(update(PersonResult).where(PersonResult.nhs_number == IN_AREA_2)
                  .values(registers="diabetes"))
        for item in ("hba1c", "blood_pressure", "flu_vaccination"):
            s.add(RecallItem(run_id=RUN, nhs_number=IN_AREA_2, condition="diabetes",
                             item=item, practice_code="P1", status="overdue",
                             due_on=date(2024, 12, 1), last_done_on=date(2023, 12, 1)))
        s.add(RecallPerson(run_id=RUN, nhs_number=IN_AREA_2, practice_code="P1",
                           first_due_on=date(2024, 12, 1), due_items=3))


def _record(community: Community, nhs: str = IN_AREA_2, **fields: object) -> None:
    with unit_of_work(sessions(make_engine(community.url))) as s:
        by = s.get(User, community.users["gp"])
        assert by is not None
        reviews.record(s, nhs, by, PROTOCOLS, today=TODAY,
                       **{"outcome": "done", "on": date(2025, 4, 2), **fields})  # type: ignore[arg-type]


def _item(community: Community, item: str, nhs: str = IN_AREA_2,
          condition: str = "diabetes") -> RecallItem:
    with sessions(make_engine(community.url))() as s:
        found = s.get(RecallItem, (RUN, nhs, condition, item))
        assert found is not None
        return found


@pytest.mark.parametrize(("fields", "error"), [
    ({"condition": "copd", "item": "review"}, "Condition (condition): 'copd' is not one of "
     "the person's conditions. Choose one of diabetes."),
    ({"condition": "diabetes", "item": "spirometry"}, "Item (item): 'spirometry' is not an "
     "item of the Diabetes protocol. Choose one of hba1c, blood_pressure, cholesterol, "
     "urine_acr, foot_check, retinal_screening, flu_vaccination."),
    ({"condition": "diabetes", "item": "hba1c", "outcome": "maybe"}, "Outcome (outcome): "
     "'maybe' is not one of the choices. Choose one of done, excepted."),
    ({"condition": "diabetes", "item": "hba1c", "on": None}, "Date (on): this is empty. Give "
     "the date it was done."),
    ({"condition": "diabetes", "item": "hba1c", "on": date(2025, 4, 4), "value": 50.0},
     "Date (on): 2025-04-04 is in the future. Give the date it was done: today or earlier."),
    ({"condition": "diabetes", "item": "hba1c"}, "Value (value): this is empty. HbA1c is "
     "recorded with 1 value: type it."),
    ({"condition": "diabetes", "item": "blood_pressure", "value": 132.0}, "Second value "
     "(value_2): this is empty. Blood pressure is recorded with 2 values: type each."),
    ({"condition": "diabetes", "item": "hba1c", "value": 48.0, "value_2": 3.0}, "Second "
     "value (value_2): HbA1c has one value; leave the second empty."),
    ({"condition": "diabetes", "item": "hba1c", "value": 0.0}, "Value (value): 0 is not a "
     "value HbA1c can have; expected a number above 0 and below 10000."),
    ({"condition": "diabetes", "item": "flu_vaccination", "value": 1.0}, "Value (value): "
     "Flu vaccination has no value to record; leave it empty."),
    ({"condition": "diabetes", "item": "hba1c", "value": 50.0, "reason": "declined"},
     "Reason (reason): a reason is for an exception; leave it empty when the item was done."),
    ({"condition": "diabetes", "item": "hba1c", "outcome": "excepted"}, "Reason (reason): "
     "this is empty. Type it in."),
    ({"condition": "diabetes", "item": "hba1c", "outcome": "excepted", "reason": "x",
      "value": 50.0}, "Value (value): an excepted item has no value; leave it empty."),
])
def test_a_mistake_is_refused_naming_the_field(community: Community,
                                               fields: dict[str, object], error: str) -> None:
    _diabetic(community)
    with pytest.raises(reviews.RecallError) as refused:
        _record(community, **fields)
    assert str(refused.value) == error
    assert _item(community, "hba1c").status == "overdue"  # nothing changed


def test_done_shows_at_once_with_its_value_target_and_next_due_date(
        community: Community) -> None:
    _diabetic(community)
    _record(community, condition="diabetes", item="hba1c", value=52.0)
    hba1c = _item(community, "hba1c")
    assert (hba1c.status, hba1c.last_done_on, hba1c.last_value, hba1c.target_met,
            hba1c.due_on) == ("done", date(2025, 4, 2), 52.0, True, date(2026, 4, 2))
    assert hba1c.review_id is not None
    _record(community, condition="diabetes", item="blood_pressure", value=146.0,
            value_2=78.0)  # QOF DM019: 140/80 or less
    bp = _item(community, "blood_pressure")
    assert (bp.status, bp.last_value, bp.last_value_2, bp.target_met) == (
        "done", 146.0, 78.0, False)
    with sessions(make_engine(community.url))() as s:
        summed = s.get(RecallPerson, (RUN, IN_AREA_2))
        assert summed is not None
        assert summed.due_items == 1


def test_an_exception_shows_as_excepted(community: Community) -> None:
    _diabetic(community)
    _record(community, condition="diabetes", item="flu_vaccination", outcome="excepted",
            reason="Egg-free vaccine declined after discussion")
    assert _item(community, "flu_vaccination").status == "excepted"


@pytest.mark.parametrize(("on", "status", "due_on"), [
    (date(2024, 2, 1), "due", date(2025, 2, 1)),  # overdue from 1 May 2025
    (date(2023, 12, 1), "overdue", date(2024, 12, 1)),
    (date(2024, 4, 20), "due_soon", date(2025, 4, 20)),  # due within the next 30 days
])
def test_a_late_entry_is_due_again_at_once(community: Community, on: date, status: str,
                                           due_on: date) -> None:
    _diabetic(community)
    _record(community, condition="diabetes", item="hba1c", value=50.0, on=on)
    hba1c = _item(community, "hba1c")
    assert (hba1c.status, hba1c.due_on) == (status, due_on)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # a leap year's February
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 11, 30), 3, date(2025, 2, 28)),
    (date(2024, 4, 15), 12, date(2025, 4, 15)),
])
def test_months_are_calendar_months(day: date, months: int, expected: date) -> None:
    assert reviews.plus_months(day, months) == expected


@pytest.mark.parametrize(("on", "expected"), [
    (date(2024, 10, 5), date(2025, 9, 1)),  # in the season: the next season's due day
    (date(2025, 8, 1), date(2026, 9, 1)),  # counts from 1 August
    (date(2025, 7, 31), date(2025, 9, 1)),  # too early for the coming season
])
def test_a_flu_vaccination_is_next_due_the_next_season(on: date, expected: date) -> None:
    flu = PROTOCOLS["diabetes"].item("flu_vaccination")
    assert reviews.next_due(flu, on) == expected


def test_a_person_on_no_register_has_nothing_to_record(community: Community) -> None:
    add_recall(community.url)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        s.execute(update(PersonResult).where(PersonResult.nhs_number == IN_AREA)
                  .values(registers=""))
    with pytest.raises(reviews.RecallError, match="Choose one of none: the person is on no "
                                                  "register with a protocol"):
        _record(community, nhs=IN_AREA, condition="copd", item="review")
