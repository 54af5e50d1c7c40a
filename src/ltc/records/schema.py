"""Record-plane schema: every table, every field, its type and code set (POP-1, POP-2).

This module is the single definition of the record plane. The CSV extract format,
ingest validation, the Parquet layout and ``docs/data-model.md`` all derive from it.
What a table definition is made of (:class:`Table`, :class:`Field`, :class:`Order`,
:class:`Reference` and the field kinds) is in :mod:`ltc.records.table_spec`; this module
re-exports those names so that ``from ltc.records.schema import Field, Table`` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ltc.codes import nhs_dd
from ltc.records.table_spec import KIND_TYPES, Field, Order, Reference, Table

__all__ = [
    "CODE_SYSTEMS", "DRUG_CODE_SYSTEMS", "IDENTIFYING_FIELDS", "KIND_TYPES", "SETTINGS",
    "SEX_CODES", "SOCIAL_FACT_KINDS", "SOURCES", "TABLES", "Field", "Order", "Reference",
    "Source", "Table", "table",
]

SEX_CODES = ("F", "M", "U")
CODE_SYSTEMS = ("snomed", "icd10", "read2", "ctv3", "loinc", "opcs4")
DRUG_CODE_SYSTEMS = ("dmd", "bnf", "rxnorm")
SETTINGS = ("primary", "secondary", "community", "social_care")


def _person_id(description: str = "NHS number of the person") -> Field:
    return Field("nhs_number", "nhs_number", description)


def _record_id(description: str) -> Field:
    return Field("record_id", "string", description)


TABLES: dict[str, Table] = {}


def _register(table: Table) -> None:
    TABLES[table.name] = table


_register(Table(
    "locality",
    "A locality: a group of practices within the health community.",
    (
        Field("locality_code", "string", "Locality identifier, unique in the health community"),
        Field("name", "string", "Locality name"),
    ),
    key=("locality_code",), snapshot=True, sort_by=("locality_code",),
))

_register(Table(
    "practice",
    "A GP practice (ODS code), its locality and registered list size.",
    (
        Field("practice_code", "string", "ODS code of the practice"),
        Field("name", "string", "Practice name"),
        Field("locality_code", "string", "Locality the practice belongs to"),
        Field("list_size", "int", "Registered list size reported by the practice",
              required=False, minimum=0),
    ),
    key=("practice_code",), snapshot=True, sort_by=("practice_code",),
    references=(Reference("locality_code", "locality", "locality_code"),),
))

_register(Table(
    "person",
    "The patient index: one row per registered person (POP-1).",
    (
        _person_id("NHS number, validated with the Modulus 11 check"),
        Field("date_of_birth", "date", "Date of birth"),
        Field("sex", "code", "Sex: F female, M male, U unknown/indeterminate", codes=SEX_CODES),
        Field("practice_code", "string", "ODS code of the registered practice"),
        Field("postcode_district", "string", "Postcode district (outward code), e.g. LE1",
              required=False),
        Field("lsoa", "string", "Lower layer super output area code of residence",
              required=False),
        Field("imd_decile", "int", "Index of Multiple Deprivation decile (1 most deprived)",
              required=False, minimum=1, maximum=10),
        Field("lives_alone", "bool", "Lives alone", required=False),
        Field("has_carer", "bool", "Has an informal carer", required=False),
        Field("is_carer", "bool", "Is an informal carer for someone else", required=False),
        Field("date_of_death", "date", "Date of death", required=False),
        # who the person is (identifiable: shown to clinicians only, never in logs,
        # analyst outputs or commissioning figures)
        Field("given_name", "string", "Given name(s)", required=False),
        Field("family_name", "string", "Family name", required=False),
        Field("address", "string", "Address lines, comma separated, without the postcode",
              required=False),
        Field("postcode", "string", "Full postcode, e.g. LE1 5WW", required=False),
        Field("telephone", "string", "Telephone number", required=False),
        Field("ethnic_category", "code", "NHS Data Dictionary ethnic category (A-S; Z not "
              "stated; 99 not known)", required=False, codes=nhs_dd.ETHNIC_CATEGORY_CODES),
        Field("main_language", "string", "Main spoken language, ISO 639-1 code (e.g. en, "
              "pa, pl)", required=False),
        Field("interpreter_required", "bool", "An interpreter is needed", required=False),
        Field("preferred_contact", "code", "Preferred contact method",
              required=False, codes=nhs_dd.CONTACT_METHOD_CODES),
    ),
    key=("nhs_number",), snapshot=True,
    orders=(Order("date_of_birth", "date_of_death"),),
    references=(Reference("practice_code", "practice", "practice_code"),),
))

_register(Table(
    "diagnosis",
    "A coded diagnosis from primary or secondary care (POP-3 registers are built from it).",
    (
        _person_id(),
        _record_id("Identifier of the coded entry in the source system"),
        Field("code_system", "code", "Terminology of the code", codes=CODE_SYSTEMS),
        Field("code", "string", "The clinical code"),
        Field("date", "date", "Date recorded or diagnosed"),
        Field("resolved_date", "date", "Date the condition was recorded as resolved",
              required=False),
        Field("setting", "code", "Care setting that recorded it", codes=SETTINGS),
    ),
    key=("record_id",), orders=(Order("date", "resolved_date"),),
))

_register(Table(
    "gp_consultation",
    "A general practice consultation.",
    (
        _person_id(), _record_id("Consultation identifier"),
        Field("date", "date", "Date of the consultation"),
        Field("staff", "code", "Who was seen", codes=("gp", "nurse", "pharmacist", "other")),
        Field("mode", "code", "How", codes=("face_to_face", "telephone", "home_visit", "video")),
    ),
    key=("record_id",),
))

_register(Table(
    "outpatient_attendance",
    "A hospital outpatient appointment.",
    (
        _person_id(), _record_id("Attendance identifier"),
        Field("date", "date", "Appointment date"),
        Field("specialty", "string", "Treatment function code", required=False),
        Field("attended", "bool", "Attended (false: did not attend or cancelled)"),
        Field("first_attendance", "bool", "First (true) or follow-up (false) appointment",
              required=False),
    ),
    key=("record_id",),
))

_register(Table(
    "ae_attendance",
    "An A&E (emergency department) attendance.",
    (
        _person_id(), _record_id("Attendance identifier"),
        Field("date", "date", "Arrival date"),
        Field("disposal", "code", "Outcome of the attendance",
              codes=("admitted", "discharged", "referred", "died", "other"), required=False),
    ),
    key=("record_id",),
))

_register(Table(
    "inpatient_spell",
    "A hospital provider spell (admission to discharge).",
    (
        _person_id(), _record_id("Hospital provider spell number"),
        Field("admission_date", "date", "Start date of the spell"),
        Field("discharge_date", "date", "End date of the spell (empty while in hospital)",
              required=False),
        Field("admission_method", "code",
              "NHS Data Dictionary admission method (emergency: 21-25, 2A-2D, 28)",
              codes=nhs_dd.ADMISSION_METHOD_CODES),
        Field("primary_diagnosis", "string", "Primary diagnosis, ICD-10 code", required=False),
        Field("discharge_destination", "code", "NHS Data Dictionary discharge destination",
              codes=nhs_dd.DISCHARGE_DESTINATION_CODES, required=False),
        Field("length_of_stay", "int", "Days from admission to discharge (derived)",
              required=False, derived=True),
    ),
    key=("record_id",), orders=(Order("admission_date", "discharge_date"),),
    sort_by=("nhs_number", "admission_date"),
))

_register(Table(
    "ambulance_incident",
    "An ambulance incident (999 call), conveyed to hospital or not.",
    (
        _person_id(), _record_id("Incident identifier"),
        Field("date", "date", "Date of the call"),
        Field("outcome", "code", "Hear and treat, see and treat, or conveyed",
              codes=("hear_and_treat", "see_and_treat", "conveyed")),
        Field("conveyed", "bool", "Conveyed to hospital (derived from outcome)", derived=True),
    ),
    key=("record_id",),
))

_register(Table(
    "community_contact",
    "A community or district nursing contact.",
    (
        _person_id(), _record_id("Contact identifier"),
        Field("date", "date", "Date of the contact"),
        Field("service", "code", "Community service",
              codes=("district_nursing", "community_matron", "intermediate_care",
                     "specialist_nursing", "therapy", "other")),
        Field("mode", "code", "How", codes=("home_visit", "clinic", "telephone", "video")),
    ),
    key=("record_id",),
))

_register(Table(
    "social_care_contact",
    "A social care assessment, review or contact.",
    (
        _person_id(), _record_id("Contact identifier"),
        Field("date", "date", "Date"),
        Field("kind", "code", "Kind of contact", codes=("assessment", "review", "contact")),
    ),
    key=("record_id",),
))

_register(Table(
    "social_care_package",
    "A package of social care and its intensity.",
    (
        _person_id(), _record_id("Package identifier"),
        Field("start_date", "date", "Start of the package"),
        Field("end_date", "date", "End of the package (empty while open)", required=False),
        Field("hours_per_week", "float", "Hours of care per week", minimum=0),
        Field("intensity", "code", "Intensity as assessed: low, medium or high (typically "
              "under 5, 5 to 14, and 15 or more hours a week)",
              codes=("low", "medium", "high")),
    ),
    key=("record_id",), orders=(Order("start_date", "end_date"),),
))

_register(Table(
    "prescription",
    "A prescription issue (primary care).",
    (
        _person_id(), _record_id("Issue identifier"),
        Field("date", "date", "Date issued"),
        Field("drug_code_system", "code", "Terminology of the drug code",
              codes=DRUG_CODE_SYSTEMS),
        Field("drug_code", "string", "Drug code (dm+d in England)"),
        Field("drug_name", "string", "Drug name as issued"),
        Field("bnf_chapter", "int", "BNF chapter number (1-23)", required=False,
              minimum=1, maximum=23),
        Field("quantity", "float", "Quantity issued", minimum=0),
        Field("cost", "float", "Net ingredient cost in pounds", required=False, minimum=0),
        Field("repeat", "bool", "Issued on a repeat template", required=False),
    ),
    key=("record_id",), sort_by=("nhs_number", "date"),
))

_register(Table(
    "dispensing",
    "A dispensing by a community pharmacy.",
    (
        _person_id(), _record_id("Dispensing identifier"),
        Field("date", "date", "Date dispensed"),
        Field("drug_code_system", "code", "Terminology of the drug code",
              codes=DRUG_CODE_SYSTEMS),
        Field("drug_code", "string", "Drug code"),
        Field("quantity", "float", "Quantity dispensed", minimum=0),
        Field("prescription_id", "string", "Issue identifier it fulfils", required=False),
    ),
    key=("record_id",), sort_by=("nhs_number", "date"),
))

_register(Table(
    "observation",
    "A measurement or coded observation (HbA1c, blood pressure, eGFR, BMI, ...).",
    (
        _person_id(), _record_id("Observation identifier"),
        Field("date", "date", "Date taken"),
        Field("code_system", "code", "Terminology of the code", codes=CODE_SYSTEMS),
        Field("code", "string", "Observation code"),
        Field("value", "float", "Numeric value", required=False),
        Field("unit", "string", "Unit of the value (UCUM)", required=False),
    ),
    key=("record_id",), sort_by=("nhs_number", "date"),
))

SOCIAL_FACT_KINDS = (
    "adl_impairment", "iadl_impairment", "fall", "bereavement", "carer_death",
    "cognitive_impairment", "medically_unstable",
)

_register(Table(
    "social_fact",
    "A functional or social fact: ADL/IADL impairment, fall, bereavement, carer death, "
    "cognitive impairment.",
    (
        _person_id(), _record_id("Entry identifier"),
        Field("date", "date", "Date recorded or of the event"),
        Field("kind", "code", "What was recorded", codes=SOCIAL_FACT_KINDS),
        Field("detail", "string", "Free-text qualifier (e.g. who died, which activity)",
              required=False),
        Field("supported", "bool", "For impairments: support is in place", required=False),
    ),
    key=("record_id",),
))

_register(Table(
    "identity_map",
    "Source patient identifiers mapped to the NHS number assigned to them (e.g. Synthea).",
    (
        Field("source_system", "string", "System that issued the identifier"),
        Field("source_id", "string", "The identifier in that system"),
        _person_id("NHS number assigned"),
    ),
    key=("source_system", "source_id"), snapshot=True,
))


@dataclass(frozen=True)
class Source:
    """A kind of extract sender and the tables it may send."""

    name: str
    description: str
    tables: tuple[str, ...] = field(default_factory=tuple)


SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("gp", "GP practice clinical systems",
           ("locality", "practice", "person", "diagnosis", "gp_consultation", "prescription",
            "observation", "social_fact")),
    Source("acute", "Acute hospital trust (inpatient, A&E, outpatient)",
           ("inpatient_spell", "ae_attendance", "outpatient_attendance", "diagnosis")),
    Source("ambulance", "Ambulance service", ("ambulance_incident",)),
    Source("community", "Community and district nursing", ("community_contact", "social_fact")),
    Source("social_care", "Local authority adult social care",
           ("social_care_contact", "social_care_package", "social_fact")),
    Source("pharmacy", "Community pharmacy dispensing", ("dispensing",)),
    Source("realtime", "Hospital and ambulance events received in real time, written by "
           "`ltc events to-records` from the care store",
           ("inpatient_spell", "ae_attendance", "ambulance_incident")),
)}


def table(name: str) -> Table:
    """The table called ``name``; a clear error when there is none."""
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(sorted(TABLES))
        raise KeyError(f"no record-plane table called {name!r}; tables are: {known}") from None


#: Fields that identify a person beyond the NHS number (name, address, contact details).
#: They are for the clinicians' patient banner only: never logged, never in a run's
#: results, analyst outputs or commissioning figures.
IDENTIFYING_FIELDS: tuple[str, ...] = (
    "given_name", "family_name", "address", "postcode", "telephone")
