"""Events received in real time also reach the record plane, so the next stratification
counts them (``ltc events to-records``).

The applied, not cancelled events of the care store become rows of the record plane,
written as CSV extracts of the source ``realtime`` and ingested by the CSV extract reader
(``ltc.records.ingest.csv_extract``), with every check an extract passes:

* **inpatient_spell**: one row per hospital spell, the admissions and discharges of one
  person with one spell (visit) number from one sender (HL7 v2: the sending facility,
  MSH-4; other feeds: the sender as the message names it). The admission
  date is the latest admission's; the discharge date the latest discharge's (none while
  in hospital, or when the discharge was cancelled); the discharge destination ``79``
  (died) when the discharge says the person died. The admission method is the NHS one
  the message gave; when it gave only an HL7 table 0007 type, an emergency is ``2D``
  (other emergency admission) and anything else ``99`` (not known). The record id is
  ``<facility>:<spell number>``. A spell with no admission in the care store (it was
  cancelled, or came before the store), or with no spell number, is left out.
* **ambulance_incident**: one row per incident (record id ``<service>:<incident
  number>``, or the message's control id when there is none). The outcome is the one the
  ambulance feed's incident gives (``hear_and_treat``, ``see_and_treat`` or
  ``conveyed``, the record plane's codes; see ``ltc.care.feeds.ambulance``). An event
  from elsewhere says only whether the person was conveyed: conveyed is ``conveyed``, not
  conveyed ``see_and_treat`` (the alert rules read it as an attendance without
  conveyance), and an incident whose conveyance is not known is left out.
* **ae_attendance**: one row per registration of an emergency department visit (record
  id ``<facility>:<visit number>``): an attendance whose message, as received, says it
  was an emergency one (HL7 v2 A04 with PV1-2 patient class ``E``; FHIR Encounter.class
  ``EMER``). Other registrations (outpatients) are not A&E attendances; attendances of a
  feed whose messages do not say are left out. The disposal is not known (left empty).

Dates are the events' dates as the care store holds them (UTC). Events dated after
``today`` wait for a later export. A row whose person and date an extract of another
source already holds (the same admission date, incident date or arrival date) is left to
that extract, so a spell is not counted twice once the hospital's own extract arrives.

Batches: one per month (``realtime/<YYYY-MM>``), holding every row whose latest date (the
discharge date, else the admission date; the incident or arrival date) falls in it, and
re-written whole at every export. A spell discharged in a later month moves to that
month's batch (an extract may not hold dates after the end of its period). The record
store replaces a batch whose content changed and leaves one whose content is the same
untouched, so exporting again with nothing new changes nothing. Every batch is read and
checked before any is stored: a refusal stores nothing. Each batch is stored
all-or-nothing; should storing stop between two batches, the next export finishes the
work, since the same events always give the same batches.

Each event whose information is in the record plane is marked ``exported_at`` (in the
caller's transaction), as are the cancellations (their rows are withdrawn). Nothing
about a person is logged or printed: the result holds counts only.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ltc.care.db import now, uk_time
from ltc.care.events import hl7v2
from ltc.care.events.feed import FeedError
from ltc.care.events.models import CareEvent, InboundMessage
from ltc.codes import nhs_dd
from ltc.records.errors import IngestError
from ltc.records.ingest.csv_extract import load_folder
from ltc.records.schema import table
from ltc.records.store import Batch, CommitResult, RecordStore

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


class ExportError(RuntimeError):
    """The record plane refused a batch (nothing was stored); says where, never what."""


@dataclass
class Exported:
    """What an export did: counts only."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    batches: list[CommitResult] = field(default_factory=list)
    #: rows left to another source's extract, which already holds them
    in_extracts: int = 0
    #: events left out, by reason
    skipped: Counter[str] = field(default_factory=Counter)
    marked: int = 0  # events marked exported by this export

    @property
    def changed(self) -> int:
        return sum(b.status != "unchanged" for b in self.batches)


@dataclass(frozen=True)
class _Event:
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
class _Row:
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


def _events(session: Session, today: date) -> list[_Event]:
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
    return [_Event(*tuple(row)) for row in rows]


def _method(admission: _Event) -> str:
    if admission.admission_method in nhs_dd.ADMISSION_METHODS:
        return admission.admission_method
    return EMERGENCY_UNKNOWN_METHOD if admission.unplanned else UNKNOWN_METHOD


