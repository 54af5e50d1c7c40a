"""Feeds besides HL7 v2: FHIR R4 hospital Encounters and messages (``ltc.care.feeds.fhir``)
and ambulance incidents (``ltc.care.feeds.ambulance``), posted to ``/api/v1/feeds/...`` by
an interface user or applied from a file with ``ltc feeds``.

The readers themselves are in :mod:`ltc.interop` (``fhir.messages``, ``ambulance``) and
known to :mod:`ltc.care.events.services` from the start (the review queue and the
quarantine read a kept message again with its feed's reader); :func:`register` makes them
known again, harmlessly (DM-5, CM-8, CM-9).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ltc.care.events import services as events
from ltc.care.events.rules import Rules
from ltc.interop.ambulance import FEED as AMBULANCE
from ltc.interop.ambulance import read as read_ambulance
from ltc.interop.fhir.messages import read as read_fhir


def register() -> None:
    """Make the FHIR and ambulance readers known to the events services (idempotent)."""
    events.register_reader("fhir", read_fhir)
    events.register_reader(AMBULANCE, read_ambulance)


def receive(session: Session, rules: Rules, feed: str, raw: str) -> events.Outcome:
    """:func:`ltc.care.events.services.receive` in a savepoint of the caller's
    transaction: when the same message was taken at the same moment by another
    transaction, the second try finds it and counts this one as its duplicate."""
    try:
        with session.begin_nested():
            return events.receive(session, rules, feed, raw)
    except IntegrityError:
        pass
    with session.begin_nested():
        return events.receive(session, rules, feed, raw)

