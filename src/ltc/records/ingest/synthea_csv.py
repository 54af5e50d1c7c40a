"""Ingest a Synthea CSV export (format v3) into the record plane (POP-2).

A Synthea CSV export is a folder of ``<resource>.csv`` files (Synthea's CSV exporter, see
the Synthea wiki "CSV File Data Dictionary"). This module reads ``patients.csv``,
``encounters.csv``, ``conditions.csv``, ``observations.csv``, ``medications.csv`` and, for
practice names, ``organizations.csv``; the folder is one batch, stored completely or not
at all. Rows are mapped with the same rules as the FHIR path
(:mod:`ltc.records.ingest.synthea_common`) and every table goes through
:func:`ltc.records.convert.convert_table`. Problems name ``<file>.csv, line N`` (line 1 is
the header) and the column.

Mapping (also in ``docs/fhir-mapping.md``)
------------------------------------------

====================================  ==========================================================
Synthea CSV                           Record plane
====================================  ==========================================================
patients.Id                           ``identity_map`` (source_system ``synthea``) and
                                      person.nhs_number, as for FHIR Patient.id
patients.BIRTHDATE / DEATHDATE        person.date_of_birth / date_of_death
patients.GENDER                       person.sex: M, F, anything else U
patients.FIRST, LAST                  person.given_name, family_name (as written: Synthea
                                      appends digits to its made-up names)
patients.ADDRESS, CITY; ZIP           person.address (``ADDRESS, CITY``); person.postcode
patients.RACE, ETHNICITY              not read: US categories, not the NHS ethnic category
encounters.ORGANIZATION               person.practice_code: the organisation of most of the
                                      person's GP consultations (ties: most recent), else
                                      ``SYNTHEA``; practice.name from organizations.NAME
encounters.ENCOUNTERCLASS             table by class (:data:`synthea_codes.ENCOUNTER_CLASSES`):
                                      wellness, ambulatory -> gp_consultation; outpatient ->
                                      outpatient_attendance (attended true); emergency,
                                      urgentcare -> ae_attendance; inpatient ->
                                      inpatient_spell; home, hospice, snf -> community_contact;
                                      virtual, telemedicine -> gp_consultation (video)
encounters.Id, START, STOP            record_id; date or admission/discharge date (date part);
                                      admission method 21 after a same-day emergency or urgent
                                      care visit, else 99; A&E disposal admitted/discharged
conditions.CODE (SNOMED CT)           diagnosis.code_system ``snomed`` (``SYSTEM`` column when
                                      present), code; START -> date, STOP -> resolved_date;
                                      setting from the ENCOUNTER's class, as for FHIR
observations.CODE (LOINC)             observation.code_system ``loinc``, code; DATE -> date;
                                      VALUE and UNITS only when TYPE is ``numeric``
medications.CODE (RxNorm)             prescription.drug_code_system ``rxnorm``, drug_code;
                                      DESCRIPTION -> drug_name; START -> date; quantity 1
                                      (DISPENSES counts fills, not units); repeat true when
                                      DISPENSES is more than 1; cost empty
====================================  ==========================================================

Every other file of the export (allergies, careplans, claims, procedures, ...) is
skipped and counted in the batch's ``skipped`` (rows per file, by lines). The batch's
source defaults to ``synthea-csv-<8 hex>`` named from its patients' Ids
(:func:`synthea_common.content_source`), so two exports add up and a corrected copy of
one replaces it.

conditions, observations and medications carry no identifier, so their record_id is
``<ENCOUNTER>:<CODE>:<START or DATE>`` (``#2``, ``#3``... for identical repeats), stable
across runs of the same export.

Sources: Synthea CSV data dictionary (synthetichealth/synthea wiki, "CSV File Data
Dictionary", exporter version 3); ``HealthRecord.EncounterType`` in synthetichealth/synthea.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa

from ltc.records.errors import IngestError, Problem, refuse
from ltc.records.ingest import synthea_codes, synthea_collected
from ltc.records.ingest import synthea_common as common
from ltc.records.ingest.csv_extract import display, fingerprint, line_locator, read_csv
from ltc.records.store import Batch, RecordStore

MAPPING_VERSION = "synthea-csv-2"
"""Part of the batch fingerprint: a change of mapping re-ingests the same export."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "patients": ("Id", "BIRTHDATE", "DEATHDATE", "GENDER"),
    "encounters": ("Id", "START", "STOP", "PATIENT", "ORGANIZATION", "ENCOUNTERCLASS"),
    "conditions": ("START", "STOP", "PATIENT", "ENCOUNTER", "CODE"),
    "observations": ("DATE", "PATIENT", "ENCOUNTER", "CODE", "VALUE", "UNITS", "TYPE"),
    "medications": ("START", "PATIENT", "ENCOUNTER", "CODE", "DESCRIPTION", "DISPENSES"),
}
"""Files read and the columns each must have (other columns are ignored)."""
OPTIONAL_FILES = {"organizations": ("Id", "NAME")}
SOURCE_PREFIX = "synthea-csv"

