"""Synthea code sets shared by the FHIR and the Synthea CSV ingest paths (POP-2).

Holds the encounter-class mapping (:data:`ENCOUNTER_CLASSES`, for FHIR ``Encounter.class``
codes and Synthea CSV ``ENCOUNTERCLASS`` words alike), the inpatient admission method, the
NUBC discharge status onto the discharge destination, the sex codes, the fallback
practice and locality, and :func:`day` (the calendar date of a date or dateTime). The
mapping that uses them is :mod:`ltc.records.ingest.synthea_common`.

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

from typing import NamedTuple

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

