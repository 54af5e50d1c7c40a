"""Ingest Synthea FHIR R4 transaction Bundles into the record plane (POP-2).

Each input file holds one FHIR R4 ``Bundle`` (Synthea writes one ``transaction`` Bundle
per patient, plus organisation-only and practitioner-only Bundles). All files given
form one batch: it is stored completely or not at all. Files are parsed with ``orjson``;
the resources are turned into text columns (dates ``YYYY-MM-DD`` cut from FHIR dateTimes,
``true``/``false``, numbers as text) and every table goes through
:func:`ltc.records.convert.convert_table`, the one place where values are checked.

Problems name the file, the entry and the element: ``Anna_Smith_1a2b.json, entry 12
(Encounter), field class.code: ...``. ``entry N`` is the position in ``Bundle.entry``
counted from 0, as in the FHIRPath ``Bundle.entry[N]``.

Mapping (also in ``docs/fhir-mapping.md``)
------------------------------------------

=================================  ==============================================================
FHIR R4                            Record plane
=================================  ==============================================================
Patient.id                         ``identity_map`` (source_system ``synthea``, source_id);
                                   ``person.nhs_number`` from
                                   :func:`synthea_common.assign_nhs_numbers`
Patient.birthDate                  person.date_of_birth
Patient.gender                     person.sex: male M, female F, anything else U
Patient.deceasedDateTime           person.date_of_death (date part)
Patient.generalPractitioner /      person.practice_code: the first that is an Organization in the
managingOrganization               batch; else the Encounter.serviceProvider of most of the
                                   person's GP consultations (ties: most recent); else
                                   ``SYNTHEA``. One ``practice`` row per code (name from
                                   Organization.name), all in locality ``SYNTHEA``
Organization.id, name              practice.practice_code, practice.name (only those used)
Encounter.class.code               table by class, see
                                   :data:`synthea_common.ENCOUNTER_CLASSES`: AMB and VR ->
                                   gp_consultation, EMER and OBSENC -> ae_attendance, IMP,
                                   ACUTE, NONAC, SS -> inpatient_spell, HH -> community_contact
Encounter.id                       record_id of that table
Encounter.period.start / end       date; inpatient_spell.admission_date / discharge_date
(IMP) admission method             21 when an emergency encounter of the person starts earlier
                                   on the same day, else 99 (not known)
(IMP) hospitalization.             discharge_destination from the NUBC code (01 -> 19, 02 -> 51,
dischargeDisposition               20 -> 79, ...); without one, 79 when the person died on the
                                   discharge date
(EMER) disposal                    ``admitted`` when an inpatient encounter of the person starts
                                   later the same day, else ``discharged``
Condition.id                       diagnosis.record_id
Condition.code (SNOMED CT)         diagnosis.code_system ``snomed``, diagnosis.code
Condition.onsetDateTime, else      diagnosis.date
recordedDate
Condition.abatementDateTime        diagnosis.resolved_date
Condition.encounter                diagnosis.setting: ``secondary`` when the encounter maps to
                                   ae_attendance, inpatient_spell or outpatient_attendance,
                                   ``community`` for community_contact, else ``primary``
Observation.id                     observation.record_id
Observation.code (LOINC)           observation.code_system ``loinc``, observation.code
Observation.effectiveDateTime      observation.date (else effectivePeriod.start, else issued)
Observation.valueQuantity          observation.value, observation.unit (``unit``, else ``code``);
                                   other value types give a row without a value
Observation.component[]            one row per component (e.g. 55284-4 blood pressure ->
                                   8480-6 systolic and 8462-4 diastolic) with record_id
                                   ``<id>/<component code>``; no row for the panel itself
MedicationRequest.id               prescription.record_id
MedicationRequest.medication       drug_code_system ``rxnorm``, drug_code, drug_name (display,
CodeableConcept (RxNorm)           else text); a medicationReference is followed to the
                                   Medication resource in the batch
MedicationRequest.authoredOn       prescription.date
dispenseRequest.quantity.value     prescription.quantity (1 when absent); cost empty
dispenseRequest.                   prescription.repeat: true when more than 0
numberOfRepeatsAllowed
=================================  ==============================================================

Code systems: ``http://snomed.info/sct`` snomed, ``http://loinc.org`` loinc,
``http://hl7.org/fhir/sid/icd-10`` icd10, ``http://www.nlm.nih.gov/research/umls/rxnorm``
rxnorm, ``https://dmd.nhs.uk`` dmd (HL7 FHIR R4 "Using Codes", terminology URIs; NHS
England dm+d). A coding in any other system is refused.

Other resource types (Procedure, Immunization, CarePlan, DiagnosticReport, Claim, ...)
and Practitioner are skipped. Bundles without a Patient (Synthea's
``hospitalInformation*.json``) contribute only organisation names.

Refused, naming file, entry and element: invalid JSON, a file that is not a Bundle, an
entry without a resource, a mapped resource without its ``id``, subject, class or start,
a reference to a patient, encounter or medication not in the batch, the same resource id
twice, and any value the record plane refuses (e.g. ``birthDate`` ``1956-02-30``).

Sources: HL7 FHIR R4 (4.0.1) resource definitions, https://hl7.org/fhir/R4/; Synthea
FHIR R4 exporter (synthetichealth/synthea, ``FhirR4.java``, ``HealthRecord.java``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from ltc.records.errors import refuse
from ltc.records.ingest import synthea_common as common
from ltc.records.ingest.csv_extract import display, fingerprint
from ltc.records.store import Batch, RecordStore

MAPPING_VERSION = "fhir-1"
"""Part of the batch fingerprint: a change of mapping re-ingests the same files."""

CODE_SYSTEMS: dict[str, str] = {
    "http://snomed.info/sct": "snomed",
    "http://loinc.org": "loinc",
    "http://hl7.org/fhir/sid/icd-10": "icd10",
    "http://read.info/readv2": "read2",
    "http://read.info/ctv3": "ctv3",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "https://dmd.nhs.uk": "dmd",
}
NUBC = "http://www.nubc.org/patient-discharge"

PATIENT_FIELDS = {"date_of_birth": "birthDate", "sex": "gender",
                  "date_of_death": "deceasedDateTime", "source_id": "id"}
ENCOUNTER_FIELDS = {"record_id": "id", "date": "period.start",
                    "admission_date": "period.start", "discharge_date": "period.end"}
DIAGNOSIS_FIELDS = {"record_id": "id", "code_system": "code.coding.system",
                    "code": "code.coding.code", "date": "onsetDateTime",
                    "resolved_date": "abatementDateTime"}
OBSERVATION_FIELDS = {"record_id": "id", "code_system": "code.coding.system",
                      "code": "code.coding.code", "date": "effectiveDateTime",
                      "value": "valueQuantity.value", "unit": "valueQuantity.unit"}
PRESCRIPTION_FIELDS = {"record_id": "id", "date": "authoredOn",
                       "drug_code_system": "medicationCodeableConcept.coding.system",
                       "drug_code": "medicationCodeableConcept.coding.code",
                       "drug_name": "medicationCodeableConcept.coding.display",
                       "quantity": "dispenseRequest.quantity.value",
                       "repeat": "dispenseRequest.numberOfRepeatsAllowed"}

Json = dict[str, Any]


def _scalar(value: Any) -> str | None:
    """JSON scalar as canonical text; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return None


