"""The ambulance service's incident feed (DM-5): one JSON object per incident, or a file
of them (a CSV file or a JSON array), each incident read into an
:class:`~ltc.care.events.feed.Event` of kind ``ambulance``. Applying them to the care store
is :func:`ltc.interop.feeds.apply_file` (what a file did: :mod:`ltc.care.feeds.ambulance`).

An incident::

    {"incident_id": "INC-20261126-0042", "nhs_number": "9434765919",
     "call_time": "2026-11-26T14:30:00Z", "outcome": "see_and_treat",
     "service": "NWAS"}

=============  ========================================================================
field          what it is
=============  ========================================================================
incident_id    the service's incident number (up to 64 characters): the message's
               control id and the event's spell id
nhs_number     the patient's NHS number (spaces allowed); empty when not known (the
               incident then waits in the review queue, like one for an unknown person)
call_time      when the call was taken, ISO 8601 with a time (``2026-11-26T14:30:00Z``;
               a time without an offset is taken as UTC), stored as naive UTC
outcome        ``hear_and_treat``, ``see_and_treat`` or ``conveyed``: the codes of the
               record plane's ``ambulance_incident`` table; conveyed is
               ``outcome == "conveyed"``
service        optional: the ambulance service sending (the message's sender; default
               ``ambulance``)
=============  ========================================================================

A CSV file has the header ``incident_id,nhs_number,call_time,outcome`` (in any order,
optionally with ``service``) and one incident a line. A file, CSV or a JSON array of
incidents, is taken whole or not at all: :func:`read_file` checks every incident first and
raises :class:`FileError` listing each problem with the file, the line, the field and what
was expected. An incident for a person not in the care store is not a problem: it waits
in the review queue.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import datetime
from typing import Any

from ltc.care.db import to_store
from ltc.care.events.feed import Event, FeedError

FEED = "ambulance"
#: outcomes of an incident (``ltc.records.schema``, table ``ambulance_incident``)
OUTCOMES = ("hear_and_treat", "see_and_treat", "conveyed")
#: whether a crew took the person to hospital; None for advice by telephone (hear and
#: treat), where no crew attended, so nothing was decided about conveying
CONVEYED: dict[str, bool | None] = {"hear_and_treat": None, "see_and_treat": False,
                                    "conveyed": True}
REQUIRED = ("incident_id", "nhs_number", "call_time", "outcome")
OPTIONAL = ("service",)
FIELDS = REQUIRED + OPTIONAL
MAX_INCIDENT_ID = 64
MAX_SERVICE = 200
MAX_INCIDENTS = 100_000  # in one file
#: why a file kept in the quarantine is not read again as one incident
FILE_AGAIN = ("a file of incidents, not one incident: a file is taken whole, so send the "
              "corrected file again (and dismiss this one)")


class FileError(FeedError):
    """A file of incidents that cannot be taken: every problem found, each naming the
    file, the line, the field and what was expected."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("AE", "; ".join(problems))
        self.problems = problems


def _problem(name: str, text: str) -> FeedError:
    return FeedError("AE", f"field {name}: {text}")


