"""A person's recent activity for the person summary: medicines issued in the year before
the run's index date, their latest encounters (GP, outpatient, A&E, inpatient, ambulance,
community) and their social care (packages of care, latest assessment, review and contact)
in the record store (CM-5 person summary, POP-2 linked records).

It is read from the record store with DuckDB once, when a run is loaded into the care
store (:func:`build`), and kept there beside the run's results as one row per person
(``PersonActivity``): showing a summary is then one indexed read, not a scan of the record
store's Parquet files (docs/decisions/0008-person-activity-with-the-run.md).

Social care contacts are kept apart from the encounters, in the social care summary
(:func:`social_care`): only some users may see a person's social care
(``ltc.care.socialcare.readers``), so the encounters every reader sees hold none.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa

from ltc.care.socialcare.summary import Package, SocialCare
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
)
#: the social care summary's tables (:func:`social_care`)
SOCIAL_CARE = ("social_care_contact", "social_care_package")
#: the kinds of social care contact whose latest date is kept (records.schema)
CONTACT_KINDS = ("assessment", "review", "contact")
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


#: what stands for a social care table the record store does not hold
EMPTY = {
    "social_care_contact": "SELECT NULL::VARCHAR AS nhs_number, NULL::VARCHAR AS record_id, "
                           "NULL::DATE AS date, NULL::VARCHAR AS kind WHERE false",
    "social_care_package": "SELECT NULL::VARCHAR AS nhs_number, NULL::VARCHAR AS record_id, "
                           "NULL::DATE AS start_date, NULL::DATE AS end_date, "
                           "NULL::DOUBLE AS hours_per_week, NULL::VARCHAR AS intensity "
                           "WHERE false",
}


def _social_care() -> str:
    """Each person's social care as compact JSON: ``packages``, each ``[start, end or
    null, hours a week, intensity]``, newest first, and the latest date of each kind of
    contact (``assessment``, ``review``, ``contact``; null when none); one pass over each
    of the two tables."""
    latest = ", ".join(f"CAST(max(date) FILTER (WHERE kind = '{k}') AS VARCHAR) AS {k}"
                       for k in CONTACT_KINDS)
    return (
        "SELECT coalesce(p.nhs_number, c.nhs_number) AS nhs_number, "
        "to_json({packages: coalesce(p.packages, []), "
        + ", ".join(f"{k}: c.{k}" for k in CONTACT_KINDS) + "}) AS social_care FROM ("
        "SELECT nhs_number, list([CAST(start_date AS VARCHAR), CAST(end_date AS VARCHAR), "
        "CAST(hours_per_week AS VARCHAR), CAST(intensity AS VARCHAR)] "
        "ORDER BY start_date DESC, end_date DESC NULLS FIRST, record_id) AS packages "
        "FROM social_care_package WHERE start_date IS NOT NULL GROUP BY nhs_number) p "
        f"FULL OUTER JOIN (SELECT nhs_number, {latest} FROM social_care_contact "
        "WHERE date IS NOT NULL GROUP BY nhs_number) c ON p.nhs_number = c.nhs_number")


def build(store: RecordStore, as_of: date) -> Iterator[pa.RecordBatch]:
    """Batches of (nhs_number, encounters, medicines, social_care), the last three as
    compact JSON, for every person with any activity in ``store``."""
    import duckdb

    con = duckdb.connect()
    present = set()
    for name, *_ in (*ENCOUNTERS, ("prescription",), *((t,) for t in SOCIAL_CARE)):
        files = store.files(name)
        if files:
            listing = ", ".join(f"'{f}'" for f in files)
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listing}])")
            present.add(name)
        elif name in EMPTY:
            con.execute(f"CREATE VIEW {name} AS {EMPTY[name]}")
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
            "SELECT CAST(coalesce(e.nhs_number, m.nhs_number, s.nhs_number) AS VARCHAR) "
            "AS nhs_number, CAST(e.encounters AS VARCHAR) AS encounters, "
            "CAST(m.medicines AS VARCHAR) AS medicines, "
            "CAST(s.social_care AS VARCHAR) AS social_care "
            f"FROM ({encounters}) e FULL OUTER JOIN ({medicines}) m "
            f"ON e.nhs_number = m.nhs_number FULL OUTER JOIN ({_social_care()}) s "
            "ON s.nhs_number = coalesce(e.nhs_number, m.nhs_number)").to_arrow_reader(BATCH)
        yield from reader
    finally:
        con.close()


def encounters(stored: str | None) -> list[Encounter]:
    """The encounters :func:`build` stored for a person, newest first (a run loaded before
    social care contacts were kept apart stored them as a kind past the last one: they are
    left out, for only some users may see them)."""
    return [Encounter(date.fromisoformat(on), ENCOUNTERS[int(k)][2], detail)
            for on, k, detail in json.loads(stored or "[]") if int(k) < len(ENCOUNTERS)]


def medicines(stored: str | None) -> list[Medicine]:
    """The medicines :func:`build` stored for a person, the latest issued first."""
    return [Medicine(name, date.fromisoformat(last), int(n))
            for name, last, n in json.loads(stored or "[]")]


def social_care(stored: str | None) -> SocialCare:
    """The social care :func:`build` stored for a person: packages newest first."""
    kept = json.loads(stored or "{}")

    def on(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return SocialCare(
        packages=tuple(Package(date.fromisoformat(start), on(end),
                               None if hours is None else float(hours), intensity)
                       for start, end, hours, intensity in kept.get("packages", ())),
        assessment=on(kept.get("assessment")), review=on(kept.get("review")),
        contact=on(kept.get("contact")))
