"""FHIR R4 hospital events (CM-8, CM-9, STRAT-2): reading one Encounter, or one FHIR
message, into an :class:`~ltc.care.events.feed.Event`. How one Encounter's elements become
the event's fields is :mod:`ltc.interop.fhir.encounter`.

Taken: an ``Encounter`` resource on its own, or a ``Bundle`` of type ``message`` whose
first entry is a ``MessageHeader`` whose ``focus`` is an Encounter in the Bundle (with the
Patient it is about). A ``batch`` or ``transaction`` Bundle of such resources is split
into its entries by :func:`messages`, each entry its own message. Every resource is
validated against the ``fhir.resources`` R4B models (as the record plane's ingest does:
for these resources R4B is R4); a problem names the element by its FHIRPath, e.g.
``Encounter.period.start`` or ``Bundle.entry[1].resource.identifier``.

Mapping
-------

=========================================  ================================================
FHIR R4                                    Event
=========================================  ================================================
Patient.identifier (system                 nhs_number (the Patient is the one that
``https://fhir.nhs.uk/Id/nhs-number``)     Encounter.subject refers to, in the Bundle or
                                           contained in the Encounter, else the only Patient
                                           in the Bundle); else Encounter.subject.identifier
                                           with that system; else none (the message waits
                                           in the review queue)
Encounter.class.code, Encounter.status     kind: class ``IMP``, ``ACUTE`` or ``NONAC``
                                           (inpatient) with status ``in-progress`` ->
                                           admission, ``finished`` -> discharge,
                                           ``cancelled`` or ``entered-in-error`` ->
                                           cancel_admission; class ``EMER`` (any status but
                                           cancelled or entered-in-error) -> attendance.
                                           Anything else is not taken (AR). The settings
                                           are the bulk ingest's
                                           (``elements.ENCOUNTER_SETTINGS``)
Encounter.period.start / end               occurred_at, as naive UTC (a date without a time
                                           is midnight): a discharge takes period.end, any
                                           other event period.start
Encounter.identifier[0].value              spell_id
Extension ``https://fhir.hl7.org.uk/       admission_method (an NHS Data Dictionary
StructureDefinition/Extension-UKCore-      admission method, ``ltc.codes.nhs_dd``),
AdmissionMethod`` on the Encounter         unplanned when it is an emergency method; else
(valueCodeableConcept.coding[0].code),     the same from hospitalization.admitSource when
else Encounter.hospitalization.            it is coded in the UK Core admission method code
admitSource                                system
Encounter.priority (v3 ActPriority)        unplanned when there is no admission method:
                                           ``EM`` or ``UR`` unplanned, ``EL`` or ``R``
                                           planned
Encounter.serviceProvider                  facility: its identifier (the ODS code), else
                                           the Organization it refers to in the Bundle (its
                                           ODS identifier, else its name), else its display
Encounter.location                         location: the first ``active`` one (else the
                                           first): its display, else the Location it
                                           refers to in the Bundle (its name)
Encounter.hospitalization.                 died: code ``exp`` (HL7 discharge disposition)
dischargeDisposition, Patient.deceased[x]  or ``20`` (NUBC expired), or the Patient's
                                           deceasedBoolean true or deceasedDateTime
MessageHeader.source.endpoint              sender; else Encounter.meta.source; else
                                           ``fhir``
Bundle.id (a message)                      control_id
Encounter.id, meta.versionId (alone)       control_id ``Encounter/<id>/_history/<versionId>``;
                                           without a versionId ``Encounter/<id>/<status>``,
                                           so an updated Encounter (in-progress, then
                                           finished) is not taken for a duplicate
MessageHeader.eventCoding.code             message_type ``message <code>`` (an Encounter on
                                           its own: ``Encounter``)
=========================================  ================================================

Refused with ``AE`` (an error in the content): text that is not JSON, a resource that is
not valid FHIR R4, an Encounter without the elements its event needs (id, a time), an
admission method that is not an NHS one, a message whose header or focus is missing.
Refused with ``AR`` (not taken): any other resource type, any other kind of Bundle, and
an Encounter class or status that makes no event here.

Sources: HL7 FHIR R4 (4.0.1) Encounter, Bundle and MessageHeader,
https://hl7.org/fhir/R4/; HL7 UK Core (Extension-UKCore-AdmissionMethod,
UKCore-AdmissionMethodEngland); NHS England, NHS number identifier system.
"""

