"""Synthea record mapping shared by the FHIR and the Synthea CSV ingest paths (POP-2).

Both :mod:`ltc.records.ingest.fhir` and :mod:`ltc.records.ingest.synthea_csv` read their
input into the same neutral form (a :class:`Collected`: patients, encounters and text rows
for diagnoses, observations and prescriptions, each with a locator), and this module
turns that form into record-plane tables. Everything that does not depend on the input
format lives here, once:

* the encounter-class mapping (:data:`ENCOUNTER_CLASSES`), for FHIR ``Encounter.class``
  codes and Synthea CSV ``ENCOUNTERCLASS`` words alike;
* the inpatient admission method, the A&E disposal and the discharge destination;
* the care setting of a diagnosis;
* the registered practice of a person and the ``practice``/``locality`` rows;
* NHS-number assignment through the ``identity_map`` (:func:`assign_nhs_numbers`);
* the default batch period.

Sources of the mappings
-----------------------
* Synthea encounter types and their FHIR classes: ``HealthRecord.EncounterType`` in
  synthetichealth/synthea (WELLNESS, AMBULATORY, OUTPATIENT and URGENTCARE are exported
  as ``AMB``, EMERGENCY as ``EMER``, INPATIENT and SNF as ``IMP``, HOME and HOSPICE as
  ``HH``, VIRTUAL as ``VR``).
* FHIR encounter classes: HL7 v3 ``ActCode`` (``http://terminology.hl7.org/CodeSystem/
  v3-ActCode``), values AMB, EMER, IMP, ACUTE, NONAC, OBSENC, PRENC, SS, HH, VR, FLD.
* Admission method and discharge destination codes: NHS Data Dictionary, as held in
  :mod:`ltc.codes.nhs_dd`.
* US discharge dispositions: NUBC UB-04 form locator 17, "Patient Discharge Status"
  (code system ``http://www.nubc.org/patient-discharge``), as used by Synthea.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ltc.codes import nhs_number
from ltc.records.convert import convert_table
from ltc.records.errors import MAX_REPORTED, IngestError, Problem, refuse
from ltc.records.schema import TABLES
from ltc.records.store import PERIOD_RE, SOURCE_RE, RecordStore

IDENTITY_FIELDS = ("given_name", "family_name", "address", "postcode", "telephone",
                   "ethnic_category", "main_language", "interpreter_required",
                   "preferred_contact")
"""Optional person fields saying who the person is, read when the source has them."""

SOURCE_SYSTEM = "synthea"
"""``identity_map.source_system`` for Synthea patient identifiers (FHIR and CSV alike)."""

LOCALITY_CODE = "SYNTHEA"
LOCALITY_NAME = "Synthea synthetic population"
FALLBACK_PRACTICE = "SYNTHEA"
FALLBACK_PRACTICE_NAME = "Synthea (no practice recorded)"


class Target(NamedTuple):
    """Where an encounter class goes: the table and the fixed values it gets there."""

    table: str
    fixed: tuple[tuple[str, str], ...] = ()


_GP = Target("gp_consultation", (("staff", "gp"), ("mode", "face_to_face")))
_GP_VIDEO = Target("gp_consultation", (("staff", "gp"), ("mode", "video")))
_OUTPATIENT = Target("outpatient_attendance", (("attended", "true"),))
_AE = Target("ae_attendance")
_INPATIENT = Target("inpatient_spell")
_HOME = Target("community_contact", (("service", "district_nursing"), ("mode", "home_visit")))
_HOSPICE = Target("community_contact", (("service", "other"), ("mode", "home_visit")))
_SNF = Target("community_contact", (("service", "intermediate_care"), ("mode", "clinic")))

FHIR_ENCOUNTER_CLASSES: dict[str, Target] = {
    "AMB": _GP, "VR": _GP_VIDEO, "EMER": _AE, "OBSENC": _AE, "IMP": _INPATIENT,
    "ACUTE": _INPATIENT, "NONAC": _INPATIENT, "SS": _INPATIENT, "HH": _HOME,
}
"""FHIR ``Encounter.class.code`` (HL7 v3 ActCode) -> target (see :data:`ENCOUNTER_CLASSES`)."""

CSV_ENCOUNTER_CLASSES: dict[str, Target] = {
    "wellness": _GP, "ambulatory": _GP, "virtual": _GP_VIDEO, "telemedicine": _GP_VIDEO,
    "outpatient": _OUTPATIENT, "emergency": _AE, "urgentcare": _AE, "inpatient": _INPATIENT,
    "home": _HOME, "hospice": _HOSPICE, "snf": _SNF,
}
"""Synthea CSV ``ENCOUNTERCLASS`` -> target (see :data:`ENCOUNTER_CLASSES`)."""

ENCOUNTER_CLASSES: dict[str, Target] = {**FHIR_ENCOUNTER_CLASSES, **CSV_ENCOUNTER_CLASSES}
"""Encounter class -> record-plane table and fixed field values (matched ignoring case).

