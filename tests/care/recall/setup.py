"""Recall items, addresses and telephone numbers for the seeded community's people
(DM-2), as a run's ``recall.parquet`` and the record store would give them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import Person
from ltc.care.recall.models import Practice, RecallContact, RecallItem, RecallPerson

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA

RUN = "run-0001"
#: (condition, item, status, due_on, last_done_on) of each person
ITEMS = {
    IN_AREA: [("copd", "review", "overdue", date(2024, 10, 1), date(2023, 10, 1)),
              ("copd", "spirometry", "due", date(2025, 3, 1), date(2024, 3, 1)),
              ("heart_failure", "review", "done", date(2025, 11, 1), date(2024, 11, 1))],
    LOW: [("copd", "inhaler_technique", "due_soon", date(2025, 4, 20), date(2024, 4, 20)),
          ("copd", "review", "not_due", date(2025, 9, 1), date(2024, 9, 1))],
    IN_AREA_2: [("copd", "review", "done", date(2025, 12, 1), date(2024, 12, 1))],
    OTHER_AREA: [("copd", "review", "overdue", date(2024, 8, 1), None)],
}
ADDRESSES = {IN_AREA: ("Edna", "Clarke", "4 Mill Lane, Leicester", "LE1 5WW", "07700 900461"),
             LOW: ("Lucy", "Ward", "9 Oak Road, Leicester", "LE2 1AB", "0116 496 0000"),
             IN_AREA_2: ("Ian", "Shaw", None, None, None),
             OTHER_AREA: ("Olu", "Bello", "1 High St, Leicester", "LE3 2CD", None)}


def add_recall(url: str) -> None:
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            for nhs, rows in ITEMS.items():
                practice = "P2" if nhs == OTHER_AREA else "P1"
                for condition, item, status, due_on, done_on in rows:
                    s.add(RecallItem(run_id=RUN, nhs_number=nhs, condition=condition,
                                     item=item, practice_code=practice, status=status,
                                     due_on=due_on, last_done_on=done_on))
                due = [r[3] for r in rows if r[2] in ("due_soon", "due", "overdue")]
                if due:
                    s.add(RecallPerson(run_id=RUN, nhs_number=nhs, practice_code=practice,
                                       first_due_on=min(due), due_items=len(due)))
                given, family, address, postcode, phone = ADDRESSES[nhs]
                s.execute(update(Person).where(Person.nhs_number == nhs).values(
                    given_name=given, family_name=family, address=address,
                    postcode=postcode))
                if phone:
                    s.add(RecallContact(nhs_number=nhs, telephone=phone))
            s.add(Practice(practice_code="P1", name="Castle Surgery"))
    finally:
        engine.dispose()
