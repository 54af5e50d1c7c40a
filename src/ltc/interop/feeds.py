"""Every feed's messages read at the edge and handed to the care plane as events (CM-8,
CM-9, DM-5, STRAT-2).

Each feed has one reader (:data:`READERS`: HL7 v2 :func:`ltc.interop.hl7v2.parser.read`,
FHIR :func:`ltc.interop.fhir.messages.read`, ambulance :func:`ltc.interop.ambulance.read`)
that turns a message into a :class:`~ltc.care.events.feed.Event` or refuses it with a
:class:`~ltc.care.events.feed.FeedError`. This module reads, and then calls the care
plane's services with what it read: :func:`receive` (the listener's way: the caller's
transaction), :func:`take` (the HTTP feeds' and ``ltc feeds``: a savepoint of a
transaction shared by many messages), :func:`replay` and :func:`match_by_hand` (a kept
message read again for the quarantine and the review queue), :func:`apply_file` and
:func:`apply_rows` (a file of ambulance incidents, whole or not at all).

Nothing here commits: the listener loop, the request or the command owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from ltc.care import feeds
from ltc.care.auth.models import User
from ltc.care.events import services as events
from ltc.care.events.feed import Event, FeedError
from ltc.care.events.rules import Rules
from ltc.care.feeds.ambulance import Summary
from ltc.interop import ambulance
from ltc.interop.fhir import messages as fhir
from ltc.interop.hl7v2 import parser as hl7v2

#: how each feed reads one raw message
Reader = Callable[[str], Event]
READERS: dict[str, Reader] = {"hl7v2": hl7v2.read, "fhir": fhir.read,
                              ambulance.FEED: ambulance.read}


def read(feed: str, raw: str) -> Event:
    """The event ``raw`` of ``feed`` carries, or :class:`FeedError` saying what is wrong."""
    return READERS[feed](raw)


def sender_of(feed: str, raw: str) -> str:
    """Who sent a message that may not be readable: an HL7 v2 message's sending
    application and facility (MSH-3, MSH-4) when its header can be read, else the feed."""
    if feed == "hl7v2":
        try:
            return hl7v2.sender_of(hl7v2.parse(raw))[:200]
        except FeedError:
            pass
    return feed


def quarantine(session: Session, feed: str, raw: str, error: FeedError) -> events.Outcome:
    """Keep ``raw`` in the quarantine with the reason (in the caller's transaction)."""
    raw = events.storable(raw)
    return events.quarantine(session, feed, raw, error, sender_of(feed, raw))


def receive(session: Session, rules: Rules, feed: str, raw: str,
            at: datetime | None = None) -> events.Outcome:
    """Read one message and apply it in the caller's transaction; one that cannot be read
    goes to the quarantine (and nothing else is written)."""
    raw = events.storable(raw)
    try:
        event = read(feed, raw)
    except FeedError as error:
        return quarantine(session, feed, raw, error)
    return events.receive(session, rules, event, raw, at)


def take(session: Session, rules: Rules, feed: str, raw: str) -> events.Outcome:
    """:func:`receive` for a message among others in one transaction: applied in a
    savepoint (:func:`ltc.care.feeds.receive`), so that the same message taken at the
    same moment by another transaction counts as its duplicate."""
    raw = events.storable(raw)
    try:
        event = read(feed, raw)
    except FeedError as error:
        return quarantine(session, feed, raw, error)
    return feeds.receive(session, rules, event, raw)


def _read_again(feed: str, raw: str) -> Event | FeedError:
    try:
        return read(feed, raw)
    except FeedError as error:
        return error


def replay(session: Session, rules: Rules, message_id: int, by: User) -> events.Outcome:
    """Read a quarantined message again (after the sender's or the rules' fix) and apply
    it; :class:`ltc.care.events.services.EventError` when there is no such message."""
    row = events.held(session, message_id, "quarantined")
    return events.replay(session, rules, row, _read_again(row.feed, row.raw), by)


def match_by_hand(session: Session, rules: Rules, message_id: int, nhs_number: str,
                  by: User) -> events.Outcome:
    """Apply a message from the review queue to the person with ``nhs_number``;
    :class:`ltc.care.events.services.EventError` when the number or message is wrong."""
    row, given = events.to_match(session, message_id, nhs_number)
    return events.match_by_hand(session, rules, row, given, _read_again(row.feed, row.raw),
                                by)


# -- ambulance files --------------------------------------------------------------------
def apply_file(session: Session, rules: Rules, text: str, filename: str, *,
               csv_file: bool | None = None) -> Summary:
    """Apply every incident of a file in the caller's transaction, or none of them: a
    file with a problem changes nothing but the quarantine, which keeps the whole file
    once, with the problems. ``csv_file`` None: CSV unless it looks like JSON."""
    try:
        if csv_file is None:
            rows = ambulance.read_file(text, filename)
        else:
            rows = (ambulance.read_csv(text, filename) if csv_file
                    else ambulance.read_json(text, filename))
    except ambulance.FileError as err:
        events.quarantine(session, ambulance.FEED, text, err)
        return Summary(quarantined=1, problems=err.problems)
    return apply_rows(session, rules, rows)


def apply_rows(session: Session, rules: Rules, rows: list[tuple[int, str]]) -> Summary:
    """Apply incidents already read from a file (in the caller's transaction)."""
    summary = Summary()
    for _, raw in rows:
        summary.add(take(session, rules, ambulance.FEED, raw))
    return summary
