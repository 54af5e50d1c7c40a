"""Run folders with the medicines and achievement files (SC-3, DM-6), in the hand-over
format the pipeline writes (``medicines.parquet``, ``indicators.parquet``,
``achievement.parquet``: README, "The run folder"), written by the tests themselves."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ltc.care.people.run_files import KeptRun

from ..recall.folders import person, write_run

#: ``ltc.pipeline.medicines.SCHEMA``
MEDICINES_SCHEMA = pa.schema([
    ("nhs_number", pa.string()), ("practice_code", pa.string()),
    ("long_term_medicines", pa.int64()), ("lowest_pdc", pa.float64()),
    ("non_adherent", pa.list_(pa.string())), ("review_due", pa.bool_()),
    ("last_review_on", pa.date32()), ("medicines", pa.int64()), ("polypharmacy", pa.bool_())])
#: ``ltc.pipeline.achievement.PEOPLE_SCHEMA``
PEOPLE_SCHEMA = pa.schema([
    ("nhs_number", pa.string()), ("practice_code", pa.string()),
    ("locality_code", pa.string()), ("indicator", pa.string()), ("outcome", pa.string()),
    ("reason", pa.string())])
#: ``ltc.pipeline.achievement.ACHIEVEMENT_SCHEMA``
ACHIEVEMENT_SCHEMA = pa.schema([
    ("practice_code", pa.string()), ("locality_code", pa.string()),
    ("indicator", pa.string()), ("numerator", pa.int64()), ("denominator", pa.int64()),
    ("exceptions", pa.int64()), ("achievement", pa.float64())])


def medicine(nhs: str, long_term: int, pdc: float | None, non_adherent: list[str],
             review_due: bool, medicines: int, practice: str = "P1",
             last_review_on: date | None = None) -> dict[str, Any]:
    return {"nhs_number": nhs, "practice_code": practice, "long_term_medicines": long_term,
            "lowest_pdc": pdc, "non_adherent": non_adherent, "review_due": review_due,
            "last_review_on": last_review_on, "medicines": medicines,
            "polypharmacy": medicines >= 10}


def outcome(nhs: str, indicator: str, result: str, reason: str | None = None,
            practice: str = "P1", locality: str = "L1") -> dict[str, Any]:
    return {"nhs_number": nhs, "practice_code": practice, "locality_code": locality,
            "indicator": indicator, "outcome": result, "reason": reason}


def figure(practice: str | None, locality: str | None, indicator: str, numerator: int,
           denominator: int, exceptions: int = 0, register: bool = False) -> dict[str, Any]:
    return {"practice_code": practice, "locality_code": locality, "indicator": indicator,
            "numerator": numerator, "denominator": denominator, "exceptions": exceptions,
            "achievement": None if register or not denominator
            else 100.0 * numerator / denominator}


def table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def write(folder: Path, name: str, rows: list[dict[str, Any]] | pa.Table | None,
          schema: pa.Schema) -> None:
    if rows is None:
        return
    data = rows if isinstance(rows, pa.Table) else table(rows, schema)
    pq.write_table(data, folder / name)


def write_practice_run(data_dir: Path, run_id: str, as_of: date,
                       people: list[tuple[str, str]],
                       medicines: list[dict[str, Any]] | pa.Table | None = None,
                       indicators: list[dict[str, Any]] | pa.Table | None = None,
                       achievement: list[dict[str, Any]] | pa.Table | None = None
                       ) -> KeptRun:
    """A run of ``people`` ((NHS number, practice) each) with the files given."""
    run = write_run(data_dir, run_id, as_of, [person(n, p) for n, p in people], None)
    write(run.folder, "medicines.parquet", medicines, MEDICINES_SCHEMA)
    write(run.folder, "indicators.parquet", indicators, PEOPLE_SCHEMA)
    write(run.folder, "achievement.parquet", achievement, ACHIEVEMENT_SCHEMA)
    return run
