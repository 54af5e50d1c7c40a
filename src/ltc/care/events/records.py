"""Events received in real time also reach the record plane, so the next stratification
counts them (POP-2, STRAT-2; ``ltc events to-records``).

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
  ``conveyed``, the record plane's codes; see ``ltc.interop.ambulance``). An event
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

Which rows the events make is :mod:`ltc.care.events.record_rows`; this module writes them
to the record store.
"""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import update
from sqlalchemy.orm import Session

from ltc.care.db import now
from ltc.care.events.models import CareEvent
from ltc.care.events.record_rows import (
    COLUMNS,
    EARLIEST,
    MATCHED_ON,
    SOURCE,
    ReadStated,
    Row,
    attendances,
    events_until,
    incidents,
    one_person_per_record,
    spells,
    stated_of,
)
from ltc.records.errors import IngestError
from ltc.records.ingest.csv_extract import load_folder
from ltc.records.store import Batch, CommitResult, RecordStore


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


def _held_elsewhere(store: RecordStore, rows: list[Row]) -> set[tuple[str, str, date]]:
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


def _write(folder: Path, rows: Iterable[Row]) -> None:
    folder.mkdir(parents=True)
    by_table: dict[str, list[Row]] = {name: [] for name in COLUMNS}
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


def export(session: Session, data_dir: Path, today: date, read: ReadStated) -> Exported:
    """Write the care store's events up to ``today`` to the record store in
    ``data_dir`` (see the module docstring) and mark them exported, in the caller's
    transaction. ``read`` reads what a kept message states beyond its event
    (:func:`ltc.interop.details.stated`)."""
    done = Exported()
    events = [e for e in events_until(session, today) if e.day >= EARLIEST]
    stated = stated_of(session, events, ("ambulance", "attendance"), read)
    rows = one_person_per_record(
        spells(events, done.skipped) + incidents(events, stated, done.skipped)
        + attendances(events, stated, done.skipped), done.skipped)
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
