"""Which record-plane rows the care store's real-time events make (POP-2, STRAT-2): inpatient
spells from admissions and discharges, emergency department attendances and ambulance
incidents, one row per record; see :mod:`ltc.care.events.records` for the rules in
words. What a kept message states beyond its event (:class:`Stated`) is read again by the
edge that took it (:func:`ltc.interop.details.stated`), given to the export as a
function."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.db import uk_time
from ltc.care.events.models import CareEvent, InboundMessage
from ltc.codes import nhs_dd
from ltc.records.schema import table

SOURCE = "realtime"
#: the columns written for each table (optional columns the events cannot fill are left
#: out, as the extract format allows)
COLUMNS: dict[str, tuple[str, ...]] = {
    "inpatient_spell": ("nhs_number", "record_id", "admission_date", "discharge_date",
                        "admission_method", "discharge_destination"),
    "ae_attendance": ("nhs_number", "record_id", "date"),
    "ambulance_incident": ("nhs_number", "record_id", "date", "outcome"),
}
#: the date column of each table matched against other sources' rows
MATCHED_ON = {"inpatient_spell": "admission_date", "ae_attendance": "date",
              "ambulance_incident": "date"}
KINDS = ("admission", "discharge", "attendance", "ambulance", "cancel_admission",
         "cancel_discharge")
EMERGENCY_UNKNOWN_METHOD = "2D"  # Emergency: other emergency admission
UNKNOWN_METHOD = "99"  # Not known
DIED = "79"  # Not applicable: patient died or stillbirth
EARLIEST = date(1880, 1, 1)  # as the record plane checks dates
OUTCOMES = table("ambulance_incident").field("outcome").codes


@dataclass(frozen=True)
class Stated:
    """What a message, as received, states beyond its event."""

    #: whether an attendance was at an emergency department; None when the feed's
    #: messages do not say
    emergency: bool | None = None
    #: the outcome an ambulance incident gives, if any (not checked)
    outcome: object = None


#: reads what a kept message states, from its feed and its text as received
ReadStated = Callable[[str, str], Stated]


@dataclass(frozen=True)
class EventRow:
    id: int
    nhs_number: str
    kind: str
    occurred_at: datetime
    spell_id: str | None
    admission_method: str | None
    unplanned: bool | None
    conveyed: bool | None
    died: bool
    feed: str
    sender: str
    control_id: str | None

    @property
    def day(self) -> date:
        """The day it happened, in UK time (as the hospital's own extracts give it)."""
        return uk_time(self.occurred_at).date()

    @property
    def facility(self) -> str:
        """The sending facility (MSH-4), else the sending application, else the feed."""
        application, _, facility = self.sender.partition("^")
        return _clean(facility or application or self.feed)

    @property
    def order(self) -> tuple[datetime, int]:
        return self.occurred_at, self.id


@dataclass
class Row:
    table: str
    nhs_number: str
    record_id: str
    day: date  # the date that places the row in its month
    matched_on: date
    values: dict[str, str]
    events: list[int]

    @property
    def period(self) -> str:
        return f"{self.day:%Y-%m}"


def _clean(text: str) -> str:
    """An identifier as a CSV value on one line."""
    return "".join(ch if ch >= " " else " " for ch in text).strip()


def events_until(session: Session, today: date) -> list[EventRow]:
    until = datetime.combine(today + timedelta(days=1), datetime.min.time())
    rows = session.execute(
        select(CareEvent.id, CareEvent.nhs_number, CareEvent.kind, CareEvent.occurred_at,
               CareEvent.spell_id, CareEvent.admission_method, CareEvent.unplanned,
               CareEvent.conveyed, CareEvent.died, InboundMessage.feed,
               InboundMessage.sender, InboundMessage.control_id)
        .join(InboundMessage, InboundMessage.id == CareEvent.message_id)
        .where(CareEvent.kind.in_(KINDS), CareEvent.cancelled_at.is_(None),
               CareEvent.occurred_at < until)
        .order_by(CareEvent.id))
    return [EventRow(*tuple(row)) for row in rows]


def _method(admission: EventRow) -> str:
    if admission.admission_method in nhs_dd.ADMISSION_METHODS:
        return admission.admission_method
    return EMERGENCY_UNKNOWN_METHOD if admission.unplanned else UNKNOWN_METHOD


def spells(events: list[EventRow], skipped: Counter[str]) -> list[Row]:
    spells: dict[tuple[str, str, str], list[EventRow]] = defaultdict(list)
    for e in events:
        if e.kind not in ("admission", "discharge"):
            continue
        if not e.spell_id:
            skipped[f"{e.kind} without a spell number"] += 1
            continue
        spells[(e.nhs_number, e.facility, _clean(e.spell_id))].append(e)
    rows = []
    for (nhs, facility, spell), found in spells.items():
        admissions = [e for e in found if e.kind == "admission"]
        discharges = [e for e in found if e.kind == "discharge"]
        if not admissions:
            skipped["discharge of a spell with no admission in the care store"] += len(found)
            continue
        admitted = max(admissions, key=lambda e: e.order)
        left = max(discharges, key=lambda e: e.order) if discharges else None
        if left is not None and left.day < admitted.day:
            skipped["discharge dated before its admission"] += len(discharges)
            left, discharges = None, []
        values = {"nhs_number": nhs, "record_id": f"{facility}:{spell}",
                  "admission_date": admitted.day.isoformat(),
                  "discharge_date": left.day.isoformat() if left else "",
                  "admission_method": _method(admitted),
                  "discharge_destination": DIED if left is not None and left.died else ""}
        rows.append(Row("inpatient_spell", nhs, values["record_id"],
                         left.day if left else admitted.day, admitted.day, values,
                         [e.id for e in admissions + discharges]))
    return rows


def stated_of(session: Session, events: list[EventRow], kinds: tuple[str, ...],
              read: ReadStated) -> dict[int, Stated]:
    """What the messages, as received, of the events of ``kinds`` state, by event id."""
    ids = [e.id for e in events if e.kind in kinds]
    stated: dict[int, Stated] = {}
    for start in range(0, len(ids), 1000):
        stated.update((event_id, read(feed, raw)) for event_id, feed, raw in session.execute(
            select(CareEvent.id, InboundMessage.feed, InboundMessage.raw)
            .join(InboundMessage, InboundMessage.id == CareEvent.message_id)
            .where(CareEvent.id.in_(ids[start:start + 1000]))))
    return stated


def _outcome(event: EventRow, stated: Stated) -> str | None:
    """The incident's outcome: as the ambulance feed's incident gives it when it agrees
    with the event's conveyance; else from the conveyance alone; None when not known."""
    said = stated.outcome if event.feed == "ambulance" else None
    if said in OUTCOMES and (event.conveyed is None or (said == "conveyed") == event.conveyed):
        return str(said)
    if event.conveyed is None:
        return None
    return "conveyed" if event.conveyed else "see_and_treat"


def _latest_per_record(rows: list[Row]) -> list[Row]:
    """One row per record id: the latest message about it (the events of the others are
    in it too)."""
    by_id: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        by_id[(row.nhs_number, row.record_id)].append(row)
    out = []
    for same in by_id.values():
        last = same[-1]  # events are taken in the order they were applied
        last.events = [i for r in same for i in r.events]
        out.append(last)
    return out


def _number(event: EventRow) -> str:
    """The record's number at its sender: the spell, visit or incident number, else the
    message's control id."""
    return _clean(event.spell_id or "") or f"message:{_clean(event.control_id or str(event.id))}"


def incidents(events: list[EventRow], stated: dict[int, Stated],
              skipped: Counter[str]) -> list[Row]:
    rows = []
    for e in events:
        if e.kind != "ambulance":
            continue
        outcome = _outcome(e, stated[e.id])
        if outcome is None:
            skipped["ambulance incident with conveyance not known"] += 1
            continue
        values = {"nhs_number": e.nhs_number, "record_id": f"{e.facility}:{_number(e)}",
                  "date": e.day.isoformat(), "outcome": outcome}
        rows.append(Row("ambulance_incident", e.nhs_number, values["record_id"], e.day,
                         e.day, values, [e.id]))
    return _latest_per_record(rows)


def attendances(events: list[EventRow], stated: dict[int, Stated],
                skipped: Counter[str]) -> list[Row]:
    rows = []
    for e in events:
        if e.kind != "attendance":
            continue
        emergency = stated[e.id].emergency
        if emergency is None:
            skipped[f"attendance from the {e.feed} feed (emergency or not not given)"] += 1
            continue
        if not emergency:
            skipped["attendance that was not at an emergency department"] += 1
            continue
        values = {"nhs_number": e.nhs_number, "record_id": f"{e.facility}:{_number(e)}",
                  "date": e.day.isoformat()}
        rows.append(Row("ae_attendance", e.nhs_number, values["record_id"], e.day, e.day,
                         values, [e.id]))
    return _latest_per_record(rows)


def one_person_per_record(rows: list[Row], skipped: Counter[str]) -> list[Row]:
    """Leave out a record id given for more than one person (a sender's error: the
    wrong person's message is usually cancelled, and then the record comes back)."""
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        people[(row.table, row.record_id)].add(row.nhs_number)
    kept = []
    for row in rows:
        if len(people[(row.table, row.record_id)]) > 1:
            skipped["record number given for more than one person"] += len(row.events)
        else:
            kept.append(row)
    return kept