def _ref_id(reference: str) -> str:
    """The resource id a reference points at: ``urn:uuid:X``, ``Type/X`` or ``.../Type/X``."""
    if reference.startswith("urn:uuid:"):
        return reference[9:]
    parts = reference.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        return parts[-3]
    return parts[-1]


class _Reader:
    """Reads bundles into a :class:`synthea_common.Collected`, noting every problem."""

    def __init__(self, validate: bool) -> None:
        self.c = common.new_collected(
            "subject", "encounter", "class.code", common.FHIR_ENCOUNTER_CLASSES,
            DIAGNOSIS_FIELDS, OBSERVATION_FIELDS, PRESCRIPTION_FIELDS)
        self.validate = validate
        self.practice_refs: dict[str, list[str]] = {}  # patient id -> organisation ids
        self.medications: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.pending_medication: list[tuple[int, str, str]] = []  # row, medication id, where
        self.handlers: dict[str, Callable[[Json, str], None]] = {
            "Patient": self.patient, "Encounter": self.encounter, "Condition": self.condition,
            "Observation": self.observation, "MedicationRequest": self.medication_request,
            "Organization": self.organization, "Medication": self.medication,
        }

    # -- element access --------------------------------------------------------------------
    def text(self, res: Json, key: str, where: str, expected: str,
             required: bool = False, path: str | None = None) -> str | None:
        value = res.get(key)
        if value is None:
            if required:
                self.c.problem(where, path or key, f"is missing; expected {expected}")
            return None
        text = _scalar(value)
        if text is None:
            self.c.problem(where, path or key,
                           f"is a JSON {type(value).__name__}; expected {expected}")
        return text

    def obj(self, res: Json, key: str, where: str, expected: str, required: bool = False,
            path: str | None = None) -> Json | None:
        value = res.get(key)
        if value is None:
            if required:
                self.c.problem(where, path or key, f"is missing; expected {expected}")
            return None
        if not isinstance(value, dict):
            self.c.problem(where, path or key,
                           f"is a JSON {type(value).__name__}; expected {expected}")
            return None
        return value

    def ref(self, res: Json, key: str, where: str, required: bool = False) -> str | None:
        holder = self.obj(res, key, where, "a Reference", required)
        if holder is None:
            return None
        return self.text(holder, "reference", where, "a reference such as urn:uuid:<id>",
                         required=True, path=f"{key}.reference")

    def ident(self, res: Json, rtype: str, where: str) -> str | None:
        ident = self.text(res, "id", where, f"the {rtype} id", required=True)
        if ident is not None and not ident.strip():
            self.c.problem(where, "id", f"is empty; expected the {rtype} id")
            return None
        if ident is not None and not self.c.first_time(rtype, ident, where, "id"):
            return None
        return ident

    def coding(self, res: Json, key: str, where: str) -> tuple[str | None, str | None,
                                                                str | None]:
        """(code system, code, display) of a CodeableConcept: its first coding in a known
        system, else its first coding (whose unknown system the conversion refuses)."""
        concept = self.obj(res, key, where, "a CodeableConcept with a coding", required=True)
        if concept is None:
            return None, None, None
        codings = concept.get("coding")
        if not isinstance(codings, list) or not codings or not all(
                isinstance(c, dict) for c in codings):
            self.c.problem(where, f"{key}.coding", "is missing or empty; expected a list of "
                           "codings with system and code")
            return None, None, None
        chosen = next((c for c in codings if c.get("system") in CODE_SYSTEMS), codings[0])
        system = self.text(chosen, "system", where, "a code system URI", True,
                           f"{key}.coding.system")
        code = self.text(chosen, "code", where, "a code", True, f"{key}.coding.code")
        shown = _scalar(chosen.get("display")) or _scalar(concept.get("text"))
        return CODE_SYSTEMS.get(system or "", system), code, shown

    def patient_of(self, res: Json, where: str, key: str = "subject") -> str | None:
        reference = self.ref(res, key, where, required=True)
        return _ref_id(reference) if reference is not None else None

    # -- resources -------------------------------------------------------------------------
    def patient(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Patient", where)
        if ident is None:
            return
        self.c.patients[ident] = common.Patient(
            where, ident,
            birth_date=self.text(res, "birthDate", where, "a date YYYY-MM-DD"),
            gender=self.text(res, "gender", where, "male, female, other or unknown"),
            death_date=self.text(res, "deceasedDateTime", where, "a dateTime"))
        refs: list[str] = []
        gps = res.get("generalPractitioner")
        for holder in [*(gps if isinstance(gps, list) else []), res.get("managingOrganization")]:
            if isinstance(holder, dict) and isinstance(holder.get("reference"), str):
                refs.append(_ref_id(holder["reference"]))
        if refs:
            self.practice_refs[ident] = refs

    def organization(self, res: Json, where: str) -> None:
        ident = res.get("id")
        if isinstance(ident, str) and ident:
            name = _scalar(res.get("name"))
            self.c.organisations.setdefault(ident, name or ident)

    def medication(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Medication", where)
        if ident is not None:
            self.medications[ident] = self.coding(res, "code", where)

    def encounter(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Encounter", where)
        patient = self.patient_of(res, where)
        cls = self.obj(res, "class", where, "a Coding such as AMB, EMER or IMP", required=True)
        code = self.text(cls, "code", where, "an encounter class code such as AMB, EMER or IMP",
                         True, "class.code") if cls is not None else None
        period = self.obj(res, "period", where, "a Period with a start", required=True)
        start = self.text(period, "start", where, "a dateTime", True, "period.start") \
            if period is not None else None
        end = self.text(period, "end", where, "a dateTime", path="period.end") \
            if period is not None else None
        provider = self.ref(res, "serviceProvider", where)
        discharge = None
        stay = res.get("hospitalization")
        if isinstance(stay, dict) and isinstance(stay.get("dischargeDisposition"), dict):
            for coding in stay["dischargeDisposition"].get("coding") or []:
                if isinstance(coding, dict) and coding.get("system") == NUBC:
                    discharge = _scalar(coding.get("code"))
        if ident is None or patient is None or code is None or start is None:
            return
        self.c.encounters[ident] = common.Encounter(
            where, ident, patient, code, start, end,
            _ref_id(provider) if provider else None, discharge)

    def condition(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Condition", where)
        patient = self.patient_of(res, where)
        system, code, _ = self.coding(res, "code", where)
        date = self.text(res, "onsetDateTime", where, "a dateTime") or \
            self.text(res, "recordedDate", where, "a dateTime")
        encounter = self.ref(res, "encounter", where)
        if ident is None or patient is None:
            return
        self.c.diagnosis.add(
            where, patient=patient, record_id=ident, code_system=system, code=code,
            date=common.day(date),
            resolved_date=common.day(self.text(res, "abatementDateTime", where, "a dateTime")),
            _encounter=_ref_id(encounter) if encounter else None)

    def observation(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Observation", where)
        patient = self.patient_of(res, where)
        date = self.text(res, "effectiveDateTime", where, "a dateTime")
        if date is None:
            period = self.obj(res, "effectivePeriod", where, "a Period")
            date = self.text(period, "start", where, "a dateTime", path="effectivePeriod.start") \
                if period else self.text(res, "issued", where, "an instant")
        components = res.get("component")
        if ident is None or patient is None:
            return
        if isinstance(components, list) and components:
            for i, comp in enumerate(components):
                if not isinstance(comp, dict):
                    self.c.problem(where, f"component[{i}]", "expected an object")
                    continue
                system, code, _ = self.coding(comp, "code", where)
                value, unit = self.quantity(comp, where, f"component[{i}].")
                self.c.observation.add(where, patient=patient, record_id=f"{ident}/{code}",
                                       date=common.day(date), code_system=system, code=code,
                                       value=value, unit=unit)
            return
        system, code, _ = self.coding(res, "code", where)
        value, unit = self.quantity(res, where, "")
        self.c.observation.add(where, patient=patient, record_id=ident, date=common.day(date),
                               code_system=system, code=code, value=value, unit=unit)

    def quantity(self, res: Json, where: str, prefix: str) -> tuple[str | None, str | None]:
        quantity = self.obj(res, "valueQuantity", where, "a Quantity",
                            path=f"{prefix}valueQuantity")
        if quantity is None:
            return None, None
        value = self.text(quantity, "value", where, "a number",
                          path=f"{prefix}valueQuantity.value")
        unit = self.text(quantity, "unit", where, "a unit",
                         path=f"{prefix}valueQuantity.unit") or \
            self.text(quantity, "code", where, "a UCUM code", path=f"{prefix}valueQuantity.code")
        return value, unit

    def medication_request(self, res: Json, where: str) -> None:
        ident = self.ident(res, "MedicationRequest", where)
        patient = self.patient_of(res, where)
        date = self.text(res, "authoredOn", where, "a dateTime")
        pending = None
        if "medicationCodeableConcept" in res or "medicationReference" not in res:
            system, code, name = self.coding(res, "medicationCodeableConcept", where)
        else:
            system = code = name = None
            reference = self.ref(res, "medicationReference", where, required=True)
            pending = _ref_id(reference) if reference else None
        quantity, repeat = "1", None
        dispense = self.obj(res, "dispenseRequest", where, "a dispense request")
        if dispense is not None:
            amount = self.obj(dispense, "quantity", where, "a Quantity",
                              path="dispenseRequest.quantity")
            if amount is not None:
                quantity = self.text(amount, "value", where, "a number", True,
                                     "dispenseRequest.quantity.value") or "1"
            repeats = dispense.get("numberOfRepeatsAllowed")
            if isinstance(repeats, int) and not isinstance(repeats, bool):
                repeat = "true" if repeats > 0 else "false"
        if ident is None or patient is None:
            return
        if pending is not None:
            self.pending_medication.append((len(self.c.prescription), pending, where))
        self.c.prescription.add(where, patient=patient, record_id=ident, date=common.day(date),
                                drug_code_system=system, drug_code=code, drug_name=name,
                                quantity=quantity, repeat=repeat)

    # -- files -----------------------------------------------------------------------------
    def read(self, path: Path) -> None:
        name = path.name
        try:
            data = path.read_bytes()
        except OSError as err:
            self.c.problem(name, None, f"cannot be read ({err.strerror}); expected a readable "
                           "file")
            return
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as err:
            self.c.problem(name, None, f"is not valid JSON ({err}); expected one FHIR Bundle "
                           "as JSON")
            return
        if not isinstance(doc, dict):
            self.c.problem(name, None, f"holds a JSON {type(doc).__name__}; expected a FHIR "
                           "Bundle (a JSON object)")
            return
        if doc.get("resourceType") != "Bundle":
            self.c.problem(name, "resourceType", f"is {doc.get('resourceType')!r}; expected "
                           "'Bundle' (one FHIR R4 Bundle per file)")
            return
        entries = doc.get("entry", [])
        if not isinstance(entries, list):
            self.c.problem(name, "entry", "is not a list; expected the Bundle's entries")
            return
        handlers = self.handlers
        for index, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                self.c.problem(f"{name}, entry {index}", "resource",
                               "is missing; expected a FHIR resource in each entry")
                continue
            rtype = resource.get("resourceType")
            if not isinstance(rtype, str):
                self.c.problem(f"{name}, entry {index}", "resourceType",
                               "is missing; expected the resource type, e.g. 'Patient'")
                continue
            handler = handlers.get(rtype)
            if handler is None:
                continue
            where = f"{name}, entry {index} ({rtype})"
            if self.validate:
                self.check_model(rtype, resource, where)
            handler(resource, where)

    def check_model(self, rtype: str, resource: Json, where: str) -> None:
        """Validate one resource against the ``fhir.resources`` R4B model (optional, slow)."""
        from fhir.resources.R4B import get_fhir_model_class
        from pydantic import ValidationError

        try:
            get_fhir_model_class(rtype).model_validate(resource)
        except ValidationError as err:
            for error in err.errors():
                loc = ".".join(str(part) for part in error["loc"]) or None
                self.c.problem(where, loc, f"{error['msg']}; expected a valid FHIR {rtype}")

    def finish(self) -> None:
        """Resolve what needed the whole batch: practices named by the patient, medications."""
        for patient_id, refs in self.practice_refs.items():
            practice = next((r for r in refs if r in self.c.organisations), None)
            self.c.patients[patient_id].practice = practice
        rows = self.c.prescription
        for row, medication_id, where in self.pending_medication:
            found = self.medications.get(medication_id)
            if found is None:
                self.c.problem(where, "medicationReference", f"refers to medication "
                               f"{medication_id!r}, which is not in this batch; expected a "
                               "Medication included in the same batch")
                continue
            rows.columns["drug_code_system"][row], rows.columns["drug_code"][row], \
                rows.columns["drug_name"][row] = found


def bundle_files(paths: list[Path] | Path) -> list[Path]:
    """The files to read: each path given, or every ``*.json`` in a folder given."""
    found: list[Path] = []
    for path in [paths] if isinstance(paths, Path | str) else paths:
        path = Path(path)
        found += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return found


def load_bundles(paths: list[Path] | Path, store: RecordStore, source: str = "synthea-fhir",
                 period: str | None = None, *, validate: bool = False) -> Batch:
    """Read and check FHIR Bundle files as one batch (not committed: see ``store.commit``).

    ``store`` is only read, for the NHS numbers already given to Synthea patients.
    ``period`` defaults to the month of the latest date in the batch. ``validate`` also
    checks every mapped resource against the ``fhir.resources`` R4B models (slow).
    Raises :class:`~ltc.records.errors.IngestError` naming file, entry and element.
    """
    files = bundle_files(paths)
    where = display(Path(paths)) if isinstance(paths, Path | str) else (
        f"{len(files)} FHIR bundle file{'s' if len(files) != 1 else ''}")
    if not files:
        raise refuse(where, None, "holds no .json files; expected FHIR R4 Bundle files")
    common.check_batch_name(source, period, where)
    reader = _Reader(validate)
    for path in files:
        if not path.is_file():
            reader.c.problem(display(path), None, "does not exist; expected a FHIR Bundle file")
            continue
        reader.read(path)
    reader.finish()
    tables = common.build_tables(reader.c, store, where, PATIENT_FIELDS, ENCOUNTER_FIELDS)
    period = period or common.default_period(tables, where)
    digest = fingerprint(files, extra=f"{MAPPING_VERSION}:{source}/{period}")
    return Batch(source, period, digest, tables)
