"""JSON API (CM-8, DM-5): feeds posted by an interface system (a user with the role ``interface``,
signed in with ``POST /api/v1/session`` and sending its bearer token). No other role may
post them, and an interface user may use nothing else.

* ``POST /api/v1/feeds/fhir``: a FHIR R4 Encounter or message Bundle
  (``application/fhir+json`` or ``application/json``; see :mod:`ltc.interop.fhir.messages`),
  answered with an ``OperationOutcome``: 201 applied (or waiting in the review queue),
  200 a duplicate (nothing changed), 422 an error in the content, 400 rejected (not
  something this feed takes); both refusals are kept in the quarantine. A ``batch``
  Bundle is split into its entries, each a message of its own, and answered with a
  ``batch-response`` Bundle (200) giving each entry's status and outcome; a
  ``transaction`` Bundle likewise, but applied whole or not at all: one entry that cannot
  be read refuses the Bundle (422 or 400, kept once in the quarantine).
* ``POST /api/v1/feeds/ambulance``: one incident (a JSON object), or a file of them (a
  JSON array, or CSV as ``text/csv``; see :mod:`ltc.interop.ambulance`), answered with
  ``{"applied", "duplicate", "unmatched", "quarantined", "problems"}``: 201 when anything
  was taken, 200 when everything was a duplicate, 422 when it was refused. A file with a
  problem applies nothing and is kept once in the quarantine; the problems name the file
  (``?filename=``), the line and the field.

The FHIR answers are written by :mod:`ltc.interop.fhir.outcomes`; every message is read by
:mod:`ltc.interop.feeds` and applied in the request's
transaction, each in a savepoint; what the rules make of it is in
:mod:`ltc.care.events.services`, which also writes its audit row. The request owns the
transaction (:mod:`ltc.web.guard`): it commits what was applied, and rolls back a request
that fails part-way, so nothing of it is kept. A refused message is kept in the quarantine:
the route asks the guard to commit although it answers 400 or 422 (``keep_changes``).
The log says how many messages had which outcome, never what they held.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from ltc.care.auth.models import Role
from ltc.care.events import services as events
from ltc.care.events.feed import FeedError
from ltc.care.feeds.ambulance import Summary
from ltc.interop import ambulance, feeds
from ltc.interop.fhir import messages as fhir
from ltc.interop.fhir import outcomes
from ltc.web.deps import Db, alert_rules, guarded_router
from ltc.web.guard import keep_changes
from ltc.web.policy import policy

api = guarded_router()
INTERFACE = (Role.INTERFACE,)
MAX_BODY = 20_000_000  # bytes
FHIR_TYPES = ("application/fhir+json", "application/json")
JSON_TYPES = ("application/json",)
CSV_TYPES = ("text/csv", "application/csv")
FHIR_MEDIA = "application/fhir+json"
log = logging.getLogger("ltc.feeds")
Json = dict[str, Any]

#: HTTP status of each outcome of a message, and its text in a batch-response Bundle
STATUS = {"applied": 201, "unmatched": 201, "duplicate": 200}
REASONS = {200: "200 OK", 201: "201 Created", 400: "400 Bad Request",
           422: "422 Unprocessable Entity"}


async def _body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_body)]


def _text(request: Request, body: bytes, media_types: tuple[str, ...]) -> str:
    """The body as text, once its size and media type are checked."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in media_types:
        raise HTTPException(415, f"Send the body as {' or '.join(media_types)}, not "
                                 f"{media or 'without a content type'}.")
    if len(body) > MAX_BODY:
        raise HTTPException(413, f"The body is larger than {MAX_BODY:,} bytes: send fewer "
                                 "messages at a time.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "The body is not UTF-8 text.") from None


def _log(feed: str, outcomes: list[events.Outcome]) -> None:
    counts = Counter(o.status for o in outcomes)
    log.info("%s feed: %s", feed, ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


# -- FHIR -------------------------------------------------------------------------------
def _status(outcome: events.Outcome) -> int:
    if outcome.status in STATUS:
        return STATUS[outcome.status]
    return 400 if outcome.code == "AR" else 422


def _fhir_response(request: Request, content: Json, status: int) -> Response:
    if status >= 400:
        keep_changes(request)  # keep the quarantine, though the request answers an error
    return JSONResponse(content, status_code=status, media_type=FHIR_MEDIA)


def _one(request: Request, outcome: events.Outcome) -> Response:
    """The answer to one message: an OperationOutcome saying what it did."""
    return _fhir_response(request, outcomes.operation_outcome([outcomes.issue(outcome)]),
                          _status(outcome))


FHIR_BODY: Json = {"requestBody": {"required": True, "content": {
    media: {"schema": {"type": "object", "description": "A FHIR R4 Encounter, or a Bundle "
                       "of type message, batch or transaction"}} for media in FHIR_TYPES}}}


@api.post("/feeds/fhir", openapi_extra=FHIR_BODY, response_class=JSONResponse,
          responses={201: {"description": "Applied, or waiting in the review queue "
                                          "(OperationOutcome)"},
                     200: {"description": "A duplicate (OperationOutcome), or the response "
                                          "Bundle of a batch or transaction"},
                     400: {"description": "Rejected: not something this feed takes"},
                     422: {"description": "An error in the content, kept in the "
                                          "quarantine"}})
@policy("signed_in", roles=INTERFACE)
def post_fhir(request: Request, db: Db, body: RawBody) -> Response:
    """Receive a FHIR R4 Encounter, a message Bundle, or a batch or transaction Bundle of
    them."""
    text = _text(request, body, FHIR_TYPES)
    rules = alert_rules(request)
    try:
        kind, raws = fhir.messages(text)
    except FeedError as error:  # a batch or transaction Bundle that is not valid
        outcome = feeds.quarantine(db, "fhir", text, error)
        _log("fhir", [outcome])
        return _one(request, outcome)
    if kind is None:
        outcome = feeds.take(db, rules, "fhir", text)
        _log("fhir", [outcome])
        return _one(request, outcome)
    if kind == "transaction":
        refused = outcomes.transaction_problems(raws)
        if refused:
            code = "AE" if any(c == "AE" for c, _ in refused) else "AR"
            whole = FeedError(code, "; ".join(reason for _, reason in refused))
            outcome = feeds.quarantine(db, "fhir", text, whole)
            _log("fhir", [outcome])
            kept = f"Nothing applied; the Bundle is kept in the quarantine as message " \
                   f"{outcome.message_id}"
            return _fhir_response(request, outcomes.operation_outcome(
                [outcomes.error(c, reason, kept) for c, reason in refused]), _status(outcome))
    taken = [feeds.take(db, rules, "fhir", raw) for raw in raws]
    _log("fhir", taken)
    return _fhir_response(request, outcomes.response_bundle(
        kind, [(REASONS[_status(o)], o) for o in taken]), 200)


# -- ambulance --------------------------------------------------------------------------
class FeedSummary(BaseModel):
    applied: int
    duplicate: int
    unmatched: int
    quarantined: int
    problems: list[str]


AMBULANCE_BODY: Json = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"oneOf": [
        {"type": "object", "description": "One incident"},
        {"type": "array", "items": {"type": "object"}, "description": "A file of them"}]}},
    "text/csv": {"schema": {"type": "string", "description": "A header "
                            "incident_id,nhs_number,call_time,outcome[,service] and one "
                            "incident a line"}}}}}


