"""FHIR MedicationRequest onto prescription issues, so long-term medicines count (POP-2).

The record plane's ``prescription`` table holds one row per *issue*, as a GP system's
extract does, and the pipeline's ``long_term_medicines`` feature counts a drug as
long-term when it was issued over at least six months (a first issue in the last year at
least 182 days before the index date, and an issue in the last 91 days). A FHIR
MedicationRequest is an *order* that may cover many issues, so each one in force is
turned into the issues it stands for:

=================================  ============================================================
MedicationRequest                  Issues
=================================  ============================================================
status entered-in-error,           none: the request is skipped and counted in the ingest
cancelled, draft; intent           report as ``MedicationRequest (status X)`` or
proposal, plan                     ``MedicationRequest (intent X)``
authoredOn                         the first issue
dispenseRequest.                   the issue interval (``d``, ``wk``, ``mo`` = 30 days, ``a`` =
expectedSupplyDuration             365 days); without it :data:`DEFAULT_INTERVAL_DAYS` (28)
dispenseRequest.                   1 + N issues, one interval apart
numberOfRepeatsAllowed N
dispenseRequest.validityPeriod.end without N: issues until that day
courseOfTherapyType acute          without N or a validity period: one issue
status active (continuous,         without N or a validity period: issues until the end of
seasonal or not given)             the data (the latest date in the batch)
status stopped, completed,         without N or a validity period: issues until the day
on-hold, unknown                   before the next request for the same drug (same person,
                                   same code) when that one is authored within
                                   :data:`RENEWAL_DAYS`; else one issue
=================================  ============================================================

Every request's issues also stop at the person's death and at the end of the data.
The first issue keeps the request's id as ``record_id``; later ones are ``<id>#2``,
``<id>#3``... ``repeat`` is true when a request gives more than one issue, false when
it allows no repeats or is acute, else empty.

Assumptions (also in ``docs/fhir-mapping.md``); these are the project's, not a
standard's, and each can be replaced when a source gives the real value:

* The issue interval, when a request gives none, is 28 days: the length of supply most
  often issued on repeat in English general practice (a four-week month). Any interval
  up to three months gives the same long-term answer for a request active for six
  months or more, since the feature needs one issue in the last 91 days.
* A request that is no longer active and is followed within 13 months by a request for
  the same drug was renewed, not interrupted: a repeat medicine is normally reviewed and
  re-authorised about once a year, and one month is allowed for the review to fall late.
  Synthea writes exactly this pattern: in the 136 shared bundles a chronic medicine
  (e.g. simvastatin) is ordered again at each yearly wellness visit and every earlier
  order is marked ``stopped``, with no end date and no dispense request.

Sources: HL7 FHIR R4 MedicationRequest (status, intent, courseOfTherapyType,
dispenseRequest), https://hl7.org/fhir/R4/medicationrequest.html; UCUM units of time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ltc.interop.fhir.elements import Elements, Json, codes_of, ref_id, scalar
from ltc.records.ingest import synthea_codes, synthea_collected

IGNORED_STATUS = frozenset({"entered-in-error", "cancelled", "draft"})
"""MedicationRequest.status values that never led to an issue (FHIR R4 request-status)."""
IGNORED_INTENT = frozenset({"proposal", "plan"})
"""MedicationRequest.intent values that are not orders (FHIR R4 medicationrequest-intent)."""
ACTIVE_STATUS = frozenset({"active"})

DEFAULT_INTERVAL_DAYS = 28
"""Issue interval when a request gives no expectedSupplyDuration (see the module docstring)."""
RENEWAL_DAYS = 396
"""A later request for the same drug authored within this many days (13 months) renews it."""

UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7, "mo": 30,
             "month": 30, "months": 30, "a": 365, "year": 365, "years": 365}
"""Duration units (UCUM code, or the unit text) -> days."""


@dataclass(slots=True)
class Request:
    """A MedicationRequest in force, its values still as text."""

    where: str
    id: str
    patient: str
    authored: str | None
    status: str | None
    course: str | None  # courseOfTherapyType code: continuous, acute, seasonal
    repeats: int | None  # dispenseRequest.numberOfRepeatsAllowed
    validity_end: str | None  # dispenseRequest.validityPeriod.end
    interval: int  # days between issues
    quantity: str
    system: str | None = None
    code: str | None = None
    name: str | None = None
    medication: str | None = None  # Medication id still to resolve


def skip_reason(res: Json) -> str | None:
    """Why a MedicationRequest gives no issue (the ingest report's label), or None."""
    status, intent = res.get("status"), res.get("intent")
    if isinstance(status, str) and status in IGNORED_STATUS:
        return f"MedicationRequest (status {status})"
    if isinstance(intent, str) and intent in IGNORED_INTENT:
        return f"MedicationRequest (intent {intent})"
    return None


def read_request(r: Elements, res: Json, where: str) -> Request | None:
    """A :class:`Request` from a MedicationRequest in force; problems go to ``r.c``."""
    ident = r.ident(res, "MedicationRequest", where)
    patient = r.patient_of(res, where)
    authored = r.text(res, "authoredOn", where, "a dateTime")
    system = code = name = medication = None
    if "medicationCodeableConcept" in res or "medicationReference" not in res:
        system, code, name = r.coding(res, "medicationCodeableConcept", where)
    else:
        reference = r.ref(res, "medicationReference", where, required=True)
        medication = ref_id(reference) if reference else None
    quantity, repeats, validity_end, interval = "1", None, None, DEFAULT_INTERVAL_DAYS
    dispense = r.obj(res, "dispenseRequest", where, "a dispense request")
    if dispense is not None:
        amount = r.obj(dispense, "quantity", where, "a Quantity",
                       path="dispenseRequest.quantity")
        if amount is not None:
            quantity = r.text(amount, "value", where, "a number", True,
                              "dispenseRequest.quantity.value") or "1"
        allowed = dispense.get("numberOfRepeatsAllowed")
        if isinstance(allowed, int) and not isinstance(allowed, bool) and allowed >= 0:
            repeats = allowed
        elif allowed is not None:
            r.c.problem(where, "dispenseRequest.numberOfRepeatsAllowed",
                        f"is {allowed!r}; expected a whole number of 0 or more")
        validity = r.obj(dispense, "validityPeriod", where, "a Period",
                         path="dispenseRequest.validityPeriod")
        if validity is not None:
            validity_end = r.text(validity, "end", where, "a dateTime",
                                  path="dispenseRequest.validityPeriod.end")
            if validity_end is not None and parse_day(validity_end) is None:
                r.c.problem(where, "dispenseRequest.validityPeriod.end",
                            f"is {validity_end!r}; expected a date YYYY-MM-DD")
        supply = r.obj(dispense, "expectedSupplyDuration", where, "a Duration",
                       path="dispenseRequest.expectedSupplyDuration")
        if supply is not None:
            days = _duration_days(supply)
            if days is None:
                r.c.problem(where, "dispenseRequest.expectedSupplyDuration",
                            "expected a Duration with a positive value and a unit of d, wk, "
                            "mo or a")
            else:
                interval = days
    course_codes = codes_of(res.get("courseOfTherapyType"))
    status = res.get("status")
    if ident is None or patient is None:
        return None
    return Request(where, ident, patient, authored,
                   status if isinstance(status, str) else None,
                   course_codes[0] if course_codes else None, repeats, validity_end,
                   interval, quantity, system, code, name, medication)


def _duration_days(duration: Json) -> int | None:
    value = duration.get("value")
    unit = scalar(duration.get("code")) or scalar(duration.get("unit")) or ""
    per = UNIT_DAYS.get(unit.strip().lower())
    if per is None or isinstance(value, bool) or not isinstance(value, int | float) \
            or value <= 0:
        return None
    return max(1, round(value * per))


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def issue_dates(req: Request, renewed: date | None, end: date | None) -> list[date]:
    """The issue dates of ``req``: see the module docstring. ``renewed`` is when the next
    request for the same drug was authored; ``end`` the end of the data or the death,
    whichever is first."""
    first = parse_day(req.authored)
    if first is None:
        return []
    step = timedelta(days=max(1, req.interval))
    until: date | None
    if req.repeats is not None:
        until = first + step * max(0, req.repeats)
        validity = parse_day(req.validity_end)
        if validity is not None:
            until = min(until, validity)
    elif req.validity_end is not None:
        until = parse_day(req.validity_end)
    elif req.course == "acute":
        until = first
    elif req.status in ACTIVE_STATUS:
        until = end
    elif renewed is not None and (renewed - first).days <= RENEWAL_DAYS:
        until = renewed - timedelta(days=1)
    else:
        until = first
    if until is None:
        until = first
    if end is not None:
        until = min(until, end)
    dates = [first]
    while dates[-1] + step <= until:
        dates.append(dates[-1] + step)
    return dates


def add_issues(rows: synthea_collected.Rows, requests: Iterable[Request], end_of_data: date | None,
               deaths: dict[str, date | None]) -> None:
    """Add the issues of every request to the prescription ``rows``."""
    requests = list(requests)
    following: dict[tuple[str, str | None, str | None], list[date]] = {}
    for req in requests:
        first = parse_day(req.authored)
        if first is not None:
            following.setdefault((req.patient, req.system, req.code), []).append(first)
    for dates in following.values():
        dates.sort()
    for req in requests:
        first = parse_day(req.authored)
        renewed = next((d for d in following.get((req.patient, req.system, req.code), [])
                        if first is not None and d > first), None)
        ends = [d for d in (end_of_data, deaths.get(req.patient)) if d is not None]
        dates = issue_dates(req, renewed, min(ends) if ends else None)
        if len(dates) > 1:
            repeat: str | None = "true"
        elif req.repeats == 0 or req.course == "acute":
            repeat = "false"
        else:
            repeat = None
        values: dict[str, str | None] = {
            "patient": req.patient, "drug_code_system": req.system, "drug_code": req.code,
            "drug_name": req.name, "quantity": req.quantity, "repeat": repeat}
        if not dates:  # an authoredOn that is not a date: the conversion refuses it
            rows.add(req.where, record_id=req.id, date=synthea_codes.day(req.authored), **values)
            continue
        # the issues of one request share every value but id and date: add them in bulk
        n = len(dates)
        values["record_id"], values["date"] = None, None
        rows.where.extend([req.where] * n)
        for name, column in rows.columns.items():
            if name == "record_id":
                column.extend([req.id, *(f"{req.id}#{k}" for k in range(2, n + 1))])
            elif name == "date":
                column.extend(d.isoformat() for d in dates)
            else:
                column.extend([values.get(name)] * n)
