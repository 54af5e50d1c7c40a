"""A person's carers and family (CM-5; issue 15 item 4): each a record linked to the
person, with their relationship, how to reach them, whether they consent to be
contacted, their carer's assessment (offered, done or declined), whether they are the
main carer; added, changed and ended (never deleted). They are shown in the patient
banner's area and in the care plan's contingency section and its copies.

Before carers were records of their own, an assessment held one carer's details as text
(``notes.carer``); when a person has no carer records that carer is still shown, read
from their newest assessment and marked so (:func:`from_assessment`). Services never
commit: the request owns the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from ltc.care.assessment.models import Assessment
from ltc.care.assessment.services import ASSESSMENTS
from ltc.care.auth.models import User
from ltc.care.careplans.document import CarerContact
from ltc.care.careplans.models import Carer
from ltc.care.db import now

#: the limits of each text field, with the words a person sees
FIELDS = {"name": ("Carer's name", 200), "relationship": ("Relationship to the person", 100),
          "telephone": ("Telephone", 32), "address": ("Address", 300)}
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")


class CarerError(ValueError):
    """Carer details that cannot be saved; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _flag(value: Any, field: str, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in ("yes", "true", "on", "1"):
        return True
    if text in ("", "no", "false", "off", "0"):
        return False
    raise CarerError(field, f"{label}: answer yes or no; got {value!r}.")


def _day(value: Any, field: str, label: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CarerError(field, f"{label}: give a date like 2026-03-31; got {value!r}."
                         ) from None


def clean(data: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    """Check and normalise a carer's details (what a form sends); raises
    :class:`CarerError` naming the field."""
    today = today or date.today()
    out: dict[str, Any] = {}
    for key, (label, limit) in FIELDS.items():
        text = " ".join(str(data.get(key) or "").split())
        if len(text) > limit:
            raise CarerError(key, f"{label}: at most {limit} characters (got {len(text)}).")
        out[key] = text
    for key in ("name", "relationship"):
        if not out[key]:
            raise CarerError(key, f"{FIELDS[key][0]}: this is needed.")
    if out["telephone"] and not _PHONE.match(out["telephone"]):
        raise CarerError("telephone", "Telephone: give a number like 07700 900123 (digits, "
                         f"spaces, brackets, + or -); got {out['telephone']!r}.")
    out["consents_to_contact"] = _flag(data.get("consents_to_contact"), "consents_to_contact",
                                       "Consents to be contacted")
    out["main_carer"] = _flag(data.get("main_carer"), "main_carer", "Main carer")
    out["assessment_declined"] = _flag(data.get("assessment_declined"),
                                       "assessment_declined", "Carer's assessment declined")
    offered = _day(data.get("assessment_offered_on"), "assessment_offered_on",
                   "Carer's assessment offered on")
    done = _day(data.get("assessment_done_on"), "assessment_done_on",
                "Carer's assessment done on")
    for key, day, label in (("assessment_offered_on", offered, "offered on"),
                            ("assessment_done_on", done, "done on")):
        if day is not None and day > today:
            raise CarerError(key, f"Carer's assessment {label}: {day.isoformat()} is in the "
                             "future; record it when it has happened.")
    if offered and done and done < offered:
        raise CarerError("assessment_done_on", "Carer's assessment done on: the assessment "
                         "cannot be done before it was offered.")
    if done and out["assessment_declined"]:
        raise CarerError("assessment_declined", "Carer's assessment declined: an assessment "
                         "that was done was not declined; clear one of them.")
    out["assessment_offered_on"], out["assessment_done_on"] = offered, done
    return out


def _only_main(session: Session, nhs_number: str, keep: int) -> None:
    """One main carer per person: the carer ``keep`` becomes it."""
    session.execute(update(Carer).where(Carer.nhs_number == nhs_number, Carer.id != keep,
                                        Carer.main_carer.is_(True)).values(main_carer=False))


def add(session: Session, nhs_number: str, data: Mapping[str, Any], by: User) -> Carer:
    """Link a new carer to the person."""
    carer = Carer(nhs_number=nhs_number, created_by=by.id, **clean(data))
    session.add(carer)
    session.flush()
    if carer.main_carer:
        _only_main(session, nhs_number, carer.id)
    return carer


def get(session: Session, nhs_number: str, carer_id: int) -> Carer | None:
    """The carer ``carer_id`` of this person (None for another person's)."""
    carer = session.get(Carer, carer_id)
    return carer if carer is not None and carer.nhs_number == nhs_number else None


def change(session: Session, carer: Carer, data: Mapping[str, Any]) -> Carer:
    """Change a carer's details."""
    for key, value in clean(data).items():
        setattr(carer, key, value)
    carer.updated_at = now()
    session.flush()
    if carer.main_carer:
        _only_main(session, carer.nhs_number, carer.id)
    return carer


def end(session: Session, carer: Carer, on: Any, today: date | None = None) -> Carer:
    """End the link: the carer is no longer this person's carer from ``on``."""
    day = _day(on, "on", "Ended on") or (today or date.today())
    if day > (today or date.today()):
        raise CarerError("on", f"Ended on: {day.isoformat()} is in the future.")
    if carer.ended_on is not None:
        raise CarerError("on", f"Ended on: this carer was already ended on "
                         f"{carer.ended_on.isoformat()}.")
    carer.ended_on, carer.main_carer, carer.updated_at = day, False, now()
    return carer


def every(session: Session, nhs_number: str) -> list[Carer]:
    """Every carer of the person: active ones first (the main carer first), then ended."""
    rows = session.scalars(select(Carer).where(Carer.nhs_number == nhs_number)
                           .order_by(Carer.id))
    return sorted(rows, key=lambda c: (c.ended_on is not None, not c.main_carer, c.id))


def contact(carer: Carer) -> CarerContact:
    return CarerContact(
        name=carer.name, relationship=carer.relationship, telephone=carer.telephone,
        address=carer.address, consents_to_contact=carer.consents_to_contact,
        main_carer=carer.main_carer, assessment_offered_on=carer.assessment_offered_on,
        assessment_done_on=carer.assessment_done_on,
        assessment_declined=carer.assessment_declined)


def _old_carer(notes: Mapping[str, Any] | None) -> CarerContact | None:
    """The carer of an assessment's notes (its old carer details), if it names one."""
    carer = (notes or {}).get("carer")
    if not carer or not str(carer.get("name") or "").strip():
        return None
    return CarerContact(name=str(carer["name"]).strip(),
                        relationship=str(carer.get("relationship") or "").strip(),
                        telephone=str(carer.get("contact") or "").strip(),
                        from_assessment=True)


def from_assessment(session: Session, nhs_number: str) -> CarerContact | None:
    """The carer named in the person's newest assessment (its old carer details), if any."""
    latest = ASSESSMENTS.latest(session, nhs_number)
    return _old_carer(latest.notes if latest is not None else None)


def active(session: Session, nhs_number: str) -> list[CarerContact]:
    """The person's active carers, the main carer first; the assessment's carer when
    there are no carer records at all. One statement (it is on every person page's
    banner): the carers, outer-joined to one row so that the newest assessment's notes
    come back even when there is no carer."""
    notes = (select(Assessment.notes).where(Assessment.nhs_number == nhs_number)
             .order_by(Assessment.version.desc()).limit(1).scalar_subquery())
    one = select(literal(1).label("one")).subquery()
    found = session.execute(select(Carer, notes).select_from(one)
                            .outerjoin(Carer, Carer.nhs_number == nhs_number)).all()
    rows = [carer for carer, _ in found if carer is not None]
    if not rows:
        old = _old_carer(found[0][1] if found else None)
        return [old] if old else []
    rows.sort(key=lambda c: (not c.main_carer, c.id))
    return [contact(c) for c in rows if c.ended_on is None]


def banner_line(session: Session, nhs_number: str) -> str | None:
    """The banner's carer line, for the main (or first) active carer."""
    carers = active(session, nhs_number)
    return carers[0].line() if carers else None


def snapshot(carer: CarerContact) -> dict[str, Any]:
    """A carer as a plan version keeps them (JSON)."""
    return {"name": carer.name, "relationship": carer.relationship,
            "telephone": carer.telephone, "address": carer.address,
            "consents_to_contact": carer.consents_to_contact, "main_carer": carer.main_carer,
            "assessment_offered_on": (carer.assessment_offered_on.isoformat()
                                      if carer.assessment_offered_on else None),
            "assessment_done_on": (carer.assessment_done_on.isoformat()
                                   if carer.assessment_done_on else None),
            "assessment_declined": carer.assessment_declined,
            "from_assessment": carer.from_assessment}


def from_snapshot(data: Mapping[str, Any]) -> CarerContact:
    def day(value: Any) -> date | None:
        return date.fromisoformat(value) if value else None

    return CarerContact(
        name=str(data.get("name", "")), relationship=str(data.get("relationship", "")),
        telephone=str(data.get("telephone", "")), address=str(data.get("address", "")),
        consents_to_contact=data.get("consents_to_contact"),
        main_carer=bool(data.get("main_carer")),
        assessment_offered_on=day(data.get("assessment_offered_on")),
        assessment_done_on=day(data.get("assessment_done_on")),
        assessment_declined=bool(data.get("assessment_declined")),
        from_assessment=bool(data.get("from_assessment")))
