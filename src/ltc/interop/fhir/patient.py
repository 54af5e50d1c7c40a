"""Who the person is, read from a FHIR R4 Patient (POP-1, POP-2).

=====================================================  =======================================
FHIR R4 Patient                                        person field
=====================================================  =======================================
name (use official, else usual, else one without a     given_name (given parts joined by a
use; never old or maiden)                              space), family_name
address (use home, else the first not old): line,      address (lines and city, comma
city; postalCode                                       separated); postcode
telecom (system phone; use home, then mobile, then     telephone
any; lowest rank first)
extension Extension-UKCore-EthnicCategory              ethnic_category (NHS Data Dictionary
(valueCodeableConcept)                                 code, e.g. A; any other code refused)
extension Extension-UKCore-NHSCommunication            main_language (its language, else the
(language, preferred, interpreterRequired); else       preferred communication.language, else
communication.language                                 the first); interpreter_required
extension patient-interpreterRequired (FHIR core)      interpreter_required
=====================================================  =======================================

``main_language`` keeps the primary language subtag of a BCP-47 tag, lower case
(``en-US`` -> ``en``), as the record plane holds ISO 639-1 codes.

Synthea writes US Core race and ethnicity extensions (OMB categories, e.g. "White",
"Not Hispanic or Latino"). They are not mapped to the NHS ethnic category: the two code
sets are built on different questions (the US separates race from Hispanic origin; the
NHS category is one self-described group, 2001 census), so no code of one determines a
code of the other, and a guess would be a false record. ``ethnic_category`` stays empty.

Names, addresses and telephone numbers are only ever copied into the person row: no
message or log line of the ingest contains them.

Sources: HL7 FHIR R4 Patient, https://hl7.org/fhir/R4/patient.html; HL7 UK Core
Extension-UKCore-EthnicCategory and Extension-UKCore-NHSCommunication,
https://simplifier.net/hl7fhirukcorer4; FHIR core extension patient-interpreterRequired,
http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired; US Core race and
ethnicity extensions, http://hl7.org/fhir/us/core/.
"""

from __future__ import annotations

from typing import Any

from ltc.interop.fhir.elements import Json, codes_of

ETHNIC_CATEGORY_URL = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
NHS_COMMUNICATION_URL = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication")
INTERPRETER_URL = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"

IDENTITY_FIELDS = ("given_name", "family_name", "address", "postcode", "telephone",
                   "ethnic_category", "main_language", "interpreter_required")
"""The person fields read from a Patient besides date of birth, sex and death."""


def _dicts(value: Any) -> list[Json]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _pick(items: list[Json], preferred: tuple[str | None, ...]) -> Json | None:
    """The first item whose ``use`` comes earliest in ``preferred``."""
    ranked = [(preferred.index(i.get("use")), n, i) for n, i in enumerate(items)
              if i.get("use") in preferred]
    return min(ranked, key=lambda r: (r[0], r[1]))[2] if ranked else None


def _language(concept: Any) -> str | None:
    codes = codes_of(concept)
    return codes[0].split("-")[0].strip().lower() or None if codes else None


def _extensions(res: Json, url: str) -> list[Json]:
    return [e for e in _dicts(res.get("extension")) if e.get("url") == url]


def identity(res: Json) -> dict[str, str | None]:
    """The identity fields of a Patient as text (see the module docstring)."""
    out: dict[str, str | None] = dict.fromkeys(IDENTITY_FIELDS)
    name = _pick(_dicts(res.get("name")), ("official", "usual", None, "nickname", "temp"))
    if name is not None:
        given = [g.strip() for g in name.get("given") or [] if isinstance(g, str) and g.strip()]
        out["given_name"] = " ".join(given) or None
        out["family_name"] = _text(name.get("family"))
    address = _pick(_dicts(res.get("address")), ("home", None, "temp", "work", "billing"))
    if address is not None:
        lines = [x.strip() for x in address.get("line") or [] if isinstance(x, str) and x.strip()]
        city = _text(address.get("city"))
        out["address"] = ", ".join([*lines, *([city] if city else [])]) or None
        out["postcode"] = _text(address.get("postalCode"))
    phones = [t for t in _dicts(res.get("telecom")) if t.get("system") == "phone"
              and _text(t.get("value")) and t.get("use") != "old"]
    if phones:
        order = ("home", "mobile", None, "work", "temp")
        phones.sort(key=lambda t: (t.get("rank") if isinstance(t.get("rank"), int) else 99,
                                   order.index(t.get("use")) if t.get("use") in order else 9))
        out["telephone"] = _text(phones[0].get("value"))
    for ext in _extensions(res, ETHNIC_CATEGORY_URL):
        codes = codes_of(ext.get("valueCodeableConcept"))
        if codes:
            out["ethnic_category"] = codes[0]
            break
    for ext in _extensions(res, NHS_COMMUNICATION_URL):
        parts = {p.get("url"): p for p in _dicts(ext.get("extension"))}
        if "language" in parts and out["main_language"] is None:
            out["main_language"] = _language(parts["language"].get("valueCodeableConcept"))
        needed = parts.get("interpreterRequired", {}).get("valueBoolean")
        if isinstance(needed, bool):
            out["interpreter_required"] = "true" if needed else "false"
    for ext in _extensions(res, INTERPRETER_URL):
        if isinstance(ext.get("valueBoolean"), bool) and out["interpreter_required"] is None:
            out["interpreter_required"] = "true" if ext["valueBoolean"] else "false"
    if out["main_language"] is None:
        spoken = _dicts(res.get("communication"))
        chosen = next((c for c in spoken if c.get("preferred") is True),
                      spoken[0] if spoken else None)
        if chosen is not None:
            out["main_language"] = _language(chosen.get("language"))
    return out
