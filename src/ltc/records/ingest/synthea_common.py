"""Synthea record mapping shared by the FHIR and the Synthea CSV ingest paths (POP-2).

Both :mod:`ltc.interop.fhir.bundles` and :mod:`ltc.records.ingest.synthea_csv` read their
input into the same neutral form (a :class:`~ltc.records.ingest.synthea_collected.Collected`:
patients, encounters and text rows for diagnoses, observations and prescriptions, each
with a locator), and this module turns that form into record-plane tables. Everything that
does not depend on the input format lives here or beside it, once:

* the encounter-class mapping (:data:`~ltc.records.ingest.synthea_codes.ENCOUNTER_CLASSES`),
  for FHIR ``Encounter.class`` codes and Synthea CSV ``ENCOUNTERCLASS`` words alike, and
  the other code sets (:mod:`ltc.records.ingest.synthea_codes`);
* the inpatient admission method, the A&E disposal and the discharge destination;
* the care setting of a diagnosis;
* the registered practice of a person and the ``practice``/``locality`` rows;
* NHS-number assignment through the ``identity_map`` (:func:`assign_nhs_numbers`);
* the default batch period.

The sources of the mappings are listed in :mod:`ltc.records.ingest.synthea_codes`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ltc.codes import nhs_number
from ltc.records.convert import convert_table
from ltc.records.errors import IngestError, Problem, refuse
from ltc.records.ingest.synthea_codes import (
    ADMISSION_AFTER_AE,
    ADMISSION_OTHER,
    ENCOUNTER_CLASSES,
    FALLBACK_PRACTICE,
    FALLBACK_PRACTICE_NAME,
    IDENTITY_FIELDS,
    LOCALITY_CODE,
    LOCALITY_NAME,
    NUBC_DISCHARGE,
    SOURCE_SYSTEM,
    day,
    sex_code,
)
from ltc.records.ingest.synthea_collected import Collected, Encounter, Patient, Rows
from ltc.records.schema import TABLES
from ltc.records.store import PERIOD_RE, SOURCE_RE, RecordStore

ENCOUNTER_TABLES = frozenset({"gp_consultation", "outpatient_attendance", "ae_attendance",
                              "inpatient_spell", "community_contact"})
SECONDARY_TABLES = frozenset({"ae_attendance", "inpatient_spell", "outpatient_attendance"})


def _instant(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


# -- NHS numbers ---------------------------------------------------------------------------

def assign_nhs_numbers(store: RecordStore, source_ids: Iterable[str],
                       source_system: str = SOURCE_SYSTEM) -> dict[str, str]:
    """NHS numbers for source patient identifiers, stable across runs.

    An identifier already in the store's ``identity_map`` keeps its number. A new one gets
    ``nhs_number.from_key("<source_system>:<id>", taken)``, where ``taken`` holds every
    number already used in the store (``identity_map`` and ``person``) and every number
    given out in this batch, so no two people ever share a number. New identifiers are
    numbered in sorted order, so the result does not depend on the order of the input.
    """
    known = store.arrow("identity_map", ["source_system", "source_id", "nhs_number"])
    existing: dict[str, str] = {}
    taken: set[str] = set()
    for system, ident, number in zip(known.column("source_system").to_pylist(),
                                     known.column("source_id").to_pylist(),
                                     known.column("nhs_number").to_pylist(), strict=True):
        taken.add(number)
        if system == source_system:
            existing[ident] = number
    for path in store.files("person"):
        taken.update(pq.read_table(path, columns=["nhs_number"]).column(0).to_pylist())
    assigned: dict[str, str] = {}
    for ident in sorted(set(source_ids)):
        if ident in existing:
            assigned[ident] = existing[ident]
        else:
            number = nhs_number.from_key(f"{source_system}:{ident}", taken)
            taken.add(number)
            assigned[ident] = number
    return assigned


# -- mapping ---------------------------------------------------------------------------------

REGISTERED_NAMED = "generalPractitioner"
REGISTERED_MOST_GP = "most GP consultations"
REGISTERED_NONE = "none"
"""The rules by which a person's registered practice is found, as the ingest reports them."""


def _practice_of(patient: Patient, visits: list[Encounter]) -> tuple[str, str]:
    """The registered practice and the rule that found it: the one the source names, else
    the organisation that provided most of the person's GP consultations (ties: the most
    recent), else the fallback."""
    if patient.practice:
        return patient.practice, REGISTERED_NAMED
    counts = Counter(e.provider for e in visits if e.provider)
    if not counts:
        return FALLBACK_PRACTICE, REGISTERED_NONE
    latest = {e.provider: e.start or "" for e in sorted(visits, key=lambda e: e.start or "")}
    return max(counts, key=lambda p: (counts[p], latest.get(p, ""), p)), REGISTERED_MOST_GP


