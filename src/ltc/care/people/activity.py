"""A person's recent activity for the person summary: medicines issued in the year before
the run's index date, and their latest encounters (GP, outpatient, A&E, inpatient,
ambulance, community, social care) in the record store (CM-5 person summary).

It is read from the record store with DuckDB once, when a run is loaded into the care
store (:func:`build`), and kept there beside the run's results as one row per person
(``PersonActivity``): showing a summary is then one indexed read, not a scan of the record
store's Parquet files (docs/decisions/0008-person-activity-with-the-run.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa

from ltc.records.store import RecordStore

#: (table, date column, what the row is called, the column that describes it); an
#: encounter is stored with its position in this tuple
ENCOUNTERS = (
    ("gp_consultation", "date", "GP consultation", "mode"),
    ("outpatient_attendance", "date", "Outpatient appointment", "specialty"),
    ("ae_attendance", "date", "A&E attendance", "disposal"),
    ("inpatient_spell", "admission_date", "Hospital admission", "admission_method"),
    ("ambulance_incident", "date", "Ambulance call", "conveyed"),
    ("community_contact", "date", "Community contact", "service"),
    ("social_care_contact", "date", "Social care contact", "kind"),
)
#: encounters kept per person, newest first
LATEST = 20
#: medicines issued in this many days before the index date
MEDICINES_DAYS = 365
BATCH = 50_000


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


def build(store: RecordStore, as_of: date) -> Iterator[pa.RecordBatch]:
    """Batches of (nhs_number, encounters, medicines), the last two as compact JSON, for
    every person with any activity in ``store``."""
    import duckdb

    con = duckdb.connect()
    present = set()
    for name, *_ in (*ENCOUNTERS, ("prescription",)):
        files = store.files(name)
        if files:
            listing = ", ".join(f"'{f}'" for f in files)
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listing}])")
            present.add(name)
    parts = [f"SELECT nhs_number, {col} AS on_, {i} AS k, CAST({detail} AS VARCHAR) AS d "
             f"FROM {name} WHERE {col} IS NOT NULL"
             for i, (name, col, _, detail) in enumerate(ENCOUNTERS) if name in present]
    encounters = (
        "SELECT nhs_number, to_json(list([CAST(on_ AS VARCHAR), CAST(k AS VARCHAR), "
        "coalesce(d, '')] ORDER BY on_ DESC, k)) AS encounters FROM ("
        "SELECT *, row_number() OVER (PARTITION BY nhs_number ORDER BY on_ DESC, k) AS rn "
        f"FROM ({' UNION ALL '.join(parts)})) WHERE rn <= {LATEST} GROUP BY nhs_number"
        if parts else "SELECT NULL::VARCHAR AS nhs_number, NULL::VARCHAR AS encounters "
                      "WHERE false")
    since = as_of - timedelta(days=MEDICINES_DAYS)
    medicines = (
        "SELECT nhs_number, to_json(list([drug_name, CAST(last AS VARCHAR), "
        "CAST(n AS VARCHAR)] ORDER BY last DESC, drug_name)) AS medicines FROM ("
        "SELECT nhs_number, drug_name, max(date) AS last, count(*) AS n FROM prescription "
        f"WHERE date > DATE '{since.isoformat()}' AND date <= DATE '{as_of.isoformat()}' "
        "GROUP BY ALL) GROUP BY nhs_number"
        if "prescription" in present else
        "SELECT NULL::VARCHAR AS nhs_number, NULL::VARCHAR AS medicines WHERE false")
    try:
        reader = con.sql(
            f"SELECT CAST(coalesce(e.nhs_number, m.nhs_number) AS VARCHAR) AS nhs_number, "
            f"CAST(e.encounters AS VARCHAR) AS encounters, "
            f"CAST(m.medicines AS VARCHAR) AS medicines "
            f"FROM ({encounters}) e FULL OUTER JOIN ({medicines}) m "
            "ON e.nhs_number = m.nhs_number").to_arrow_reader(BATCH)
        yield from reader
    finally:
        con.close()


def encounters(stored: str | None) -> list[Encounter]:
    """The encounters :func:`build` stored for a person, newest first."""
    return [Encounter(date.fromisoformat(on), ENCOUNTERS[int(k)][2], detail)
            for on, k, detail in json.loads(stored or "[]")]


def medicines(stored: str | None) -> list[Medicine]:
    """The medicines :func:`build` stored for a person, the latest issued first."""
    return [Medicine(name, date.fromisoformat(last), int(n))
            for name, last, n in json.loads(stored or "[]")]
