"""The out-of-hours summary as a FHIR R4 document Bundle (CM-5): a Composition (sections:
if things go wrong, DNACPR, named contact and case manager, medicines, allergies), the
Patient (NHS number, name, birth date, sex) and, when there is one, the latest CarePlan
(``ltc.interop.fhir.careplan.to_fhir``). Checked against ``fhir.resources.R4B``."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from ltc.care.outofhours.summary import Summary
from ltc.interop.fhir.careplan import to_fhir
from ltc.interop.fhir.elements import NHS_NUMBER_SYSTEM

SEX = {"F": "female", "M": "male"}


def _section(title: str, lines: list[str]) -> dict[str, Any]:
    items = "".join(f"<li>{escape(line)}</li>" for line in lines) or "<li>None recorded</li>"
    return {"title": title, "text": {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{items}</ul></div>'}}


def bundle(s: Summary, at: datetime | None = None) -> dict[str, Any]:
    moment = (at or datetime.now(UTC)).replace(microsecond=0).isoformat()
    nhs = s.person.nhs_number
    patient_url = f"urn:ltc:patient:{nhs}"
    patient: dict[str, Any] = {"resourceType": "Patient", "identifier": [
        {"system": NHS_NUMBER_SYSTEM, "value": nhs}]}
    if s.person.given_name or s.person.family_name:
        patient["name"] = [{k: v for k, v in (
            ("family", s.person.family_name),
            ("given", [s.person.given_name] if s.person.given_name else None)) if v}]
    if s.person.date_of_birth:
        patient["birthDate"] = s.person.date_of_birth.isoformat()
    if s.person.sex in SEX:
        patient["gender"] = SEX[s.person.sex]
    contacts = [x for x in (
        f"Named contact: {s.named_contact}" if s.named_contact else "",
        f"Case manager: {s.case_manager}" + (f", {s.case_manager_phone}"
                                             if s.case_manager_phone else "")
        if s.case_manager else "") if x]
    sections = [
        _section("If things go wrong", [s.contingency]),
        _section("Carers", [c.name + (f" ({c.relationship})" if c.relationship else "")
                            + (f", {c.telephone}" if c.telephone else "") for c in s.carers]),
        _section("DNACPR", [s.dnacpr] + ([f"Where the form is: {s.dnacpr_form_location}"]
                                         if s.dnacpr_form_location else [])),
        _section("Named contact and case manager", contacts),
        _section("Medicines", [f"{m.name} (last issued {m.last_issued.isoformat()})"
                               for m in s.medicines]),
        _section("Allergies", [s.allergies]),
    ]
    composition = {
        "resourceType": "Composition", "status": "final",
        "type": {"text": "Out-of-hours summary"}, "subject": {"reference": patient_url},
        "date": moment, "author": [{"display": "LTC"}],
        "title": "Out-of-hours summary", "section": sections}
    entries = [{"fullUrl": "urn:ltc:composition:" + nhs, "resource": composition},
               {"fullUrl": patient_url, "resource": patient}]
    if s.plan is not None:
        entries.append({"fullUrl": f"urn:ltc:careplan:{nhs}:{s.plan.version}",
                        "resource": to_fhir(s.plan, patient_reference=patient_url)})
    out = {"resourceType": "Bundle", "type": "document", "timestamp": moment,
           "identifier": {"system": "urn:ltc:out-of-hours", "value": f"{nhs}/{moment}"},
           "entry": entries}
    Bundle.model_validate(out)  # raises for a document that is not valid FHIR R4
    return out
