"""Read FHIR R4 Bundles into the neutral Synthea form, resource by resource (POP-2).

:class:`Reader` parses each file with ``orjson``, checks every entry's ``resourceType``
against the R4 list (:mod:`.resource_types`), hands the mapped types to their handler
and counts the others as skipped. Values stay text here; the mapping to record-plane
tables is :func:`ltc.records.ingest.synthea_common.build_tables`. The full mapping is in
:mod:`ltc.interop.fhir.bundles` and ``docs/fhir-mapping.md``.

Problems name the file, the entry and the element: ``Anna_Smith_1a2b.json, entry 12
(Encounter), field class.code: ...``; ``entry N`` counts from 0, as in the FHIRPath
``Bundle.entry[N]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import orjson

import ltc.interop.fhir.encounter_types as encounter_types
import ltc.interop.fhir.medicines as medicines
import ltc.interop.fhir.patient as patient
import ltc.interop.fhir.resource_types as resource_types
from ltc.interop.fhir.elements import (
    ENCOUNTER_SETTINGS,
    SNOMED,
    Elements,
    Json,
    codes_of,
    codings_in,
    ref_id,
    scalar,
)
from ltc.records.ingest import synthea_codes, synthea_collected

NUBC = "http://www.nubc.org/patient-discharge"

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

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

#: the record-plane table of each care setting: where a Synthea CSV encounter of that
#: class goes (an observation encounter with A&E attendances, a short stay with spells)
SETTING_TABLES: dict[str, synthea_codes.Target] = {
    setting: synthea_codes.CSV_ENCOUNTER_CLASSES[word] for setting, word in (
        ("ambulatory", "ambulatory"), ("virtual", "virtual"), ("emergency", "emergency"),
        ("observation", "emergency"), ("inpatient", "inpatient"),
        ("short stay", "inpatient"), ("home", "home"))}
ENCOUNTER_TABLES: dict[str, synthea_codes.Target] = {
    code: SETTING_TABLES[setting] for code, setting in ENCOUNTER_SETTINGS.items()}
"""``Encounter.class.code`` -> record-plane table, through its care setting
(:data:`~ltc.interop.fhir.elements.ENCOUNTER_SETTINGS`); the same as
:data:`synthea_codes.FHIR_ENCOUNTER_CLASSES`."""


class Reader(Elements):
    """Reads bundles into a :class:`synthea_collected.Collected`, noting every problem."""

    def __init__(self, validate: bool) -> None:
        self.c = synthea_collected.new_collected(
            "subject", "encounter", "class.code", ENCOUNTER_TABLES,
            DIAGNOSIS_FIELDS, OBSERVATION_FIELDS, PRESCRIPTION_FIELDS)
        self.validate = validate
        self.practice_refs: dict[str, list[str]] = {}  # patient id -> organisation ids
        self.org_resources: dict[str, Json] = {}
        self.encounter_types: dict[str, list[str]] = {}  # encounter id -> SNOMED type codes
        self.medications: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.requests: list[medicines.Request] = []
        self.latest = ""  # the latest date seen (YYYY-MM-DD), the end of the data
        self.handlers: dict[str, Callable[[Json, str], None]] = {
            "Patient": self.patient, "Encounter": self.encounter, "Condition": self.condition,
            "Observation": self.observation, "MedicationRequest": self.medication_request,
            "Organization": self.organization, "Medication": self.medication,
        }

    def seen(self, value: str | None) -> str | None:
        """Note a date for the end of the data; returns it unchanged."""
        if value is not None and _DATE.match(value) and value[:10] > self.latest:
            self.latest = value[:10]
        return value

    # -- resources -------------------------------------------------------------------------
    def patient(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Patient", where)
        if ident is None:
            return
        self.c.patients[ident] = synthea_collected.Patient(
            where, ident,
            birth_date=self.text(res, "birthDate", where, "a date YYYY-MM-DD"),
            gender=self.text(res, "gender", where, "male, female, other or unknown"),
            death_date=self.text(res, "deceasedDateTime", where, "a dateTime"),
            identity=patient.identity(res))
        refs: list[str] = []
        gps = res.get("generalPractitioner")
        for holder in [*(gps if isinstance(gps, list) else []), res.get("managingOrganization")]:
            if isinstance(holder, dict) and isinstance(holder.get("reference"), str):
                refs.append(ref_id(holder["reference"]))
        if refs:
            self.practice_refs[ident] = refs

    def organization(self, res: Json, where: str) -> None:
        ident = res.get("id")
        if isinstance(ident, str) and ident:
            name = scalar(res.get("name"))
            self.c.organisations.setdefault(ident, name or ident)
            self.org_resources.setdefault(ident, res)

    def medication(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Medication", where)
        if ident is not None:
            self.medications[ident] = self.coding(res, "code", where)

    def encounter(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Encounter", where)
        patient_id = self.patient_of(res, where)
        cls = self.obj(res, "class", where, "a Coding such as AMB, EMER or IMP", required=True)
        code = self.text(cls, "code", where, "an encounter class code such as AMB, EMER or IMP",
                         True, "class.code") if cls is not None else None
        period = self.obj(res, "period", where, "a Period with a start", required=True)
        start = self.seen(self.text(period, "start", where, "a dateTime", True,
                                    "period.start")) if period is not None else None
        end = self.seen(self.text(period, "end", where, "a dateTime", path="period.end")) \
            if period is not None else None
        provider = self.ref(res, "serviceProvider", where)
        discharge = None
        stay = res.get("hospitalization")
        if isinstance(stay, dict):
            for _, coding in codings_in(stay.get("dischargeDisposition"), NUBC):
                discharge = scalar(coding.get("code"))
        if ident is None or patient_id is None or code is None or start is None:
            return
        types = res.get("type")
        self.encounter_types[ident] = [c for t in (types if isinstance(types, list) else [])
                                       for c in codes_of(t, SNOMED)]
        self.c.encounters[ident] = synthea_collected.Encounter(
            where, ident, patient_id, code, start, end,
            ref_id(provider) if provider else None, discharge)

    def condition(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Condition", where)
        patient_id = self.patient_of(res, where)
        system, code, _ = self.coding(res, "code", where)
        date_ = self.text(res, "onsetDateTime", where, "a dateTime") or \
            self.text(res, "recordedDate", where, "a dateTime")
        resolved = self.text(res, "abatementDateTime", where, "a dateTime")
        encounter = self.ref(res, "encounter", where)
        if ident is None or patient_id is None:
            return
        self.c.diagnosis.add(
            where, patient=patient_id, record_id=ident, code_system=system, code=code,
            date=synthea_codes.day(self.seen(date_)),
            resolved_date=synthea_codes.day(self.seen(resolved)),
            _encounter=ref_id(encounter) if encounter else None)

    def observation(self, res: Json, where: str) -> None:
        ident = self.ident(res, "Observation", where)
        patient_id = self.patient_of(res, where)
        date_ = self.text(res, "effectiveDateTime", where, "a dateTime")
        if date_ is None:
            period = self.obj(res, "effectivePeriod", where, "a Period")
            date_ = self.text(period, "start", where, "a dateTime",
                              path="effectivePeriod.start") \
                if period else self.text(res, "issued", where, "an instant")
        self.seen(date_)
        components = res.get("component")
        if ident is None or patient_id is None:
            return
        if isinstance(components, list) and components:
            for i, comp in enumerate(components):
                if not isinstance(comp, dict):
                    self.c.problem(where, f"component[{i}]", "expected an object")
                    continue
                system, code, _ = self.coding(comp, "code", where)
                value, unit = self.quantity(comp, where, f"component[{i}].")
                self.c.observation.add(where, patient=patient_id, record_id=f"{ident}/{code}",
                                       date=synthea_codes.day(date_), code_system=system, code=code,
                                       value=value, unit=unit)
            return
        system, code, _ = self.coding(res, "code", where)
        value, unit = self.quantity(res, where, "")
        self.c.observation.add(where, patient=patient_id, record_id=ident,
                               date=synthea_codes.day(date_), code_system=system, code=code,
                               value=value, unit=unit)

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
        reason = medicines.skip_reason(res)
        if reason is not None:
            self.c.skipped[reason] += 1
            return
        request = medicines.read_request(self, res, where)
        if request is not None:
            self.seen(request.authored)
            self.requests.append(request)

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
                if resource_types.is_r4(rtype):
                    self.c.skipped[rtype] += 1
                else:
                    self.c.problem(f"{name}, entry {index}", "resourceType",
                                   resource_types.unknown_type_message(rtype))
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
        """Resolve what needed the whole batch: practices named by the patient, encounter
        settings (the provider may be in another file), medications and their issues."""
        for patient_id, refs in self.practice_refs.items():
            practice = next((r for r in refs if r in self.c.organisations), None)
            self.c.patients[patient_id].practice = practice
        for enc in self.c.encounters.values():
            hospital = encounter_types.is_hospital(self.org_resources.get(enc.provider or ""))
            enc.target = encounter_types.target(enc.cls, self.encounter_types.get(enc.id, []),
                                                hospital)
        for req in self.requests:
            if req.medication is None:
                continue
            found = self.medications.get(req.medication)
            if found is None:
                self.c.problem(req.where, "medicationReference", f"refers to medication "
                               f"{req.medication!r}, which is not in this batch; expected a "
                               "Medication included in the same batch")
                continue
            req.system, req.code, req.name = found
        deaths = {p.id: medicines.parse_day(p.death_date) for p in self.c.patients.values()}
        end = medicines.parse_day(self.latest or None)
        medicines.add_issues(self.c.prescription, self.requests, end, deaths)
