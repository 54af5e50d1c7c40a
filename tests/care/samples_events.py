"""The events package's person routes for the access and audit sweeps (CM-8, CM-9,
STRAT-2): the timeline through the API, an admission review through its form and the
API, and a flag cleared.

Hospital events, alerts and flags come only from messages, never from a person route, so
:func:`prepare` sends the messages the samples need before the sweep, through
``ltc.interop.feeds.receive`` as the listener does: an unplanned admission of
``IN_AREA`` (event 1), an update naming ``IN_AREA_2`` as their carer (event 2), and
``IN_AREA_2``'s death (event 3), which flags ``IN_AREA`` "carer died" (flag 1). The sweeps
run on a fresh store, so these are the first event and flag ids on SQLite and PostgreSQL
alike; the samples' paths are :class:`RoutePath` values that fill them in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.events import rules
from ltc.interop import feeds
from ltc.interop.hl7v2 import adt

from .care import IN_AREA, IN_AREA_2
from .samples_work import RoutePath

ADMISSION_ID = 1
FLAG_ID = 1
ADMITTED = datetime(2025, 4, 1, 10, 30)


def prepare(url: str, users: dict[str, int]) -> None:
    """Send the messages that make the admission and the flag the samples use."""
    engine = make_engine(url)
    loaded = rules.load()
    messages = [
        adt.message("A01", "SWEEP-1", IN_AREA, ADMITTED, spell_id="S1"),
        adt.message("A08", "SWEEP-2", IN_AREA, ADMITTED, links=[(IN_AREA_2, "CGV")]),
        adt.message("A03", "SWEEP-3", IN_AREA_2, ADMITTED, spell_id="S2", died=True),
    ]
    try:
        with unit_of_work(sessions(engine)) as s:
            outcomes = [feeds.receive(s, loaded, "hl7v2", m) for m in messages]
        assert [o.status for o in outcomes] == ["applied"] * 3, outcomes
        assert outcomes[2].flags == [FLAG_ID], outcomes[2]
    finally:
        engine.dispose()


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    review = RoutePath("/people/{nhs_number}/events/{event_id}/review",
                       event_id=ADMISSION_ID)
    reviews = RoutePath("/api/v1/people/{nhs_number}/events/{event_id}/reviews",
                        event_id=ADMISSION_ID)
    clear = RoutePath("/people/{nhs_number}/flags/{flag_id}/clear", flag_id=FLAG_ID)
    return [
        ("GET", "/api/v1/people/{nhs_number}/timeline", "api", {}),
        ("GET", review, "page", {}),
        ("POST", review, "page",
         {"data": {"primary_avoidable": "yes", "primary_reasons": ["no_care_plan"],
                   "primary_detail": "No plan for breathlessness at night"}}),
        ("POST", reviews, "api",
         {"json": {"sector": "secondary", "avoidable": "no",
                   "reasons": ["clinically_necessary"]}}),
        ("POST", clear, "page", {}),
    ]