def _text(value: Any, name: str, expected: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _problem(name, f"is a JSON {type(value).__name__}; expected {expected}")
    return str(value).strip()


def _call_time(value: Any) -> datetime:
    expected = "a date and time in ISO 8601, e.g. 2026-11-26T14:30:00Z"
    if not isinstance(value, str):
        raise _problem("call_time", f"is a JSON {type(value).__name__}; expected {expected}")
    text = value.strip()
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise _problem("call_time", f"{text!r} is not {expected}") from None
    if len(text) <= 10:  # a date alone
        raise _problem("call_time", f"{text!r} has no time; expected {expected}")
    return to_store(at)  # without an offset: UK time


def event_of(incident: dict[str, Any]) -> Event:
    """The event of one incident (a JSON object's fields); :class:`FeedError` naming the
    field when one is missing or not what was expected."""
    unknown = [k for k in incident if k not in FIELDS]
    if unknown:
        raise _problem(str(unknown[0])[:40], "is not a field of an ambulance incident; "
                       f"expected {', '.join(REQUIRED)} and optionally service")
    for name in REQUIRED:
        if name not in incident:
            raise _problem(name, "is missing")
    incident_id = _text(incident["incident_id"], "incident_id",
                        f"the incident number (text, up to {MAX_INCIDENT_ID} characters)")
    if not incident_id or len(incident_id) > MAX_INCIDENT_ID:
        raise _problem("incident_id", f"expected the incident number, 1 to {MAX_INCIDENT_ID} "
                       "characters")
    given = incident["nhs_number"]
    if given is not None and not isinstance(given, str):
        raise _problem("nhs_number", f"is a JSON {type(given).__name__}; expected the NHS "
                       "number as text (10 digits), or empty when not known")
    nhs_number = (given or "").replace(" ", "") or None
    if nhs_number is not None and len(nhs_number) > 32:
        raise _problem("nhs_number", "is longer than 32 characters; expected an NHS number "
                       "(10 digits)")
    at = _call_time(incident["call_time"])
    outcome = incident["outcome"]
    if outcome not in OUTCOMES:
        shown = repr(outcome)[:40] if isinstance(outcome, str) else \
            f"a JSON {type(outcome).__name__}"
        raise _problem("outcome", f"{shown} is not an outcome; expected one of "
                       f"{', '.join(OUTCOMES)}")
    service = incident.get("service")
    sender = FEED
    if service is not None and service != "":
        sender = _text(service, "service", "the ambulance service's name (text)")
        if not sender or len(sender) > MAX_SERVICE:
            raise _problem("service", f"expected the ambulance service's name, 1 to "
                           f"{MAX_SERVICE} characters")
    return Event(feed=FEED, sender=sender, control_id=incident_id, message_type="incident",
                 kind="ambulance", nhs_number=nhs_number, occurred_at=at,
                 spell_id=incident_id, conveyed=CONVEYED[outcome])


def read(raw: str) -> Event:
    """The event one incident (a JSON object) carries, or :class:`FeedError` saying what
    is wrong."""
    try:
        incident = json.loads(raw)
    except json.JSONDecodeError as err:
        if raw.removeprefix("\ufeff").lstrip().startswith(FIELDS):
            raise FeedError("AE", FILE_AGAIN) from None
        raise FeedError("AE", f"not valid JSON: {err.msg} at line {err.lineno}, column "
                        f"{err.colno}") from None
    if isinstance(incident, list):
        raise FeedError("AE", FILE_AGAIN)
    if not isinstance(incident, dict):
        raise FeedError("AE", f"a JSON {type(incident).__name__}: expected one incident, a "
                        f"JSON object with {', '.join(REQUIRED)}")
    return event_of(incident)


def read_csv(text: str, filename: str) -> list[tuple[int, str]]:
    """Each incident of a CSV file as (its line, its JSON text for :func:`read`), every
    one checked; :class:`FileError` listing each problem (file, line, field)."""
    problems: list[str] = []
    rows: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header: list[str] | None = None
    try:
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                problems += _header_problems(header, filename, line)
                if problems:
                    break
                continue
            if len(rows) >= MAX_INCIDENTS:
                problems.append(f"{filename}, line {line}: more than {MAX_INCIDENTS:,} "
                                "incidents; expected at most that many in one file (split it)")
                break
            if len(cells) != len(header):
                problems.append(f"{filename}, line {line}: {len(cells)} values; expected "
                                f"{len(header)}, one for each column of the header "
                                f"({','.join(header)})")
                continue
            incident: dict[str, Any] = {n: c.strip() for n, c in zip(header, cells, strict=True)}
            if not incident.get("service"):
                incident.pop("service", None)
            _check(incident, line, f"{filename}, line {line}", rows, problems)
    except csv.Error as err:
        problems.append(f"{filename}, line {reader.line_num}: not readable as CSV ({err})")
    if header is None and not problems:
        problems.append(f"{filename}, line 1: the file is empty; expected the header "
                        f"{','.join(REQUIRED)} and one incident a line")
    if problems:
        raise FileError(problems)
    return rows


def _check(incident: dict[str, Any], line: int, where: str, rows: list[tuple[int, str]],
           problems: list[str]) -> None:
    """Add the incident to ``rows`` as JSON text for :func:`read`, or what is wrong with it
    (at ``where``) to ``problems``."""
    raw = json.dumps(incident, ensure_ascii=False)
    try:
        read(raw)
    except FeedError as err:
        problems.append(f"{where}, {err.reason}")
    else:
        rows.append((line, raw))


def _header_problems(header: list[str], filename: str, line: int) -> list[str]:
    where = f"{filename}, line {line} (the header)"
    out = [f"{where}, field {name}: is not a column of the ambulance feed; expected "
           f"{', '.join(REQUIRED)} and optionally service"
           for name in header if name not in FIELDS]
    out += [f"{where}, field {name}: the column is missing" for name in REQUIRED
            if name not in header]
    out += [f"{where}, field {name}: the column is there {n} times; expected once"
            for name, n in Counter(header).items() if n > 1 and name in FIELDS]
    return out


def read_json(text: str, filename: str) -> list[tuple[int, str]]:
    """Each incident of a JSON file (one object, or an array of them) as (its line, its
    JSON text), every one checked; :class:`FileError` listing each problem."""
    try:
        doc = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as err:
        raise FileError([f"{filename}, line {err.lineno}, column {err.colno}: not valid "
                         f"JSON ({err.msg})"]) from None
    if isinstance(doc, dict):
        items: list[tuple[int, Any]] = [(1, doc)]
    elif isinstance(doc, list):
        items = _item_lines(text.removeprefix("\ufeff"), doc)
    else:
        raise FileError([f"{filename}, line 1: a JSON {type(doc).__name__}; expected an "
                         "incident (a JSON object) or a JSON array of them"])
    if len(items) > MAX_INCIDENTS:
        raise FileError([f"{filename}: {len(items):,} incidents; expected at most "
                         f"{MAX_INCIDENTS:,} in one file (split it)"])
    problems: list[str] = []
    rows: list[tuple[int, str]] = []
    for number, (line, item) in enumerate(items, start=1):
        where = f"{filename}, line {line} (incident {number})"
        if not isinstance(item, dict):
            problems.append(f"{where}: a JSON {type(item).__name__}; expected an incident, "
                            "a JSON object")
            continue
        _check(item, line, where, rows, problems)
    if problems:
        raise FileError(problems)
    return rows


def _item_lines(text: str, items: list[Any]) -> list[tuple[int, Any]]:
    """Each item of the JSON array ``text`` (already parsed as ``items``) with the line
    it starts on."""
    decoder = json.JSONDecoder()
    out: list[tuple[int, Any]] = []
    at = text.index("[") + 1
    for item in items:
        while text[at] in " \t\r\n,":
            at += 1
        _, end = decoder.raw_decode(text, at)
        out.append((text.count("\n", 0, at) + 1, item))
        at = end
    return out


def read_file(text: str, filename: str) -> list[tuple[int, str]]:
    """A CSV or JSON file's incidents (JSON when it starts with ``{`` or ``[``)."""
    if text.removeprefix("\ufeff").lstrip()[:1] in ("{", "["):
        return read_json(text, filename)
    return read_csv(text, filename)