@api.post("/feeds/ambulance", openapi_extra=AMBULANCE_BODY, response_class=JSONResponse,
          responses={201: {"model": FeedSummary, "description": "Taken"},
                     200: {"model": FeedSummary, "description": "All duplicates"},
                     422: {"model": FeedSummary, "description": "Refused; kept in the "
                                                                "quarantine"}})
@policy("signed_in", roles=INTERFACE)
def post_ambulance(request: Request, db: Db, body: RawBody,
                   filename: Annotated[str, Query(max_length=200, pattern=r"^[^/\\]+$",
                                                  description="the file's name, for "
                                                  "problems to name it")] = "the body",
                   ) -> Response:
    """Receive one ambulance incident, or a file of them (all or nothing)."""
    text = _text(request, body, JSON_TYPES + CSV_TYPES)
    rules = alert_rules(request)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in CSV_TYPES:
        summary = feeds.apply_file(db, rules, text, filename, csv_file=True)
    elif text.lstrip().startswith("["):
        summary = feeds.apply_file(db, rules, text, filename, csv_file=False)
    else:
        summary = Summary()
        summary.add(feeds.take(db, rules, ambulance.FEED, text))
    log.info("ambulance feed: applied %d, duplicate %d, unmatched %d, quarantined %d",
             summary.applied, summary.duplicate, summary.unmatched, summary.quarantined)
    if summary.quarantined:
        keep_changes(request)  # keep the quarantine, though the request answers an error
        status = 422
    else:
        status = 201 if summary.applied or summary.unmatched else 200
    return JSONResponse(summary.as_dict(), status_code=status)