def _spells(events: list[_Event], skipped: Counter[str]) -> list[_Row]:
    spells: dict[tuple[str, str, str], list[_Event]] = defaultdict(list)
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
        rows.append(_Row("inpatient_spell", nhs, values["record_id"],
                         left.day if left else admitted.day, admitted.day, values,
                         [e.id for e in admissions + discharges]))
    return rows


def _raws(session: Session, events: list[_Event], kinds: tuple[str, ...]) -> dict[int, str]:
    """The messages, as received, of the events of ``kinds``, by event id."""
    ids = [e.id for e in events if e.kind in kinds]
    raws: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        raws.update((event_id, raw) for event_id, raw in session.execute(
            select(CareEvent.id, InboundMessage.raw)
            .join(InboundMessage, InboundMessage.id == CareEvent.message_id)
            .where(CareEvent.id.in_(ids[start:start + 1000]))))
    return raws


def _json(raw: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _fhir_class(raw: str) -> str:
    """Encounter.class.code of a FHIR Encounter, or of the first Encounter of a Bundle."""
    doc = _json(raw)
    if doc.get("resourceType") == "Bundle":
        entries = doc.get("entry")
        resources = [e.get("resource") for e in entries if isinstance(e, dict)] \
            if isinstance(entries, list) else []
        found = [r for r in resources
                 if isinstance(r, dict) and r.get("resourceType") == "Encounter"]
        doc = found[0] if found else {}
    cls = doc.get("class") if doc.get("resourceType") == "Encounter" else None
    return str(cls.get("code") or "") if isinstance(cls, dict) else ""


def _emergency_attendance(feed: str, raw: str) -> bool | None:
    """Whether an attendance was at an emergency department, as its message says (HL7 v2
    PV1-2 patient class ``E``; FHIR Encounter.class ``EMER``); None when the feed's
    messages do not say."""
    if feed == "fhir":
        return _fhir_class(raw) == "EMER"
    if feed != "hl7v2":
        return None
    try:
        message = hl7v2.parse(raw)
        return str(message.extract_field("PV1", 1, 2, 1, 1)).strip().upper() == "E"
    except (FeedError, KeyError, IndexError):
        return False


def _outcome(event: _Event, raw: str) -> str | None:
    """The incident's outcome: as the ambulance feed's incident gives it when it agrees
    with the event's conveyance; else from the conveyance alone; None when not known."""
    said = _json(raw).get("outcome") if event.feed == "ambulance" else None
    if said in OUTCOMES and (event.conveyed is None or (said == "conveyed") == event.conveyed):
        return str(said)
    if event.conveyed is None:
        return None
    return "conveyed" if event.conveyed else "see_and_treat"


def _latest_per_record(rows: list[_Row]) -> list[_Row]:
    """One row per record id: the latest message about it (the events of the others are
    in it too)."""
    by_id: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        by_id[(row.nhs_number, row.record_id)].append(row)
    out = []
    for same in by_id.values():
        last = same[-1]  # events are taken in the order they were applied
        last.events = [i for r in same for i in r.events]
        out.append(last)
    return out


def _number(event: _Event) -> str:
    """The record's number at its sender: the spell, visit or incident number, else the
    message's control id."""
    return _clean(event.spell_id or "") or f"message:{_clean(event.control_id or str(event.id))}"


def _incidents(events: list[_Event], raws: dict[int, str], skipped: Counter[str]) -> list[_Row]:
    rows = []
    for e in events:
        if e.kind != "ambulance":
            continue
        outcome = _outcome(e, raws[e.id])
        if outcome is None:
            skipped["ambulance incident with conveyance not known"] += 1
            continue
        values = {"nhs_number": e.nhs_number, "record_id": f"{e.facility}:{_number(e)}",
                  "date": e.day.isoformat(), "outcome": outcome}
        rows.append(_Row("ambulance_incident", e.nhs_number, values["record_id"], e.day,
                         e.day, values, [e.id]))
    return _latest_per_record(rows)


def _attendances(events: list[_Event], raws: dict[int, str],
                 skipped: Counter[str]) -> list[_Row]:
    rows = []
    for e in events:
        if e.kind != "attendance":
            continue
        emergency = _emergency_attendance(e.feed, raws[e.id])
        if emergency is None:
            skipped[f"attendance from the {e.feed} feed (emergency or not not given)"] += 1
            continue
        if not emergency:
            skipped["attendance that was not at an emergency department"] += 1
            continue
        values = {"nhs_number": e.nhs_number, "record_id": f"{e.facility}:{_number(e)}",
                  "date": e.day.isoformat()}
        rows.append(_Row("ae_attendance", e.nhs_number, values["record_id"], e.day, e.day,
                         values, [e.id]))
    return _latest_per_record(rows)


def _one_person_per_record(rows: list[_Row], skipped: Counter[str]) -> list[_Row]:
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


def _held_elsewhere(store: RecordStore, rows: list[_Row]) -> set[tuple[str, str, date]]:
    """(table, NHS number, date) of the rows' people that extracts of other sources
    already hold."""
    held: set[tuple[str, str, date]] = set()
    for name, column in MATCHED_ON.items():
        people = sorted({r.nhs_number for r in rows if r.table == name})
        if not people:
            continue
        for batch in store.batches().values():
            if batch["source"] == SOURCE or name not in batch["files"]:
                continue
            found = pq.read_table(store.root / batch["files"][name],
                                  columns=["nhs_number", column],
                                  filters=[("nhs_number", "in", people)])
            held.update((name, nhs, day) for nhs, day in zip(
                found.column("nhs_number").to_pylist(), found.column(column).to_pylist(),
                strict=True) if day is not None)
    return held


def _write(folder: Path, rows: Iterable[_Row]) -> None:
    folder.mkdir(parents=True)
    by_table: dict[str, list[_Row]] = {name: [] for name in COLUMNS}
    for row in rows:
        by_table[row.table].append(row)
    for name, columns in COLUMNS.items():
        ordered = sorted(by_table[name], key=lambda r: (r.nhs_number, r.day, r.record_id))
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([row.values[c] for c in columns] for row in ordered)


def _refused(period: str, error: IngestError) -> ExportError:
    where = ""
    if error.problems:  # the file, line and field; not the message, which quotes values
        first = error.problems[0]
        where = f"; first: {Path(first.where).name}"
        if first.field:
            where += f", field {first.field}"
    return ExportError(f"the record plane refused the {SOURCE}/{period} batch ({error.total} "
                       f"problem{'s' if error.total != 1 else ''}{where}); nothing was "
                       "stored")


def _mark(session: Session, ids: list[int]) -> int:
    stamp, marked = now(), 0
    for start in range(0, len(ids), 1000):
        result = session.execute(
            update(CareEvent).where(CareEvent.id.in_(ids[start:start + 1000]),
                                    CareEvent.exported_at.is_(None))
            .values(exported_at=stamp).execution_options(synchronize_session=False))
        marked += result.rowcount  # type: ignore[attr-defined]
    session.flush()
    return marked


def export(session: Session, data_dir: Path, today: date) -> Exported:
    """Write the care store's events up to ``today`` to the record store in
    ``data_dir`` (see the module docstring) and mark them exported, in the caller's
    transaction."""
    done = Exported()
    events = [e for e in _events(session, today) if e.day >= EARLIEST]
    raws = _raws(session, events, ("ambulance", "attendance"))
    rows = _one_person_per_record(
        _spells(events, done.skipped) + _incidents(events, raws, done.skipped)
        + _attendances(events, raws, done.skipped), done.skipped)
    store = RecordStore(Path(data_dir) / "records")
    held = _held_elsewhere(store, rows)
    kept = []
    for row in rows:
        if (row.table, row.nhs_number, row.matched_on) in held:
            done.in_extracts += 1
        else:
            kept.append(row)
    periods = {r.period for r in kept} | {
        b["period"] for b in store.batches().values() if b["source"] == SOURCE}
    store.root.parent.mkdir(parents=True, exist_ok=True)
    batches: list[Batch] = []
    with tempfile.TemporaryDirectory(dir=store.root.parent, prefix=".realtime-") as tmp:
        for period in sorted(periods):
            folder = Path(tmp) / SOURCE / period
            _write(folder, (r for r in kept if r.period == period))
            try:
                batches.append(load_folder(folder, SOURCE, period, store=store))
            except IngestError as error:
                raise _refused(period, error) from None
    for batch in batches:
        done.batches.append(store.commit(batch))
    for row in kept:
        done.rows[row.table] += 1
    cancellations = [e.id for e in events if e.kind.startswith("cancel_")]
    done.marked = _mark(session, sorted({i for r in rows for i in r.events} | set(cancellations)))
    return done
