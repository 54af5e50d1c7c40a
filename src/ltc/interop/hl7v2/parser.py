"""HL7 v2 ADT messages: reading one into an :class:`Event`, and the acknowledgement
(CM-8, CM-9, STRAT-2).

Parsed with python-hl7. Taken: ADT A01 (admit), A02 (transfer), A03 (discharge), A04
(register: outpatient or emergency department), A08 (update), A11 (cancel admit) and A13
(cancel discharge), HL7 version 2.x, processing id P (production).

Fields read (HL7 v2.4 numbering, as the NHS ITK HL7 v2 ADT specification uses them):

* MSH-3/MSH-4 sending application and facility, MSH-7 message time, MSH-9 message type,
  MSH-10 control id, MSH-11 processing id, MSH-12 version; EVN-2 recorded and EVN-6
  occurred times.
* PID-3 patient identifiers: the NHS number is the repetition whose assigning authority
  (component 4) is ``NHS`` or whose identifier type (component 5) is ``NH``; PID-29/30
  date of death and death indicator.
* PV1-3 assigned location, PV1-4 admission type: an NHS Data Dictionary admission method
  (``ltc.codes.nhs_dd``; emergency methods are unplanned) or HL7 table 0007 (``E``
  emergency, ``U`` urgent, ``A`` accident: unplanned; ``R``, ``EL``, ``C``: planned);
  PV1-19 visit (spell) number; PV1-36 discharge disposition (``4``, the NHS discharge
  method "patient died", or HL7 table 0112 ``20`` "expired"); PV1-44/45 admit and
  discharge times.
* NK1-3 relationship (HL7 table 0063) and NK1-33 identifiers of a related person.

Acknowledgements follow HL7 original mode: MSA-1 ``AA`` accepted, ``AE`` an error in the
content (the reason in MSA-3 and ERR), ``AR`` rejected (not readable, or a message type,
version or processing id this listener does not take).
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

import hl7

from ltc.care.db import to_store
from ltc.care.events.feed import CONDITIONS, Event, FeedError
from ltc.codes import nhs_dd

#: trigger events taken, and the kind of event each is
TRIGGERS = {"A01": "admission", "A02": "transfer", "A03": "discharge", "A04": "attendance",
            "A08": "update", "A11": "cancel_admission", "A13": "cancel_discharge"}
UNPLANNED_0007 = frozenset({"E", "U", "A"})
PLANNED_0007 = frozenset({"R", "EL", "C"})
DIED_DISPOSITIONS = frozenset({"4", "20"})
MAX_MESSAGE = 1_000_000  # bytes: larger frames are refused
_TS = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})?(\d{2})?(?:\.\d{1,4})?)?"
                 r"([+-]\d{4})?$")


def _get(message: hl7.Message, segment: str, fld: int, rep: int = 1, comp: int = 1,
         index: int = 1) -> str:
    try:
        return str(message.extract_field(segment, index, fld, rep, comp)).strip()
    except (KeyError, IndexError):
        return ""


def _count(message: hl7.Message, segment: str) -> int:
    try:
        return len(message.segments(segment))
    except KeyError:
        return 0


def timestamp(value: str, where: str) -> datetime:
    """An HL7 TS (YYYYMMDD[HHMM[SS[.SSSS]]][+/-ZZZZ]) as the store keeps it (UTC); a time
    without an offset is the sender's local time, UK time."""
    m = _TS.match(value)
    if not m:
        raise FeedError("AE", f"{where}: {value!r} is not an HL7 date and time; expected "
                        "YYYYMMDDHHMM[SS][+ZZZZ], e.g. 20261126143000")
    y, mo, d, h, mi, s, tz = m.groups()
    try:
        at = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        raise FeedError("AE", f"{where}: {value!r} is not a real date and time") from None
    if tz:
        sign = 1 if tz[0] == "+" else -1
        at = at.replace(tzinfo=timezone(sign * timedelta(hours=int(tz[1:3]),
                                                          minutes=int(tz[3:5]))))
    return to_store(at)


def segments(raw: str) -> list[str]:
    """A raw message's lines, to show it: HL7 v2 segments end in a carriage return (a
    line feed is taken as one too)."""
    return [s for s in raw.replace("\r\n", "\r").replace("\n", "\r").split("\r") if s]


