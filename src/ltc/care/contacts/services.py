"""Named contacts, one person at a time (DM-3; CM-7: a fixed point for the person).

* A person's **named contact** is one clinician of their practice, a GP (practice
  clinician) or a practice nurse, named from a day on, until someone else is named.
* :func:`named_contact` is whom prompts about the person go to (out-of-range readings,
  red flags): the named clinician while their account is active and they still belong to
  the person's practice, else nobody (the caller falls back to the case manager or the
  practice).
* Everyone's history is kept: naming someone else ends the current row (it is never
  changed or deleted).

Services never commit: the request owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import Role, User
from ltc.care.contacts.models import NamedContact
from ltc.care.db import now
from ltc.care.people.models import Person

#: who may be a named contact: a GP (practice clinician) or a practice nurse
NAMEABLE = (Role.PRACTICE_CLINICIAN, Role.PRACTICE_NURSE)
#: why a named contact ended
REPLACED = "another clinician was named"
UNDONE = "the allocation that named them was undone"


class ContactError(ValueError):
    """A named contact that cannot be set, saying what is expected instead."""


#: the person's named contact, while active and of the person's practice (built once:
#: prompts ask it whenever a reading is out of range)
_NAMED = (select(User)
          .join(NamedContact, NamedContact.user_id == User.id)
          .join(Person, Person.nhs_number == NamedContact.nhs_number)
          .where(NamedContact.nhs_number == bindparam("nhs"), NamedContact.ended_at.is_(None),
                 User.active.is_(True), User.role.in_([r.value for r in NAMEABLE]),
                 User.practice_code == Person.practice_code)
          .order_by(NamedContact.id.desc()).limit(1))


def named_contact(session: Session, nhs_number: str) -> User | None:
    """The clinician prompts about the person go to: their named contact while that
    clinician's account is active and they work at the person's practice; else None."""
    return session.scalar(_NAMED, {"nhs": nhs_number})


def current(session: Session, nhs_number: str) -> NamedContact | None:
    """The person's open named-contact row (whoever it names), if any."""
    return session.scalar(select(NamedContact).where(
        NamedContact.nhs_number == nhs_number, NamedContact.ended_at.is_(None))
        .order_by(NamedContact.id.desc()).limit(1))


def clinicians(session: Session, practice_code: str | None) -> list[User]:
    """The active GPs and practice nurses of a practice, by name: whom its people's named
    contacts are chosen from."""
    if not practice_code:
        return []
    return list(session.scalars(select(User).where(
        User.practice_code == practice_code, User.active.is_(True),
        User.role.in_([r.value for r in NAMEABLE]))
        .order_by(User.display_name, User.id)).all())


def list_sizes(session: Session, practice_code: str) -> dict[int, int]:
    """How many people of the practice each clinician is the named contact of."""
    rows = session.execute(
        select(NamedContact.user_id, func.count())
        .join(Person, Person.nhs_number == NamedContact.nhs_number)
        .where(NamedContact.ended_at.is_(None), Person.practice_code == practice_code)
        .group_by(NamedContact.user_id)).all()
    return {int(user_id): int(n) for user_id, n in rows}


@dataclass(frozen=True)
class Named:
    """What setting a named contact did: the new row and whom it replaced (if anyone)."""

    row: NamedContact
    replaced: User | None


def set_contact(session: Session, nhs_number: str, user_id: int, by: User,
                today: date | None = None) -> Named:
    """Name ``user_id`` the person's named contact from ``today``, ending the current one."""
    today = today or date.today()
    person = session.get(Person, nhs_number)
    if person is None:
        raise ContactError("There is no such person.")
    if not person.practice_code:
        raise ContactError("This person has no practice: a named contact is a clinician of "
                           "the person's practice.")
    chosen = session.get(User, user_id)
    if chosen is None or chosen.id not in {u.id for u in clinicians(session,
                                                                     person.practice_code)}:
        raise ContactError(f"Named contact (user_id): choose a GP or practice nurse of "
                           f"practice {person.practice_code} whose account is active.")
    open_row = current(session, nhs_number)
    replaced = None
    if open_row is not None:
        if open_row.user_id == chosen.id:
            raise ContactError(f"{chosen.display_name} is already this person's named "
                               "contact.")
        replaced = session.get(User, open_row.user_id)
        open_row.ended_at, open_row.end_reason = now(), REPLACED
    row = NamedContact(nhs_number=nhs_number, user_id=chosen.id, since=today,
                       assigned_by=by.id)
    session.add(row)
    session.flush()
    return Named(row, replaced)


def history(session: Session, nhs_number: str) -> list[tuple[NamedContact, User]]:
    """Every named contact the person has had, newest first, with the clinician."""
    return [(row, user) for row, user in session.execute(
        select(NamedContact, User).join(User, User.id == NamedContact.user_id)
        .where(NamedContact.nhs_number == nhs_number)
        .order_by(NamedContact.id.desc())).all()]


#: how a named contact's role reads to the person
ROLE_WORDS = {Role.PRACTICE_CLINICIAN.value: "GP", Role.PRACTICE_NURSE.value: "practice nurse"}


def contact_words(session: Session, nhs_number: str) -> str:
    """The person's named contact as the person's copy of their plan names them ("Nia
    Nurse, practice nurse"), or "" when they have none."""
    user = named_contact(session, nhs_number)
    if user is None:
        return ""
    return f"{user.display_name}, {ROLE_WORDS.get(user.role, user.role)}"
