"""Details read again from a message as it was received, for the record plane's copy of
the real-time events (POP-2, STRAT-2): whether an attendance was at an emergency department
(HL7 v2 PV1-2; FHIR Encounter.class, read as :mod:`ltc.interop.fhir.elements` reads it)
and the outcome an ambulance incident states. :func:`stated` is what ``ltc events
to-records`` gives the care plane's export (:func:`ltc.care.events.records.export`)."""

from __future__ import annotations

import json
from typing import Any

from ltc.care.events.feed import FeedError
from ltc.care.events.record_rows import Stated
from ltc.interop.fhir.elements import class_code, setting_of
from ltc.interop.hl7v2 import parser as hl7v2


def _json(raw: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _fhir_encounter(raw: str) -> dict[str, Any]:
    """A FHIR Encounter, or the first Encounter of a Bundle ({} when there is none)."""
    doc = _json(raw)
    if doc.get("resourceType") == "Bundle":
        entries = doc.get("entry")
        resources = [e.get("resource") for e in entries if isinstance(e, dict)] \
            if isinstance(entries, list) else []
        found = [r for r in resources
                 if isinstance(r, dict) and r.get("resourceType") == "Encounter"]
        doc = found[0] if found else {}
    return doc if doc.get("resourceType") == "Encounter" else {}


def emergency_attendance(feed: str, raw: str) -> bool | None:
    """Whether an attendance was at an emergency department, as its message says (HL7 v2
    PV1-2 patient class ``E``; FHIR Encounter.class an emergency one, ``EMER``); None
    when the feed's messages do not say."""
    if feed == "fhir":
        return setting_of(class_code(_fhir_encounter(raw))) == "emergency"
    if feed != "hl7v2":
        return None
    try:
        message = hl7v2.parse(raw)
        return str(message.extract_field("PV1", 1, 2, 1, 1)).strip().upper() == "E"
    except (FeedError, KeyError, IndexError):
        return False


def stated_outcome(raw: str) -> Any:
    """The ``outcome`` an ambulance incident's JSON gives, if any (not checked)."""
    return _json(raw).get("outcome")


def stated(feed: str, raw: str) -> Stated:
    """What a message of ``feed``, as received, states beyond its event."""
    return Stated(emergency=emergency_attendance(feed, raw),
                  outcome=stated_outcome(raw) if feed == "ambulance" else None)