from __future__ import annotations

import json
import re

from ltc.care.events.feed import Event, FeedError
from ltc.interop.fhir.elements import Json
from ltc.interop.fhir.encounter import MAX_CONTROL_ID, EncounterReader

SPLIT_BUNDLES = frozenset({"batch", "transaction"})


def _path(loc: tuple[int | str, ...], root: str) -> str:
    """A pydantic error location as FHIRPath: ``Bundle.entry[1].resource.period``."""
    out = root
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate(resource: Json, root: str) -> None:
    """Check ``resource`` against its ``fhir.resources`` R4B model; ``root`` names it in
    a problem (``Encounter``, ``Bundle.entry[2].resource``)."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    rtype = resource.get("resourceType")
    if not isinstance(rtype, str):
        raise FeedError("AE", f"{root}.resourceType: is missing; expected the resource "
                        "type, e.g. 'Encounter'")
    try:
        model = get_fhir_model_class(rtype)
    except (KeyError, ValueError):
        raise FeedError("AE", f"{root}.resourceType: {rtype!r} is not a FHIR R4 resource "
                        "type") from None
    try:
        model.model_validate(resource)
    except ValidationError as err:
        problems = [f"{_path(tuple(e['loc']), root)}: {e['msg']}" for e in err.errors()]
        raise FeedError("AE", f"{'; '.join(problems[:10])} (expected a valid FHIR R4 "
                        f"{rtype})") from None
    except Exception as err:  # the library raises others on some broken input
        raise FeedError("AE", f"{root}: not a valid FHIR R4 {rtype} "
                        f"({type(err).__name__})") from None


def _parse(raw: str) -> Json:
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as err:
        raise FeedError("AE", f"not valid JSON: {err.msg} at line {err.lineno}, column "
                        f"{err.colno}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("resourceType"), str):
        raise FeedError("AR", "not a FHIR resource: expected a JSON object with a "
                        "resourceType, an Encounter or a Bundle")
    return doc


def _bundle_entries(doc: Json) -> list[Json]:
    """Check a Bundle and each of its entries' resources (each with its own model: a
    Bundle's own validation stops at an unknown resource type)."""
    entries = doc.get("entry") or []
    if not isinstance(entries, list):
        raise FeedError("AE", "Bundle.entry: expected a list of entries")
    shell = {**doc, "entry": [{k: v for k, v in e.items() if k != "resource"}
                              if isinstance(e, dict) else e for e in entries]}
    if not entries:
        shell.pop("entry")
    validate(shell, "Bundle")
    for index, entry in enumerate(entries):
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            raise FeedError("AE", f"Bundle.entry[{index}].resource: is missing; expected "
                            "a resource in each entry")
        validate(resource, f"Bundle.entry[{index}].resource")
    return entries


def messages(raw: str) -> tuple[str | None, list[str]]:
    """The Bundle type and the messages of a ``batch`` or ``transaction`` Bundle (each
    entry's resource, as JSON text); anything else is one message, ``(None, [raw])``, for
    :func:`read`. Raises :class:`FeedError` for a batch or transaction Bundle that is not
    valid."""
    try:
        doc = _parse(raw)
    except FeedError:
        return None, [raw]
    kind = doc.get("type")
    if doc["resourceType"] != "Bundle" or kind not in SPLIT_BUNDLES:
        return None, [raw]
    entries = _bundle_entries(doc)
    return str(kind), [json.dumps(entry["resource"], ensure_ascii=False)
                       for entry in entries]


