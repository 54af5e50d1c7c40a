"""Feeds besides HL7 v2 in the care plane (DM-5, CM-8, CM-9): FHIR R4 hospital Encounters
and messages and ambulance incidents, posted to ``/api/v1/feeds/...`` by an interface user
or applied from a file with ``ltc feeds``, each message in a savepoint of the request's (or
the command's) one transaction.

Reading the messages is the edge's (:mod:`ltc.interop.feeds`, :mod:`ltc.interop.ambulance`,
:mod:`ltc.interop.fhir.messages`); this package applies what was read: :func:`receive` one
event, :mod:`.ambulance` what a file of incidents did.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ltc.care.events import services as events
from ltc.care.events.feed import Event
from ltc.care.events.rules import Rules


def receive(session: Session, rules: Rules, event: Event, raw: str) -> events.Outcome:
    """:func:`ltc.care.events.services.receive` in a savepoint of the caller's
    transaction: when the same message was taken at the same moment by another
    transaction, the second try finds it and counts this one as its duplicate."""
    try:
        with session.begin_nested():
            return events.receive(session, rules, event, raw)
    except IntegrityError:
        pass
    with session.begin_nested():
        return events.receive(session, rules, event, raw)
