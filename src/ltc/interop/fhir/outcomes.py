"""FHIR R4 answers of the real-time FHIR feed (CM-8, CM-9, STRAT-2): what each message did, as an
``OperationOutcome``, and the ``batch-response`` or ``transaction-response`` Bundle of a
batch or transaction; and which entries of a transaction cannot be read.

The HTTP status of each answer is the web route's (:mod:`ltc.web.feeds.api`); this module
writes the FHIR resources it answers with.

Source: HL7 FHIR R4 (4.0.1) OperationOutcome (issue severity and type codes) and Bundle
(batch-response, transaction-response), https://hl7.org/fhir/R4/.
"""

from __future__ import annotations

from ltc.care.events.feed import FeedError
from ltc.care.events.outcome import Outcome
from ltc.interop.fhir import messages as fhir
from ltc.interop.fhir.elements import Json


def issue(outcome: Outcome) -> Json:
    """One OperationOutcome.issue saying what a message did."""
    if outcome.status == "applied":
        made = (f"{len(outcome.alerts)} alert(s), {len(outcome.tasks)} task(s) and "
                f"{len(outcome.flags)} flag(s)")
        return {"severity": "information", "code": "informational",
                "diagnostics": f"Applied as message {outcome.message_id}: {made}."}
    if outcome.status == "duplicate":
        return {"severity": "information", "code": "duplicate",
                "diagnostics": f"Already received as message {outcome.message_id}; "
                               "nothing changed."}
    if outcome.status == "unmatched":
        return {"severity": "warning", "code": "not-found",
                "diagnostics": f"Waiting in the review queue as message "
                               f"{outcome.message_id}: {outcome.problem}."}
    return error(outcome.code, outcome.problem,
                 f"Kept in the quarantine as message {outcome.message_id}")


def error(code: str, reason: str, kept: str) -> Json:
    """An error issue: ``not-supported`` for AR, else ``invalid``; the element the reason
    names (its FHIRPath) as the issue's expression."""
    found: Json = {"severity": "error", "code": "not-supported" if code == "AR" else "invalid",
                   "diagnostics": f"{kept}: {reason}"}
    where = fhir.location_of(reason)
    if where is not None:
        found["expression"] = [where]
    return found


def operation_outcome(issues: list[Json]) -> Json:
    return {"resourceType": "OperationOutcome", "issue": issues}


def response_bundle(kind: str, answers: list[tuple[str, Outcome]]) -> Json:
    """The ``<kind>-response`` Bundle: for each entry, its status (e.g. ``201 Created``)
    and an OperationOutcome of what it did."""
    entries = [{"response": {"status": status, "outcome": operation_outcome([issue(o)])}}
               for status, o in answers]
    answer: Json = {"resourceType": "Bundle", "type": f"{kind}-response"}
    if entries:  # FHIR has no empty lists
        answer["entry"] = entries
    return answer


def transaction_problems(raws: list[str]) -> list[tuple[str, str]]:
    """(code, reason) of each entry of a transaction that cannot be read, its elements
    named from the Bundle (``Bundle.entry[2].resource.period.start``)."""
    refused = []
    for index, raw in enumerate(raws):
        try:
            fhir.read(raw)
        except FeedError as err:
            refused.append((err.code, fhir.within_entry(err.reason, index)))
    return refused