======================================  ======================  ==============================
Class (FHIR ActCode / Synthea CSV)      Table                   Fixed values
======================================  ======================  ==============================
AMB, wellness, ambulatory               gp_consultation         staff gp, mode face_to_face
VR, virtual, telemedicine               gp_consultation         staff gp, mode video
outpatient (CSV only)                   outpatient_attendance   attended true
EMER, OBSENC, emergency, urgentcare     ae_attendance           disposal (see below)
IMP, ACUTE, NONAC, SS, inpatient        inpatient_spell         admission method (see below)
HH, home                                community_contact       district_nursing, home_visit
hospice (CSV only)                      community_contact       other, home_visit
snf (CSV only)                          community_contact       intermediate_care, clinic
======================================  ======================  ==============================

Any other class (FHIR PRENC, FLD, a misspelt word...) refuses the batch, naming the
encounter and listing these classes. Synthea FHIR exports urgent care and outpatient
visits as AMB, so in FHIR input they are GP consultations; in CSV input they keep their
own tables.
"""

ENCOUNTER_TABLES = frozenset({"gp_consultation", "outpatient_attendance", "ae_attendance",
                              "inpatient_spell", "community_contact"})
SECONDARY_TABLES = frozenset({"ae_attendance", "inpatient_spell", "outpatient_attendance"})

ADMISSION_AFTER_AE = "21"
"""Admission method of a spell that starts on the day of an earlier A&E attendance
(NHS Data Dictionary 21: emergency, via the emergency care department of this provider)."""
ADMISSION_OTHER = "99"
"""Admission method of any other spell (99: not known). Synthea does not say whether an
admission without an emergency visit was planned, so no elective code is claimed."""

NUBC_DISCHARGE: dict[str, str] = {
    "01": "19",  # home or self care -> usual place of residence
    "06": "19",  # home under a home health organisation -> usual place of residence
    "02": "51",  # short-term general hospital -> NHS other provider, general ward
    "03": "85",  # skilled nursing facility -> non-NHS run care home
    "04": "85",  # intermediate care facility -> non-NHS run care home
    "20": "79",  # expired -> patient died
    "40": "79", "41": "79", "42": "79",  # expired (hospice claims) -> patient died
    "50": "88", "51": "88",  # hospice -> non-NHS run hospice
}
"""NUBC discharge status -> NHS Data Dictionary discharge destination. Other NUBC codes
give 99 (not known); a spell without one gives 79 when the person died on the discharge
date and is left empty otherwise."""

SEX_CODES = {"male": "M", "m": "M", "female": "F", "f": "F"}
"""Administrative gender (FHIR ``male``/``female``, CSV ``M``/``F``) -> sex; anything else U."""


def sex_code(gender: str | None) -> str:
    return SEX_CODES.get((gender or "").strip().lower(), "U")


def day(value: str | None) -> str | None:
    """The calendar date of a FHIR/ISO date or dateTime: its first ten characters.

    Partial dates (``1956``, ``1956-08``) are passed on unchanged, so that the record-plane
    conversion refuses them with its usual message.
    """
    if value is None:
        return None
    return value[:10] if len(value) >= 10 and value[4:5] == "-" else value


def _instant(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class Rows:
    """Text columns of one record-plane table, with a locator per row.

    ``patient`` holds the source patient identifier until :func:`build_tables` replaces it
    by the NHS number; extra columns whose names start with ``_`` are dropped before
    conversion. ``source_fields`` names the source element behind a record-plane field,
    so that problems say both.
    """

    def __init__(self, table: str, columns: Iterable[str],
                 source_fields: dict[str, str] | None = None, per_patient: bool = True) -> None:
        self.table = table
        names = ("patient", *columns) if per_patient else tuple(columns)
        self.columns: dict[str, list[str | None]] = {c: [] for c in names}
        self.where: list[str] = []
        self.source_fields = source_fields or {}

    def add(self, where: str, **values: str | None) -> None:
        self.where.append(where)
        for name, column in self.columns.items():
            column.append(values.get(name))

    def __len__(self) -> int:
        return len(self.where)


@dataclass(slots=True)
class Patient:
    """A source patient, its values still as text."""

    where: str
    id: str
    birth_date: str | None
    gender: str | None
    death_date: str | None
    practice: str | None = None  # organisation named by the source as the registered practice
    identity: dict[str, str | None] = field(default_factory=dict)  # name, address... as text


@dataclass(slots=True)
class Encounter:
    """A source encounter, its values still as text."""

    where: str
    id: str
    patient: str
    cls: str
    start: str | None
    end: str | None
    provider: str | None
    discharge: str | None = None  # NUBC discharge status code, when given
    target: Target | None = None  # set when more than the class decides the table


@dataclass
class Collected:
    """One batch of Synthea input in neutral form, before mapping."""

    patient_field: str  # how the source names a reference to the patient (for messages)
    encounter_field: str
    class_field: str
    classes: dict[str, Target]  # the encounter classes this source uses
    diagnosis: Rows
    observation: Rows
    prescription: Rows
    patients: dict[str, Patient] = field(default_factory=dict)
    encounters: dict[str, Encounter] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)  # id -> name
    problems: list[Problem] = field(default_factory=list)
    total: int = 0
    seen: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> where
    skipped: Counter[str] = field(default_factory=Counter)  # what was not read, by kind
    registered: Counter[str] = field(default_factory=Counter)  # people by practice rule

    def problem(self, where: str, fld: str | None, message: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(where, fld, message))

    def first_time(self, kind: str, ident: str, where: str, fld: str) -> bool:
        """Note ``ident``; a second sighting is a problem (and returns False)."""
        first = self.seen.get((kind, ident))
        if first is None:
            self.seen[(kind, ident)] = where
            return True
        self.problem(where, fld, f"duplicate {kind} id {ident!r}, first seen at {first}; "
                     "expected each resource once per batch")
        return False

    def raise_problems(self) -> None:
        if self.total:
            raise IngestError(self.problems, self.total)


def new_collected(patient_field: str, encounter_field: str, class_field: str,
                  classes: dict[str, Target], diagnosis_fields: dict[str, str],
                  observation_fields: dict[str, str],
                  prescription_fields: dict[str, str]) -> Collected:
    """An empty :class:`Collected`; the dicts name the source element of each field."""
    return Collected(
        patient_field, encounter_field, class_field, classes,
        diagnosis=Rows("diagnosis", ("record_id", "code_system", "code", "date",
                                     "resolved_date", "_encounter"), diagnosis_fields),
        observation=Rows("observation", ("record_id", "date", "code_system", "code", "value",
                                         "unit"), observation_fields),
        prescription=Rows("prescription", ("record_id", "date", "drug_code_system",
                                           "drug_code", "drug_name", "quantity", "repeat"),
                          prescription_fields),
    )


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