def _encounter_rows(collected: Collected, deaths: dict[str, str | None],
                    source_fields: dict[str, str]) -> tuple[dict[str, Rows], dict[str, str]]:
    """Encounter rows per target table, and the target table of each encounter id."""
    rows: dict[str, Rows] = {}
    target_of: dict[str, str] = {}
    fixed_columns = {t.table: [k for k, _ in t.fixed] for t in ENCOUNTER_CLASSES.values()}
    columns = {
        "gp_consultation": ["record_id", "date", *fixed_columns["gp_consultation"]],
        "outpatient_attendance": ["record_id", "date", "attended"],
        "ae_attendance": ["record_id", "date", "disposal"],
        "inpatient_spell": ["record_id", "admission_date", "discharge_date", "admission_method",
                            "discharge_destination"],
        "community_contact": ["record_id", "date", "service", "mode"],
    }
    known = ", ".join(collected.classes)
    lookup = {c.lower(): t for c, t in collected.classes.items()}
    by_patient: dict[str, list[Encounter]] = {}
    for enc in collected.encounters.values():
        target = enc.target or lookup.get(enc.cls.strip().lower())
        if target is None:
            collected.problem(enc.where, collected.class_field,
                              f"{enc.cls!r} is not a known encounter class; expected one of: "
                              f"{known}")
            continue
        target_of[enc.id] = target.table
        enc.target = target
        by_patient.setdefault(enc.patient, []).append(enc)

    for patient, encounters in by_patient.items():
        ae = [e for e in encounters if target_of[e.id] == "ae_attendance"]
        spells = [e for e in encounters if target_of[e.id] == "inpatient_spell"]
        for enc in encounters:
            table = target_of[enc.id]
            out = rows.get(table)
            if out is None:
                out = rows[table] = Rows(table, columns[table], source_fields)
            assert enc.target is not None
            values: dict[str, str | None] = dict(enc.target.fixed)
            start = day(enc.start)
            if table == "inpatient_spell":
                after_ae = any(_precedes(a, enc) for a in ae)
                end = day(enc.end)
                if enc.discharge:
                    destination: str | None = NUBC_DISCHARGE.get(enc.discharge, "99")
                elif end is not None and end == deaths.get(patient):
                    destination = "79"
                else:
                    destination = None
                values.update(admission_date=start, discharge_date=end,
                              admission_method=ADMISSION_AFTER_AE if after_ae
                              else ADMISSION_OTHER,
                              discharge_destination=destination)
            else:
                values["date"] = start
                if table == "ae_attendance":
                    admitted = any(_precedes(enc, s) for s in spells)
                    values["disposal"] = "admitted" if admitted else "discharged"
            out.add(enc.where, patient=patient, record_id=enc.id, **values)
    return rows, target_of


def _precedes(first: Encounter, then: Encounter) -> bool:
    """``first`` starts on the same day as ``then`` and no later than it."""
    if not first.start or not then.start or day(first.start) != day(then.start):
        return False
    a, b = _instant(first.start), _instant(then.start)
    if a is None or b is None or (a.tzinfo is None) != (b.tzinfo is None):
        return first.start <= then.start
    return a <= b


def _resolve_patients(collected: Collected, rows: Rows, nhs: dict[str, str]) -> None:
    """Replace source patient ids by NHS numbers; unknown patients are problems."""
    column = rows.columns["patient"]
    for i, ident in enumerate(column):
        number = nhs.get(ident) if ident is not None else None
        if number is None:
            shown = "(missing)" if ident is None else repr(ident)
            collected.problem(rows.where[i], collected.patient_field,
                              f"refers to patient {shown}, which is not in this batch; "
                              "expected a patient included in the same batch")
        column[i] = number


def _convert(rows: Rows, where: str) -> pa.Table:
    spec = TABLES[rows.table]
    data = {("nhs_number" if k == "patient" else k): pa.array(v, pa.string())
            for k, v in rows.columns.items() if not k.startswith("_")}
    raw = pa.table(data)
    locators = rows.where
    try:
        return convert_table(spec, raw, lambda r: locators[r], where)
    except IngestError as err:
        renamed = [Problem(p.where, _field_label(p.field, rows.source_fields), p.message)
                   for p in err.problems]
        raise IngestError(renamed, err.total) from None


def _field_label(fld: str | None, source_fields: dict[str, str]) -> str | None:
    if fld is None or fld not in source_fields:
        return fld
    return f"{source_fields[fld]} ({fld})"