def parse(raw: str) -> hl7.Message:
    """The message, or AR when it cannot be read as HL7 v2 at all. (The same text is
    parsed once: reading it and acknowledging it share the result; callers only read.)"""
    return _parse(raw)


@functools.lru_cache(maxsize=8)  # a message is read, then acknowledged: kept briefly
def _parse(raw: str) -> hl7.Message:
    text = raw.replace("\r\n", "\r").replace("\n", "\r").strip("\r")
    if not text.startswith("MSH") or len(text) < 9:
        raise FeedError("AR", "not an HL7 v2 message: it must start with an MSH segment",
                        "100")
    try:
        message = hl7.parse(text)
        _get(message, "MSH", 9)
    except Exception as err:  # the library raises several kinds on broken text
        raise FeedError("AR", f"not readable as HL7 v2 ({type(err).__name__})",
                        "102") from None
    return message


def sender_of(message: hl7.Message) -> str:
    return f"{_get(message, 'MSH', 3)}^{_get(message, 'MSH', 4)}"


def control_id_of(message: hl7.Message) -> str:
    return _get(message, "MSH", 10)


def message_type_of(message: hl7.Message) -> str:
    kind, trigger = _get(message, "MSH", 9, 1, 1), _get(message, "MSH", 9, 1, 2)
    return f"{kind}^{trigger}" if trigger else kind


def _nhs_number(message: hl7.Message) -> str | None:
    for rep in range(1, 20):
        ident = _get(message, "PID", 3, rep, 1)
        authority, kind = _get(message, "PID", 3, rep, 4), _get(message, "PID", 3, rep, 5)
        if not (ident or authority or kind):
            if rep > 1:
                break
            continue
        if authority.upper() == "NHS" or kind.upper() == "NH":
            return ident.replace(" ", "")
    return None


def _links(message: hl7.Message) -> tuple[tuple[str, str], ...]:
    found = []
    for i in range(1, _count(message, "NK1") + 1):
        relationship = _get(message, "NK1", 3, 1, 1, i).upper()
        for rep in range(1, 10):
            ident = _get(message, "NK1", 33, rep, 1, i)
            if not ident:
                break
            authority, kind = (_get(message, "NK1", 33, rep, 4, i),
                               _get(message, "NK1", 33, rep, 5, i))
            if (authority.upper() == "NHS" or kind.upper() == "NH") and relationship:
                found.append((ident.replace(" ", ""), relationship[:8]))
    return tuple(found)


def _admission(code: str) -> tuple[str | None, bool | None]:
    if not code:
        return None, None
    if code in nhs_dd.ADMISSION_METHODS:
        return code, code in nhs_dd.EMERGENCY_ADMISSION_METHODS
    if code.upper() in UNPLANNED_0007:
        return None, True
    if code.upper() in PLANNED_0007:
        return None, False
    raise FeedError("AE", f"PV1-4 admission type: {code!r} is neither an NHS admission "
                    "method (e.g. 21 for an emergency via the emergency department) nor an "
                    "HL7 table 0007 code (E, U, A, R, EL, C)")


def _first_time(message: hl7.Message, *places: tuple[str, int]) -> datetime:
    for segment, fld in places:
        value = _get(message, segment, fld)
        if value:
            return timestamp(value, f"{segment}-{fld}")
    names = ", ".join(f"{s}-{f}" for s, f in places)
    raise FeedError("AE", f"no time of the event: give one of {names}")