CONDITION_SYSTEMS = {"snomed-ct": "snomed", "snomed": "snomed", "http://snomed.info/sct": "snomed",
                     "icd-10": "icd10", "icd10": "icd10", "http://hl7.org/fhir/sid/icd-10": "icd10"}
"""conditions.SYSTEM (written by later Synthea versions) -> code system; absent: snomed."""

PATIENT_FIELDS = {"date_of_birth": "BIRTHDATE", "sex": "GENDER", "date_of_death": "DEATHDATE",
                  "source_id": "Id", "given_name": "FIRST", "family_name": "LAST",
                  "address": "ADDRESS", "postcode": "ZIP"}
ENCOUNTER_FIELDS = {"record_id": "Id", "date": "START", "admission_date": "START",
                    "discharge_date": "STOP"}
DIAGNOSIS_FIELDS = {"code": "CODE", "code_system": "SYSTEM", "date": "START",
                    "resolved_date": "STOP"}
OBSERVATION_FIELDS = {"code": "CODE", "date": "DATE", "value": "VALUE", "unit": "UNITS"}
PRESCRIPTION_FIELDS = {"drug_code": "CODE", "drug_name": "DESCRIPTION", "date": "START"}


class _File:
    """One CSV file of the export: its columns as Python lists, empty text as None."""

    def __init__(self, path: Path, required: tuple[str, ...]) -> None:
        self.name = path.name
        table = read_csv(path)
        missing = [c for c in required if c not in table.column_names]
        if missing:
            raise IngestError([Problem(f"{self.name}, line 1", c, "required column is missing "
                                       "from the header") for c in missing])
        self.rows = table.num_rows
        self.table = table
        self._locate = line_locator(path, self.name)

    def column(self, name: str) -> list[str | None]:
        if name not in self.table.column_names:
            return [None] * self.rows
        values: list[str] = self.table.column(name).to_pylist()
        return [v if v and v.strip() else None for v in values]

    def where(self, row: int) -> str:
        return self._locate(row)


def _record_ids(encounters: list[str | None], patients: list[str | None],
                codes: list[str | None], dates: list[str | None]) -> list[str]:
    """``<encounter>:<code>:<date>``, numbered ``#2``... when the same triple repeats."""
    seen: Counter[str] = Counter()
    ids = []
    for enc, patient, code, date in zip(encounters, patients, codes, dates, strict=True):
        base = f"{enc or patient or ''}:{code or ''}:{date or ''}"
        seen[base] += 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return ids


def _lines(path: Path) -> int:
    """Records in a CSV file not read, counted as lines after the header."""
    with open(path, "rb") as handle:
        data = handle.read()
    count = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return max(0, count - 1)