def build_tables(collected: Collected, store: RecordStore, where: str,
                 patient_fields: dict[str, str], encounter_fields: dict[str, str]
                 ) -> dict[str, pa.Table]:
    """Map a :class:`Collected` batch onto typed record-plane tables.

    Raises :class:`IngestError` for every problem found, structural or in a value.
    """
    collected.raise_problems()
    if not collected.patients:
        raise refuse(where, None, "holds no patients; expected Synthea patient records "
                     "(organisation- or practitioner-only input cannot form a batch)")
    nhs = assign_nhs_numbers(store, collected.patients)
    deaths = {p.id: day(p.death_date) for p in collected.patients.values()}

    encounter_rows, target_of = _encounter_rows(collected, deaths, encounter_fields)

    # diagnosis setting from the encounter it was recorded in
    diag = collected.diagnosis
    settings: list[str | None] = []
    for i, enc_id in enumerate(diag.columns["_encounter"]):
        table = target_of.get(enc_id) if enc_id else None
        if enc_id and enc_id not in collected.encounters:
            collected.problem(diag.where[i], collected.encounter_field,
                              f"refers to encounter {enc_id!r}, which is not in this batch; "
                              "expected an encounter included in the same batch")
        settings.append("secondary" if table in SECONDARY_TABLES else
                        "community" if table == "community_contact" else "primary")
    diag.columns["setting"] = settings

    # people, their practices and the identity map
    visits: dict[str, list[Encounter]] = {}
    for enc in collected.encounters.values():
        if target_of.get(enc.id) == "gp_consultation":
            visits.setdefault(enc.patient, []).append(enc)
    person = Rows("person", ("date_of_birth", "sex", "practice_code", "date_of_death",
                             *IDENTITY_FIELDS), patient_fields)
    id_map = Rows("identity_map", ("source_system", "source_id"), patient_fields)
    practices: dict[str, str] = {}
    for p in collected.patients.values():
        practice, rule = _practice_of(p, visits.get(p.id, []))
        collected.registered[rule] += 1
        practices.setdefault(practice, p.where)
        identity = {k: v for k, v in p.identity.items() if k in IDENTITY_FIELDS}
        person.add(p.where, patient=p.id, date_of_birth=day(p.birth_date),
                   sex=sex_code(p.gender), practice_code=practice,
                   date_of_death=day(p.death_date), **identity)
        id_map.add(p.where, patient=p.id, source_system=SOURCE_SYSTEM, source_id=p.id)
    practice_rows = Rows("practice", ("practice_code", "name", "locality_code"),
                         per_patient=False)
    for code, first_where in sorted(practices.items()):
        name = FALLBACK_PRACTICE_NAME if code == FALLBACK_PRACTICE else (
            collected.organisations.get(code) or code)
        practice_rows.add(first_where, practice_code=code, name=name,
                          locality_code=LOCALITY_CODE)
    locality = Rows("locality", ("locality_code", "name"), per_patient=False)
    locality.add(where, locality_code=LOCALITY_CODE, name=LOCALITY_NAME)

    patient_rows = [person, id_map, diag, collected.observation, collected.prescription,
                    *encounter_rows.values()]
    for rows in patient_rows:
        _resolve_patients(collected, rows, nhs)
    collected.raise_problems()

    tables: dict[str, pa.Table] = {}
    for rows in (locality, practice_rows, *patient_rows):
        if len(rows) or rows.table in ("person", "identity_map", "practice", "locality"):
            tables[rows.table] = _convert(rows, where)
    return tables


def default_period(tables: dict[str, pa.Table], where: str) -> str:
    """The month (``YYYY-MM``) of the latest date anywhere in the batch."""
    latest = None
    for name, data in tables.items():
        for f in TABLES[name].fields:
            if f.kind == "date" and data.num_rows:
                value = pc.max(data.column(f.name)).as_py()
                if value is not None and (latest is None or value > latest):
                    latest = value
    if latest is None:
        raise refuse(where, None, "holds no dated records; expected at least one date, or "
                     "give the period (YYYY-MM) explicitly")
    return f"{latest.year:04d}-{latest.month:02d}"


def check_batch_name(source: str, period: str | None, where: str) -> None:
    """Refuse a source or period that cannot name a batch."""
    if not SOURCE_RE.match(source):
        raise refuse(where, None, f"source {source!r}: expected lower-case letters, digits, "
                     "'-' or '_' (e.g. synthea-fhir)")
    if period is not None and not PERIOD_RE.match(period):
        raise refuse(where, None, f"period {period!r} is not a month; expected YYYY-MM")


def content_source(prefix: str, patient_ids: Iterable[str]) -> str:
    """A batch source named from its content: ``<prefix>-<8 hex>``, the start of a SHA-256
    over the sorted source patient ids. The same patients (a corrected copy of an export)
    give the same name, so the new batch replaces the old one; other patients give
    another name, so two exports add up."""
    digest = hashlib.sha256("\n".join(sorted(patient_ids)).encode()).hexdigest()
    return f"{prefix}-{digest[:8]}"


def details(collected: Collected, tables: dict[str, pa.Table]) -> dict[str, Any]:
    """What the ingest reports about how a batch was mapped: people by registration rule,
    encounters by table."""
    registered = {rule: collected.registered.get(rule, 0)
                  for rule in (REGISTERED_NAMED, REGISTERED_MOST_GP, REGISTERED_NONE)}
    encounters = {name: tables[name].num_rows for name in sorted(ENCOUNTER_TABLES)
                  if name in tables}
    return {"registered_by": registered, "encounters": encounters}
