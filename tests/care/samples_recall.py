"""Register, recall, review and telephone care's person routes for the access and audit
sweeps (DM-2, DM-7): the person's recall page, an invitation (by a practice clinician:
invitations come from the practice) and its printed letter, a review item recorded; the
person's telephone care page, a call scheduled, its scripted check and the call recorded
(no red flag: a red flag would add a task before the work samples' first one).

:func:`prepare` gives the person what no person route makes: review items due in the
current run, an address and a mobile number for the invitation, and the practice's name.
The letter and the call are the first of their kind in a fresh store (id 1, as the first
task is, see :mod:`samples_work`); the atomic-writes sweep fills in the newest instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import Person
from ltc.care.recall.models import Practice, RecallContact, RecallItem, RecallPerson

from .care import IN_AREA, LOW
from .samples_work import RoutePath

FIRST_INVITATION_ID = 1
FIRST_CALL_ID = 1
RUN = "run-0001"  # the seeded community's run


def items(nhs: str) -> list[RecallItem]:
    """A person on the COPD and heart failure registers, with two items due."""
    return [RecallItem(run_id=RUN, nhs_number=nhs, condition="copd", item="review",
                       practice_code="P1", status="overdue", due_on=date(2024, 10, 1),
                       last_done_on=date(2023, 10, 1)),
            RecallItem(run_id=RUN, nhs_number=nhs, condition="copd", item="spirometry",
                       practice_code="P1", status="due", due_on=date(2025, 3, 1),
                       last_done_on=date(2024, 3, 1)),
            RecallItem(run_id=RUN, nhs_number=nhs, condition="heart_failure",
                       item="review", practice_code="P1", status="done",
                       due_on=date(2025, 11, 1), last_done_on=date(2024, 11, 1))]


def prepare(url: str, users: dict[str, int]) -> None:
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            for nhs in (IN_AREA, LOW):
                s.add_all(items(nhs))
                s.add(RecallPerson(run_id=RUN, nhs_number=nhs, practice_code="P1",
                                   first_due_on=date(2024, 10, 1), due_items=2))
                s.add(RecallContact(nhs_number=nhs, telephone="07700 900461"))
                s.execute(update(Person).where(Person.nhs_number == nhs).values(
                    given_name="Edna", family_name="Clarke", address="4 Mill Lane, Leicester",
                    postcode="LE1 5WW"))
            s.add(Practice(practice_code="P1", name="Castle Surgery"))
    finally:
        engine.dispose()


CALL_ANSWERS = {"copd.breathless": "no", "copd.sputum": "no", "copd.severe": "no",
                "medicines.taken": "yes", "medicines.side_effects": "no",
                "medicines.enough": "yes", "general.changes": "Walking more",
                "outcome": "completed", "coaching": "Pacing when walking uphill"}


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    letter = RoutePath("/people/{nhs_number}/recall/invitations/{invitation_id}/letter.pdf",
                       invitation_id=FIRST_INVITATION_ID)
    call = RoutePath("/people/{nhs_number}/phone/calls/{call_id}", call_id=FIRST_CALL_ID)
    return [
        ("GET", "/people/{nhs_number}/recall", "page", {}),
        ("POST", "/people/{nhs_number}/recall/invitations", "page", {}),
        ("GET", letter, "page", {}),
        ("POST", "/people/{nhs_number}/recall/reviews", "page",
         {"data": {"item": "copd:review", "outcome": "done", "on": "2025-04-02"}}),
        ("GET", "/people/{nhs_number}/phone", "page", {}),
        ("POST", "/people/{nhs_number}/phone/calls", "page",
         {"data": {"clinician_id": str(users["matron"]), "due_on": "2099-01-01"}}),
        ("GET", call, "page", {}),
        ("POST", call, "page", {"data": CALL_ANSWERS}),
    ]