def load_folder(folder: Path, store: RecordStore, source: str | None = None,
                period: str | None = None) -> Batch:
    """Read and check a Synthea CSV export folder as one batch (not committed).

    ``store`` is only read, for the NHS numbers already given to Synthea patients.
    ``period`` defaults to the month of the latest date in the batch.
    Raises :class:`~ltc.records.errors.IngestError` naming file, line and column.
    """
    folder = Path(folder)
    where = display(folder)
    if not folder.is_dir():
        raise refuse(where, None, "is not a folder; expected a Synthea CSV export folder")
    common.check_batch_name(source or SOURCE_PREFIX, period, where)
    absent = [f"{name}.csv" for name in COLUMNS if not (folder / f"{name}.csv").is_file()]
    if absent:
        raise refuse(where, None, f"lacks {', '.join(absent)}; expected a Synthea CSV export "
                     f"with {', '.join(n + '.csv' for n in COLUMNS)}")
    files = {name: _File(folder / f"{name}.csv", cols) for name, cols in COLUMNS.items()}
    for name, cols in OPTIONAL_FILES.items():
        if (folder / f"{name}.csv").is_file():
            files[name] = _File(folder / f"{name}.csv", cols)

    c = synthea_collected.new_collected("PATIENT", "ENCOUNTER", "ENCOUNTERCLASS",
                                        synthea_codes.CSV_ENCOUNTER_CLASSES, DIAGNOSIS_FIELDS,
                                        OBSERVATION_FIELDS, PRESCRIPTION_FIELDS)
    if "organizations" in files:
        orgs = files["organizations"]
        for ident, org_name in zip(orgs.column("Id"), orgs.column("NAME"), strict=True):
            if ident:
                c.organisations.setdefault(ident, org_name or ident)

    f = files["patients"]
    first, last, street, city, zipcode = (f.column("FIRST"), f.column("LAST"),
                                          f.column("ADDRESS"), f.column("CITY"), f.column("ZIP"))
    for row, (ident, born, died, gender) in enumerate(zip(
            f.column("Id"), f.column("BIRTHDATE"), f.column("DEATHDATE"), f.column("GENDER"),
            strict=True)):
        at = f.where(row)
        if ident is None:
            c.problem(at, "Id", "is empty; expected the patient identifier")
        elif c.first_time("patient", ident, at, "Id"):
            address = ", ".join(v.strip() for v in (street[row], city[row]) if v) or None
            c.patients[ident] = synthea_collected.Patient(at, ident, born, gender, died, identity={
                "given_name": first[row], "family_name": last[row], "address": address,
                "postcode": zipcode[row]})

    f = files["encounters"]
    for row, (ident, start, stop, patient, org, cls) in enumerate(zip(
            f.column("Id"), f.column("START"), f.column("STOP"), f.column("PATIENT"),
            f.column("ORGANIZATION"), f.column("ENCOUNTERCLASS"), strict=True)):
        at = f.where(row)
        for value, column in ((ident, "Id"), (patient, "PATIENT"), (cls, "ENCOUNTERCLASS"),
                              (start, "START")):
            if value is None:
                c.problem(at, column, "is empty; expected a value")
        if ident is None or patient is None or cls is None or start is None:
            continue
        if c.first_time("encounter", ident, at, "Id"):
            c.encounters[ident] = synthea_collected.Encounter(at, ident, patient, cls, start,
                                                              stop, org)

    f = files["conditions"]
    starts, patients, encounters, codes = (f.column("START"), f.column("PATIENT"),
                                           f.column("ENCOUNTER"), f.column("CODE"))
    systems, stops = f.column("SYSTEM"), f.column("STOP")
    for row, record_id in enumerate(_record_ids(encounters, patients, codes, starts)):
        system = systems[row]
        c.diagnosis.add(
            f.where(row), patient=patients[row], record_id=record_id,
            code_system=CONDITION_SYSTEMS.get(system.lower(), system) if system else "snomed",
            code=codes[row], date=synthea_codes.day(starts[row]),
            resolved_date=synthea_codes.day(stops[row]), _encounter=encounters[row])

    f = files["observations"]
    dates, patients, encounters, codes = (f.column("DATE"), f.column("PATIENT"),
                                          f.column("ENCOUNTER"), f.column("CODE"))
    values, units, kinds = f.column("VALUE"), f.column("UNITS"), f.column("TYPE")
    for row, record_id in enumerate(_record_ids(encounters, patients, codes, dates)):
        numeric = (kinds[row] or "").strip().lower() == "numeric"
        c.observation.add(f.where(row), patient=patients[row], record_id=record_id,
                          date=synthea_codes.day(dates[row]), code_system="loinc", code=codes[row],
                          value=values[row] if numeric else None,
                          unit=units[row] if numeric else None)

    f = files["medications"]
    starts, patients, encounters, codes = (f.column("START"), f.column("PATIENT"),
                                           f.column("ENCOUNTER"), f.column("CODE"))
    names, dispenses = f.column("DESCRIPTION"), f.column("DISPENSES")
    for row, record_id in enumerate(_record_ids(encounters, patients, codes, starts)):
        fills = (dispenses[row] or "").strip()
        c.prescription.add(f.where(row), patient=patients[row], record_id=record_id,
                           date=synthea_codes.day(starts[row]), drug_code_system="rxnorm",
                           drug_code=codes[row], drug_name=names[row], quantity="1",
                           repeat=("true" if int(fills) > 1 else "false") if fills.isdigit()
                           else None)

    tables: dict[str, pa.Table] = common.build_tables(c, store, where, PATIENT_FIELDS,
                                                      ENCOUNTER_FIELDS)
    period = period or common.default_period(tables, where)
    source = source or common.content_source(SOURCE_PREFIX, c.patients)
    paths = [folder / f"{name}.csv" for name in files]
    skipped = {p.name: _lines(p) for p in sorted(folder.glob("*.csv"))
               if p.stem not in files}
    return Batch(source, period, fingerprint(paths, extra=f"{MAPPING_VERSION}:{source}/{period}"),
                 tables, skipped=skipped, details=common.details(c, tables))
