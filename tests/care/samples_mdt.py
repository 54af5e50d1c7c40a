"""Named contacts' and MDT meetings' person routes for the access and audit sweeps (DM-3,
DM-4): naming the person's contact (by the GP: the practice team names contacts), a
nomination for the next meeting through the page and the API, the person's MDT history
through the API, and, at a meeting, their decision and an action (by the GP: a GP or
practice nurse records them).

A decision and an action are recorded on the person's line of a meeting's agenda, which no
person route makes: :func:`prepare` makes the practice's meeting (through the service, as
the page does) before the sweep. The sweeps run on a fresh store, so the person's line is
the first one (id 1) on SQLite and PostgreSQL alike (``prepare`` holds this); the
atomic-writes sweep, where a failed insert may use up an id, fills in the newest instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ltc.care.auth.models import User
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.mdt import services
from ltc.care.mdt.models import AgendaItem

from .care import IN_AREA
from .samples_work import RoutePath

FIRST_ITEM_ID = 1


def prepare(url: str, users: dict[str, int]) -> None:
    """Make practice P1's MDT meeting, its agenda holding ``IN_AREA`` (at level 3)."""
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            gp = s.get(User, users["gp"])
            assert gp is not None
            meeting = services.create_meeting(s, gp, date.today())
            items = {i.nhs_number: i.id for i in s.scalars(select(AgendaItem).where(
                AgendaItem.meeting_id == meeting.id))}
            assert items.get(IN_AREA) == FIRST_ITEM_ID, items
    finally:
        engine.dispose()


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    decide = RoutePath("/people/{nhs_number}/mdt/items/{item_id}", item_id=FIRST_ITEM_ID)
    act = RoutePath("/people/{nhs_number}/mdt/items/{item_id}/actions",
                    item_id=FIRST_ITEM_ID)
    return [
        ("POST", "/people/{nhs_number}/contact", "page", {"data": {"user_id": users["gp"]}}),
        ("POST", "/people/{nhs_number}/mdt/nominations", "page",
         {"data": {"reason": "Carer struggling; falls at home"}}),
        ("POST", "/api/v1/people/{nhs_number}/mdt/nominations", "api",
         {"json": {"reason": "Three admissions this winter"}}),
        ("GET", "/api/v1/people/{nhs_number}/mdt", "api", {}),
        ("POST", decide, "page",
         {"data": {"notes": "Breathless at night", "decision": "Refer to the matron"}}),
        ("POST", act, "page",
         {"data": {"what": "Medicines review", "owner": users["gp"],
                   "due_on": "2099-01-01"}}),
    ]