def read(raw: str) -> Event:
    """The event ``raw`` (an Encounter, or a message Bundle) carries, or
    :class:`FeedError` saying what is wrong and where."""
    doc = _parse(raw)
    rtype = doc["resourceType"]
    if rtype == "Encounter":
        validate(doc, "Encounter")
        return EncounterReader(doc, [], "Encounter").event(
            sender=_meta_source(doc), control_id=_encounter_control_id(doc),
            message_type="Encounter")
    if rtype == "Bundle":
        kind = doc.get("type")
        if kind in SPLIT_BUNDLES:
            raise FeedError("AR", f"Bundle.type: a {kind} Bundle holds several messages; "
                            "post it to /api/v1/feeds/fhir, which takes each entry as a "
                            "message of its own")
        if kind != "message":
            raise FeedError("AR", f"Bundle.type: {kind!r}: this feed takes message "
                            "Bundles (and batch or transaction Bundles of them)")
        return _message(doc)
    raise FeedError("AR", f"resourceType: {rtype!r}: this feed takes an Encounter or a "
                    "message Bundle")


def _message(doc: Json) -> Event:
    entries = _bundle_entries(doc)
    control_id = doc.get("id")
    if not control_id:
        raise FeedError("AE", "Bundle.id: is missing; every message needs an id (it is "
                        "the message's control id)")
    if len(control_id) > MAX_CONTROL_ID:
        raise FeedError("AE", f"Bundle.id: longer than {MAX_CONTROL_ID} characters")
    header = entries[0]["resource"] if entries else {}
    if header.get("resourceType") != "MessageHeader":
        raise FeedError("AE", "Bundle.entry[0].resource: a message Bundle starts with its "
                        "MessageHeader")
    resources = [e["resource"] for e in entries]
    reader = EncounterReader({}, entries, "")
    focus = next((found for ref in header.get("focus") or []
                  if (found := reader.resolve(ref, "Encounter")) is not None), None)
    if focus is None:
        raise FeedError("AE", "Bundle.entry[0].resource.focus: refers to no Encounter in "
                        "the Bundle; expected a reference to the Encounter the message is "
                        "about")
    position = next(i for i, r in enumerate(resources) if r is focus)
    source = header.get("source") or {}
    event_code = (header.get("eventCoding") or {}).get("code") or ""
    sender = (source.get("endpoint") or "").strip() or _meta_source(focus)
    return EncounterReader(focus, entries, f"Bundle.entry[{position}].resource").event(
        sender=sender, control_id=control_id,
        message_type=f"message {event_code}".strip()[:32])


def _meta_source(resource: Json) -> str:
    return ((resource.get("meta") or {}).get("source") or "").strip()[:200] or "fhir"


def _encounter_control_id(doc: Json) -> str:
    ident = doc.get("id")
    if not ident:
        raise FeedError("AE", "Encounter.id: is missing; an Encounter sent on its own "
                        "needs its id (with meta.versionId, its control id)")
    version = (doc.get("meta") or {}).get("versionId")
    control = (f"Encounter/{ident}/_history/{version}" if version
               else f"Encounter/{ident}/{doc.get('status') or ''}")
    if len(control) > MAX_CONTROL_ID:
        raise FeedError("AE", f"Encounter.id: with meta.versionId, longer than "
                        f"{MAX_CONTROL_ID} characters")
    return control


_PATH = re.compile(r"^([A-Z][A-Za-z]*(?:\[\d+\])?(?:\.[A-Za-z_][\w]*(?:\[\d+\])?)*): ")


def location_of(reason: str) -> str | None:
    """The FHIRPath a reason starts with, if any (for OperationOutcome.issue.expression)."""
    m = _PATH.match(reason)
    return m.group(1) if m else None


def within_entry(reason: str, index: int) -> str:
    """``reason`` about a resource read alone, its elements named from the Bundle whose
    entry ``index`` holds it (``Encounter.period`` -> ``Bundle.entry[2].resource.period``)."""
    root = f"Bundle.entry[{index}].resource"
    m = _PATH.match(reason)
    if m is None:
        return f"{root}: {reason}"
    path = m.group(1)
    rest = path[path.index("."):] if "." in path else ""
    return f"{root}{rest}{reason[m.end(1):]}"
