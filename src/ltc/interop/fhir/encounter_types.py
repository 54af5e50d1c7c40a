"""The care setting of a FHIR Encounter from its class, its type and its provider (POP-2).

``Encounter.class`` alone cannot tell a hospital outpatient clinic from a GP surgery:
Synthea (and many systems) write both as ``AMB``. The setting is decided from the class,
the SNOMED CT ``Encounter.type`` and the kind of the ``serviceProvider`` together:

=========  ====================================================  ================  ==========
Class      Encounter.type (SNOMED CT)                            Provider          Table
=========  ====================================================  ================  ==========
AMB        :data:`OUTPATIENT_TYPES`: outpatient procedure,       a hospital        outpatient_
           consultation for treatment, specialist assessments                      attendance
AMB        :data:`OUTPATIENT_TYPES`                              not a hospital    gp_consul-
                                                                 (or unknown)      tation
AMB        :data:`GP_TYPES`: check-ups, follow-ups, symptom and  any               gp_consul-
           problem encounters, office visits, antenatal and                        tation
           postnatal visits, ... (telephone: mode telephone;
           domiciliary: mode home_visit)
AMB        any other type, or none                               any               gp_consul-
                                                                                   tation
VR         any                                                   any               gp (video)
EMER       any                                                   any               A&E
IMP        any                                                   any               inpatient
=========  ====================================================  ================  ==========

Other classes keep their table from :data:`synthea_codes.FHIR_ENCOUNTER_CLASSES`.

A provider is a hospital when its Organization carries an HL7 v3 RoleCode hospital type
(:data:`HOSPITAL_ROLE_CODES`), or, with no such type, when its name holds one of
:data:`HOSPITAL_WORDS`. Synthea types every organisation ``prov`` ("Healthcare
Provider"), so for Synthea the name decides: its providers are Massachusetts hospitals
(``... HOSPITAL``, ``... MEDICAL CENTER``), urgent care and walk-in clinics and VA
centres. An organisation not in the batch is of unknown kind (not a hospital).

Codes and displays: as found in the 136 shared Synthea bundles
(``../shared/data/external/synthea-smart-on-fhir-r4``, see ``docs/fhir-mapping.md`` for
their counts); HL7 v3 RoleCode, http://terminology.hl7.org/CodeSystem/v3-RoleCode.
"""

from __future__ import annotations

from ltc.interop.fhir.elements import Json, codes_of
from ltc.records.ingest import synthea_codes

OUTPATIENT_TYPES: dict[str, str] = {
    "371883000": "Outpatient procedure",
    "698314001": "Consultation for treatment",
    "79094001": "Initial psychiatric interview with mental status evaluation",
    "170837001": "Allergic disorder initial assessment",
    "170838006": "Allergic disorder follow-up assessment",
}
"""Ambulatory encounter types that are hospital outpatient care when a hospital gives them."""

GP_TYPES: dict[str, str] = {
    "185349003": "Encounter for check up",
    "390906007": "Follow-up encounter",
    "185345009": "Encounter for symptom",
    "185347001": "Encounter for problem",
    "394701000": "Asthma follow-up",
    "316744009": "Office visit",
    "308335008": "Patient encounter procedure",
    "424619006": "Prenatal visit",
    "424441002": "Prenatal initial visit",
    "169762003": "Postnatal visit",
    "308646001": "Death certification",
    "270427003": "Patient-initiated encounter",
    "185317003": "Telephone encounter",
    "210098006": "Domiciliary or rest home patient evaluation and management",
}
"""Ambulatory encounter types that are general practice consultations wherever given."""

HOSPITAL_ROLE_CODES = frozenset({"HOSP", "GACH", "MHSP", "PSYCHF", "RH", "CHR", "PEDHOSP"})
"""HL7 v3 RoleCode codes for hospitals (hospital, general acute care, military,
psychiatric, rehabilitation, chronic care, paediatric)."""
V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
HOSPITAL_WORDS = ("HOSPITAL", "MEDICAL CENTER", "MEDICAL CENTRE", "MEDICAL CTR", "INFIRMARY")
"""Words in an organisation's name that make it a hospital when its type does not say."""

_OUTPATIENT = synthea_codes.Target("outpatient_attendance", (("attended", "true"),))
_GP_PHONE = synthea_codes.Target("gp_consultation", (("staff", "gp"), ("mode", "telephone")))
_GP_HOME = synthea_codes.Target("gp_consultation", (("staff", "gp"), ("mode", "home_visit")))
_GP_MODES = {"185317003": _GP_PHONE, "210098006": _GP_HOME}


def is_hospital(org: Json | None) -> bool:
    """Whether an Organization is a hospital (see the module docstring)."""
    if org is None:
        return False
    types = org.get("type")
    roles = {c for t in (types if isinstance(types, list) else [])
             for c in codes_of(t, V3_ROLE_CODE)}
    if roles:
        return bool(roles & HOSPITAL_ROLE_CODES)
    name = org.get("name")
    return isinstance(name, str) and any(w in name.upper() for w in HOSPITAL_WORDS)


def target(cls: str, types: list[str], hospital: bool) -> synthea_codes.Target | None:
    """The table an encounter goes to; None to use the class alone."""
    if cls.strip().upper() != "AMB":
        return None
    if any(t in OUTPATIENT_TYPES for t in types):
        return _OUTPATIENT if hospital else None
    for t in types:
        if t in _GP_MODES:
            return _GP_MODES[t]
    return None
