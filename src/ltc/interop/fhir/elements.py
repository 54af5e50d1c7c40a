"""Reading FHIR R4 JSON elements: the one way every FHIR reader here reads them (POP-2,
CM-8, CM-9, STRAT-2).

Both the bulk ingest of Bundles into the record plane (:mod:`.reader`) and the real-time
Encounter reader (:mod:`.encounter`) read codings, references, periods, instants and the
encounter class through this module:

* :func:`scalar`, :func:`codes_of`, :func:`first_code`, :func:`codings_in`: scalars and
  CodeableConcepts;
* :func:`ref_id` (the id a reference names) and :func:`resolve` (the resource a
  reference points at, contained or in the Bundle);
* :func:`period_of` and :func:`date_time`: a Period's bounds and a dateTime as a time;
* :data:`ENCOUNTER_SETTINGS` and :func:`setting_of`: what an ``Encounter.class`` code is
  (inpatient, emergency, observation, short stay, ambulatory, virtual, home), from which
  the bulk ingest takes the record-plane table and the real-time feed the kind of event.

:class:`Elements` is the base of the bundle reader: it fetches scalars, objects,
references, ids and codings from a resource held as parsed JSON, and notes a problem
(file, entry, element, what was expected) in the batch's
:class:`~ltc.records.ingest.synthea_collected.Collected` instead of raising, so that every
problem in a batch is reported together.

Sources: HL7 FHIR R4 (4.0.1) data types (CodeableConcept, Coding, Reference, Period,
dateTime), https://hl7.org/fhir/R4/datatypes.html; terminology URIs from "Using Codes in
Resources", https://hl7.org/fhir/R4/terminologies-systems.html; NHS England dm+d; HL7 v3
ActCode encounter classes, http://terminology.hl7.org/CodeSystem/v3-ActCode.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ltc.records.ingest import synthea_collected

Json = dict[str, Any]

CODE_SYSTEMS: dict[str, str] = {
    "http://snomed.info/sct": "snomed",
    "http://loinc.org": "loinc",
    "http://hl7.org/fhir/sid/icd-10": "icd10",
    "http://read.info/readv2": "read2",
    "http://read.info/ctv3": "ctv3",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "https://dmd.nhs.uk": "dmd",
}
"""FHIR code system URI -> record-plane code system."""

SNOMED = "http://snomed.info/sct"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
"""Identifier system of NHS numbers (NHS England), read and written alike."""
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
"""Identifier system of ODS organisation codes (NHS England)."""


def scalar(value: Any) -> str | None:
    """JSON scalar as canonical text; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return None


def ref_id(reference: str) -> str:
    """The resource id a reference points at: ``urn:uuid:X``, ``Type/X`` or ``.../Type/X``."""
    if reference.startswith("urn:uuid:"):
        return reference[9:]
    parts = reference.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        return parts[-3]
    return parts[-1]


def codes_of(concept: Any, system: str | None = None) -> list[str]:
    """The codes of a CodeableConcept (in ``system`` only, when given); [] when malformed."""
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [c["code"] for c in concept["coding"] if isinstance(c, dict)
            and isinstance(c.get("code"), str) and (system is None or c.get("system") == system)]


def first_code(concept: Any) -> str:
    """The first coding's code of a CodeableConcept, stripped; "" when it has none."""
    if not isinstance(concept, dict):
        return ""
    codings = concept.get("coding") or []
    if not isinstance(codings, list) or not codings or not isinstance(codings[0], dict):
        return ""
    return str(codings[0].get("code") or "").strip()


def codings_in(concept: Any, system: str) -> list[tuple[int, Json]]:
    """(index, coding) of each coding of a CodeableConcept in ``system``."""
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [(i, c) for i, c in enumerate(concept["coding"])
            if isinstance(c, dict) and c.get("system") == system]


def resolve(ref: Any, entries: list[Json], contained: list[Json],
            rtype: str | None = None) -> Json | None:
    """The resource a Reference points at: one of ``contained`` (``#id``), or the entry
    of a Bundle whose fullUrl it is (or ends with), or whose ``Type/id`` it is; of type
    ``rtype`` if given. None when it points at nothing here."""
    if not isinstance(ref, dict):
        return None
    target = str(ref.get("reference") or "")
    if not target:
        return None
    found: Json | None = None
    if target.startswith("#"):
        found = next((c for c in contained if c.get("id") == target[1:]), None)
    else:
        for entry in entries:
            resource = entry["resource"]
            local = f"{resource.get('resourceType')}/{resource.get('id')}"
            full = str(entry.get("fullUrl") or "")
            if target in (full, local) or (full and full.endswith("/" + target)):
                found = resource
                break
    if found is None or (rtype is not None and found.get("resourceType") != rtype):
        return None
    return found


def period_of(res: Json, key: str = "period") -> Json:
    """The Period ``key`` of a resource ({} when it has none)."""
    period = res.get(key)
    return period if isinstance(period, dict) else {}


def date_time(value: str) -> datetime:
    """A FHIR date or dateTime as a time, with its offset when it has one (a date alone is
    midnight). :class:`ValueError` when it is not a date, or only part of one (a year,
    a year and month)."""
    if len(value) < 10:
        raise ValueError("only part of a date")
    return datetime.fromisoformat(value)


ENCOUNTER_SETTINGS: dict[str, str] = {
    "AMB": "ambulatory", "VR": "virtual", "EMER": "emergency", "OBSENC": "observation",
    "IMP": "inpatient", "ACUTE": "inpatient", "NONAC": "inpatient", "SS": "short stay",
    "HH": "home",
}
"""``Encounter.class.code`` (HL7 v3 ActCode) -> the care setting it is: IMP inpatient
encounter, ACUTE inpatient acute and NONAC inpatient non-acute are inpatient; EMER
emergency; OBSENC observation encounter; SS short stay; AMB ambulatory; VR virtual; HH
home health. Any other class (PRENC, FLD, ...) is none of these. The bulk ingest puts
each setting in its record-plane table (observation with A&E attendances, short stay
with inpatient spells); the real-time feed takes inpatient and emergency Encounters."""


def class_code(encounter: Json) -> str:
    """An Encounter's ``class.code``, stripped ("" when it has none)."""
    cls = encounter.get("class")
    return str(cls.get("code") or "").strip() if isinstance(cls, dict) else ""


def setting_of(code: str) -> str | None:
    """The care setting of an encounter class code (:data:`ENCOUNTER_SETTINGS`)."""
    return ENCOUNTER_SETTINGS.get(code.strip())


def classes_of(setting: str) -> frozenset[str]:
    """The encounter class codes of a care setting."""
    return frozenset(c for c, s in ENCOUNTER_SETTINGS.items() if s == setting)


class Elements:
    """Element access for a bundle reader; problems go to ``self.c``."""

    c: synthea_collected.Collected

    def text(self, res: Json, key: str, where: str, expected: str,
             required: bool = False, path: str | None = None) -> str | None:
        value = res.get(key)
        if value is None:
            if required:
                self.c.problem(where, path or key, f"is missing; expected {expected}")
            return None
        text = scalar(value)
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
        shown = scalar(chosen.get("display")) or scalar(concept.get("text"))
        return CODE_SYSTEMS.get(system or "", system), code, shown

    def patient_of(self, res: Json, where: str, key: str = "subject") -> str | None:
        reference = self.ref(res, key, where, required=True)
        return ref_id(reference) if reference is not None else None
