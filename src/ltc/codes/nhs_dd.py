"""NHS Data Dictionary code sets used by hospital spells (POP-2).

Source: NHS Data Model and Dictionary, as published in the HL7 UK Core CodeSystems
``UKCore-AdmissionMethodEngland`` (1.0.1, 2023-04-28) and
``UKCore-DischargeDestinationEngland`` (1.0.1, 2023-04-28), repository
NHSDigital/FHIR-R4-UKCORE-STAGING-MAIN at commit 3d2827e3e9918674640d0c14a0f870084397a615.
"""

from __future__ import annotations

ADMISSION_METHODS: dict[str, str] = {
    "11": "Elective: waiting list",
    "12": "Elective: booked",
    "13": "Elective: planned",
    "21": "Emergency: emergency care department of this provider",
    "22": "Emergency: GP request direct to the provider",
    "23": "Emergency: bed bureau",
    "24": "Emergency: consultant clinic",
    "25": "Emergency: mental health crisis resolution team",
    "2A": "Emergency: emergency care department of another provider",
    "2B": "Emergency: transfer from another provider in an emergency",
    "2C": "Emergency: baby born at home as intended",
    "2D": "Emergency: other emergency admission",
    "28": "Emergency: other means",
    "31": "Maternity: ante partum",
    "32": "Maternity: post partum",
    "81": "Other: transfer from another provider other than in an emergency",
    "82": "Other: birth of a baby in this provider",
    "83": "Other: baby born outside the provider",
    "98": "Not applicable",
    "99": "Not known",
}
ADMISSION_METHOD_CODES: tuple[str, ...] = tuple(ADMISSION_METHODS)

#: Emergency admission methods (NHS Data Dictionary "Emergency Admission" group).
EMERGENCY_ADMISSION_METHODS: frozenset[str] = frozenset(
    {"21", "22", "23", "24", "25", "2A", "2B", "2C", "2D", "28"})
#: Elective admission methods.
ELECTIVE_ADMISSION_METHODS: frozenset[str] = frozenset({"11", "12", "13"})

DISCHARGE_DESTINATIONS: dict[str, str] = {
    "19": "Usual place of residence",
    "29": "Temporary place of residence",
    "30": "Repatriation from high security psychiatric accommodation",
    "37": "Court",
    "38": "Penal establishment or police station",
    "48": "High security psychiatric hospital, Scotland",
    "49": "NHS other provider: high security psychiatric accommodation",
    "50": "NHS other provider: medium secure unit",
    "51": "NHS other provider: general ward",
    "52": "NHS other provider: maternity or neonates",
    "53": "NHS other provider: mental illness or learning disabilities",
    "54": "NHS run care home",
    "65": "Local authority residential accommodation",
    "66": "Local authority foster care",
    "79": "Not applicable: patient died or stillbirth",
    "84": "Non-NHS run hospital: medium secure unit",
    "85": "Non-NHS run care home",
    "87": "Non-NHS run hospital",
    "88": "Non-NHS run hospice",
    "98": "Not applicable: spell not finished",
    "99": "Not known",
}
DISCHARGE_DESTINATION_CODES: tuple[str, ...] = tuple(DISCHARGE_DESTINATIONS)

#: NHS Data Dictionary ETHNIC CATEGORY (2001 census categories, as used by NHS England
#: data sets and by HL7 UK Core ``UKCore-EthnicCategoryEngland``): code -> description.
#: Z: not stated (asked, declined to say); 99: not known (not asked).
ETHNIC_CATEGORIES: dict[str, str] = {
    "A": "White: British",
    "B": "White: Irish",
    "C": "White: Any other White background",
    "D": "Mixed: White and Black Caribbean",
    "E": "Mixed: White and Black African",
    "F": "Mixed: White and Asian",
    "G": "Mixed: Any other mixed background",
    "H": "Asian or Asian British: Indian",
    "J": "Asian or Asian British: Pakistani",
    "K": "Asian or Asian British: Bangladeshi",
    "L": "Asian or Asian British: Any other Asian background",
    "M": "Black or Black British: Caribbean",
    "N": "Black or Black British: African",
    "P": "Black or Black British: Any other Black background",
    "R": "Other ethnic groups: Chinese",
    "S": "Other ethnic groups: Any other ethnic group",
    "Z": "Not stated",
    "99": "Not known",
}
ETHNIC_CATEGORY_CODES: tuple[str, ...] = tuple(ETHNIC_CATEGORIES)

#: How a person prefers to be contacted (the project's own code set, after the NHS Data
#: Dictionary PREFERRED CONTACT METHOD attribute).
CONTACT_METHODS: dict[str, str] = {
    "letter": "Letter", "telephone": "Telephone", "sms": "Text message (SMS)",
    "email": "Email",
}
CONTACT_METHOD_CODES: tuple[str, ...] = tuple(CONTACT_METHODS)
