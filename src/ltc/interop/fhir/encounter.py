"""One FHIR R4 Encounter, with the Bundle entries around it, read into the fields of an
:class:`~ltc.care.events.feed.Event` (CM-8, CM-9, STRAT-2). The mapping table is in
:mod:`ltc.interop.fhir.messages`, which takes the Encounter or message Bundle whole."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ltc.care.db import to_store
from ltc.care.events.feed import Event, FeedError
from ltc.codes import nhs_dd
from ltc.interop.fhir.elements import NHS_NUMBER_SYSTEM as NHS_NUMBER_SYSTEM
from ltc.interop.fhir.elements import ODS_SYSTEM as ODS_SYSTEM
from ltc.interop.fhir.elements import (
    Json,
    class_code,
    classes_of,
    codings_in,
    date_time,
    first_code,
    period_of,
    resolve,
    setting_of,
)

ADMISSION_METHOD_EXTENSION = ("https://fhir.hl7.org.uk/StructureDefinition/"
                              "Extension-UKCore-AdmissionMethod")
ADMISSION_METHOD_SYSTEM = "https://fhir.hl7.org.uk/CodeSystem/UKCore-AdmissionMethodEngland"
INPATIENT_CLASSES = classes_of("inpatient")
EMERGENCY_CLASSES = classes_of("emergency")
#: status of an inpatient Encounter, and the kind of event each is
INPATIENT_STATUSES = {"in-progress": "admission", "finished": "discharge",
                      "cancelled": "cancel_admission", "entered-in-error": "cancel_admission"}
WITHDRAWN = frozenset({"cancelled", "entered-in-error"})
#: Encounter.status (FHIR R4 EncounterStatus)
STATUSES = frozenset({"planned", "arrived", "triaged", "in-progress", "onleave", "finished",
                      "cancelled", "entered-in-error", "unknown"})
UNPLANNED_PRIORITIES = frozenset({"EM", "UR"})
PLANNED_PRIORITIES = frozenset({"EL", "R"})
DIED_DISPOSITIONS = frozenset({"exp", "20"})
MAX_CONTROL_ID = 199


def _time(value: str, where: str) -> datetime:
    """A FHIR dateTime (already checked against the FHIR pattern) as the store keeps it
    (UTC; without an offset, UK time)."""
    if len(value) < 10:
        raise FeedError("AE", f"{where}: {value!r} is only part of a date; expected a date "
                        "and time such as 2026-11-26T14:30:00Z")
    try:
        at = date_time(value)
    except ValueError:
        raise FeedError("AE", f"{where}: {value!r} is not a date and time; expected, e.g., "
                        "2026-11-26T14:30:00Z") from None
    return to_store(at)


class EncounterReader:
    """One Encounter (``where`` is its FHIRPath) with the Bundle entries around it."""

    def __init__(self, encounter: Json, entries: list[Json], where: str) -> None:
        self.encounter, self.entries, self.where = encounter, entries, where

    def resolve(self, ref: Any, rtype: str | None = None) -> Json | None:
        """The resource a Reference points at: contained in the Encounter (``#id``), or
        an entry of the Bundle; of type ``rtype`` if given."""
        return resolve(ref, self.entries, self.encounter.get("contained") or [], rtype)

    def path(self, element: str) -> str:
        return f"{self.where}.{element}"

    def event(self, *, sender: str, control_id: str, message_type: str) -> Event:
        enc = self.encounter
        kind = self.kind()
        period = period_of(enc)
        if kind == "discharge":
            value, element = period.get("end"), "period.end"
        else:
            value, element = period.get("start"), "period.start"
        if not value and kind == "cancel_admission":
            value, element = (enc.get("meta") or {}).get("lastUpdated"), "meta.lastUpdated"
        if not value:
            raise FeedError("AE", f"{self.path(element)}: is missing; expected the time of "
                            f"the {kind.replace('_', ' ')}")
        method, unplanned = self.admission()
        identifiers = enc.get("identifier") or []
        spell = str(identifiers[0].get("value") or "").strip()[:64] if identifiers else ""
        patient = self.resolve(enc.get("subject"), "Patient")
        if patient is None and self.entries:
            patients = [e["resource"] for e in self.entries
                        if e["resource"].get("resourceType") == "Patient"]
            patient = patients[0] if len(patients) == 1 else None
        return Event(
            feed="fhir", sender=sender[:200], control_id=control_id,
            message_type=message_type, kind=kind, nhs_number=self.nhs_number(patient),
            occurred_at=_time(value, self.path(element)), spell_id=spell or None,
            facility=self.facility(), location=self.location(), admission_method=method,
            unplanned=unplanned, died=self.died(patient))

    def kind(self) -> str:
        enc = self.encounter
        code = class_code(enc)
        setting = setting_of(code)
        status = str(enc.get("status") or "").strip()
        if not status:
            raise FeedError("AE", f"{self.path('status')}: is missing; expected the "
                            "Encounter's status, e.g. in-progress")
        if status not in STATUSES:
            raise FeedError("AE", f"{self.path('status')}: {status!r} is not an Encounter "
                            f"status; expected one of {', '.join(sorted(STATUSES))}")
        if setting == "inpatient":
            if status in INPATIENT_STATUSES:
                return INPATIENT_STATUSES[status]
            raise FeedError("AR", f"{self.path('status')}: {status!r}: this feed takes "
                            f"inpatient Encounters that are {', '.join(INPATIENT_STATUSES)}")
        if setting == "emergency":
            if status in WITHDRAWN:
                raise FeedError("AR", f"{self.path('status')}: {status!r}: a withdrawn "
                                "emergency attendance makes no event here")
            return "attendance"
        raise FeedError("AR", f"{self.path('class')}: {code!r}: this feed takes inpatient "
                        f"({', '.join(sorted(INPATIENT_CLASSES))}) and emergency "
                        f"({', '.join(sorted(EMERGENCY_CLASSES))}) Encounters")

    def admission(self) -> tuple[str | None, bool | None]:
        enc = self.encounter
        for index, ext in enumerate(enc.get("extension") or []):
            if ext.get("url") == ADMISSION_METHOD_EXTENSION:
                where = self.path(f"extension[{index}].valueCodeableConcept")
                return self._method(first_code(ext.get("valueCodeableConcept")), where)
        source = (enc.get("hospitalization") or {}).get("admitSource")
        for index, coding in codings_in(source, ADMISSION_METHOD_SYSTEM):
            where = self.path(f"hospitalization.admitSource.coding[{index}]")
            return self._method(str(coding.get("code") or "").strip(), where)
        priority = first_code(enc.get("priority")).upper()
        if priority in UNPLANNED_PRIORITIES:
            return None, True
        if priority in PLANNED_PRIORITIES:
            return None, False
        return None, None

    @staticmethod
    def _method(code: str, where: str) -> tuple[str | None, bool | None]:
        if code not in nhs_dd.ADMISSION_METHODS:
            raise FeedError("AE", f"{where}: {code!r} is not an NHS admission method; "
                            "expected a code such as 21 (emergency, via the emergency "
                            "department) or 11 (elective, from the waiting list)")
        return code, code in nhs_dd.EMERGENCY_ADMISSION_METHODS

    def nhs_number(self, patient: Json | None) -> str | None:
        sources = [(patient or {}).get("identifier") or [],
                   [((self.encounter.get("subject") or {}).get("identifier") or {})]]
        for identifiers in sources:
            for ident in identifiers:
                if ident.get("system") == NHS_NUMBER_SYSTEM and ident.get("value"):
                    return str(ident["value"]).replace(" ", "")
        return None

    def facility(self) -> str | None:
        provider = self.encounter.get("serviceProvider")
        if not isinstance(provider, dict):
            return None
        value = str((provider.get("identifier") or {}).get("value") or "")
        organisation = self.resolve(provider, "Organization")
        if not value and organisation is not None:
            identifiers = organisation.get("identifier") or []
            ods = [i.get("value") for i in identifiers if i.get("system") == ODS_SYSTEM]
            value = str(ods[0] if ods and ods[0] else organisation.get("name") or "")
        value = value or str(provider.get("display") or "")
        return value.strip()[:100] or None

    def location(self) -> str | None:
        places = [p for p in self.encounter.get("location") or [] if isinstance(p, dict)]
        if not places:
            return None
        chosen = next((p for p in places if p.get("status") == "active"), places[0])
        ref = chosen.get("location") or {}
        value = str(ref.get("display") or "")
        found = self.resolve(ref, "Location")
        if not value and found is not None:
            value = str(found.get("name") or "")
        return value.strip()[:100] or None

    def died(self, patient: Json | None) -> bool:
        disposition = (self.encounter.get("hospitalization") or {}).get(
            "dischargeDisposition")
        if first_code(disposition) in DIED_DISPOSITIONS:
            return True
        person = patient or {}
        return person.get("deceasedBoolean") is True or bool(person.get("deceasedDateTime"))