def read(raw: str) -> Event:
    """The event ``raw`` carries, or :class:`FeedError` saying what is wrong."""
    message = parse(raw)
    control_id = control_id_of(message)
    if not control_id:
        raise FeedError("AR", "MSH-10 message control id is empty; every message needs one",
                        "101")
    if len(control_id) > 199:
        raise FeedError("AR", "MSH-10 message control id is longer than 199 characters",
                        "102")
    version = _get(message, "MSH", 12)
    if not version.startswith("2."):
        raise FeedError("AR", f"MSH-12 version {version!r}: this listener takes HL7 v2.x",
                        "203")
    processing = _get(message, "MSH", 11)
    if processing != "P":
        raise FeedError("AR", f"MSH-11 processing id {processing!r}: this listener takes "
                        "production messages (P)", "202")
    kind, trigger = _get(message, "MSH", 9, 1, 1), _get(message, "MSH", 9, 1, 2)
    trigger = trigger or _get(message, "EVN", 1)
    if kind != "ADT" or trigger not in TRIGGERS:
        raise FeedError("AR", f"MSH-9 message type {message_type_of(message)!r}: this "
                        f"listener takes ADT {', '.join(TRIGGERS)}",
                        "201" if kind == "ADT" else "200")
    if _count(message, "PID") != 1:
        raise FeedError("AE", "PID segment: expected exactly one")
    event_kind = TRIGGERS[trigger]
    if event_kind not in ("update",) and _count(message, "PV1") != 1:
        raise FeedError("AE", f"PV1 segment: expected exactly one in an ADT {trigger}")
    if event_kind in ("discharge",):
        at = _first_time(message, ("PV1", 45), ("EVN", 6), ("EVN", 2), ("MSH", 7))
    elif event_kind in ("admission", "attendance"):
        at = _first_time(message, ("PV1", 44), ("EVN", 6), ("EVN", 2), ("MSH", 7))
    else:
        at = _first_time(message, ("EVN", 6), ("EVN", 2), ("MSH", 7))
    method, unplanned = _admission(_get(message, "PV1", 4))
    disposition = _get(message, "PV1", 36)
    died = _get(message, "PID", 30).upper() == "Y" or disposition in DIED_DISPOSITIONS
    ward, facility = _get(message, "PV1", 3, 1, 1), _get(message, "PV1", 3, 1, 4)
    return Event(
        feed="hl7v2", sender=sender_of(message)[:200], control_id=control_id,
        message_type=f"ADT^{trigger}", kind=event_kind, nhs_number=_nhs_number(message),
        occurred_at=at, spell_id=_get(message, "PV1", 19)[:64] or None,
        facility=(facility or _get(message, "MSH", 4))[:100] or None,
        location=ward[:100] or None, admission_method=method, unplanned=unplanned,
        died=died, links=_links(message))


def _escape(text: str) -> str:
    """HL7 escape sequences for the delimiters (HL7 v2 section 2.7)."""
    out = text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
    out = out.replace("~", "\\R\\").replace("&", "\\T\\")
    return "".join(ch if ch >= " " else " " for ch in out)


def ack(raw: str, code: str, reason: str = "", control: str = "",
        condition: str = "") -> str:
    """The acknowledgement of ``raw``: MSA-1 ``code``, MSA-2 its control id; the reason
    in MSA-3 (first 80 characters) and ERR-8, and ``condition`` (HL7 table 0357) in ERR-3,
    when it is not accepted. ``control`` is the acknowledgement's own control id (default:
    a random one)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + "+0000"  # with its offset: UTC
    ack_id = control or f"LTC{uuid.uuid4().hex[:17]}"
    try:
        message = parse(raw)
        theirs = (_get(message, "MSH", 3), _get(message, "MSH", 4))
        trigger, version = _get(message, "MSH", 9, 1, 2), _get(message, "MSH", 12) or "2.4"
        control_id = control_id_of(message)
    except FeedError:
        theirs, trigger, version, control_id = ("", ""), "", "2.4", ""
    msh = "|".join(["MSH", "^~\\&", "LTC", "LTC", _escape(theirs[0]), _escape(theirs[1]),
                    stamp, "", f"ACK^{_escape(trigger)}^ACK" if trigger else "ACK", ack_id,
                    "P", _escape(version)])
    msa = f"MSA|{code}|{_escape(control_id)}"
    segments = [msh]
    if code != "AA" and reason:
        msa += f"|{_escape(reason[:80])}"
        number = condition if condition in CONDITIONS else ("200" if code == "AR" else "102")
        segments += [msa, f"ERR|||{number}^{CONDITIONS[number]}^HL70357|E||||"
                          f"{_escape(reason)}"]
    else:
        segments.append(msa)
    return "\r".join(segments) + "\r"
