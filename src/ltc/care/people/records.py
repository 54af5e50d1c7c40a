"""A person's recent activity read from the record plane for the person summary:
medicines issued and encounters (GP, outpatient, A&E, inpatient, ambulance, community,
social care) in the last year of the record (CM-5 person summary, ARCHITECTURE: the care
plane reads the record store with DuckDB).

The record store's files are sorted by person, so DuckDB reads only the row groups that
can hold the NHS number asked for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from ltc.records.store import RecordStore

#: (table, date column, what the row is called, the column that describes it)
ENCOUNTERS = (
    ("gp_consultation", "date", "GP consultation", "mode"),
    ("outpatient_attendance", "date", "Outpatient appointment", "specialty"),
    ("ae_attendance", "date", "A&E attendance", "disposal"),
    ("inpatient_spell", "admission_date", "Hospital admission", "admission_method"),
    ("ambulance_incident", "date", "Ambulance call", "conveyed"),
    ("community_contact", "date", "Community contact", "service"),
    ("social_care_contact", "date", "Social care contact", "kind"),
)


@dataclass(frozen=True)
class Encounter:
    on: date
    kind: str
    detail: str


@dataclass(frozen=True)
class Medicine:
    name: str
    last_issued: date
    issues: int


class PersonRecords:
    """Reads one person at a time from a record store (one DuckDB connection, a cursor per
    thread)."""

    def __init__(self, data_dir: Path) -> None:
        store = RecordStore(Path(data_dir) / "records")
        self._con = duckdb.connect()
        self._tables: set[str] = set()
        for name, *_ in (*ENCOUNTERS, ("prescription",)):
            files = store.files(name)
            if files:
                listing = ", ".join(f"'{f}'" for f in files)
                self._con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listing}])")
                self._tables.add(name)
        self._local = threading.local()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._con.cursor()
        return cur

    def encounters(self, nhs_number: str, limit: int = 20) -> list[Encounter]:
        parts = [f"SELECT {col} AS on_, '{label}' AS kind, CAST({detail} AS VARCHAR) AS detail "
                 f"FROM {name} WHERE nhs_number = $nhs"
                 for name, col, label, detail in ENCOUNTERS if name in self._tables]
        if not parts:
            return []
        sql = " UNION ALL ".join(parts) + f" ORDER BY on_ DESC LIMIT {int(limit)}"
        rows = self._cursor().execute(sql, {"nhs": nhs_number}).fetchall()
        return [Encounter(r[0], r[1], r[2] or "") for r in rows]

    def medicines(self, nhs_number: str, since: date) -> list[Medicine]:
        if "prescription" not in self._tables:
            return []
        rows = self._cursor().execute(
            "SELECT drug_name, max(date), count(*) FROM prescription "
            "WHERE nhs_number = $nhs AND date > $since GROUP BY drug_name "
            "ORDER BY max(date) DESC, drug_name", {"nhs": nhs_number, "since": since}
        ).fetchall()
        return [Medicine(r[0], r[1], r[2]) for r in rows]
