"""Named contacts allocated in bulk across a practice, with a preview and an undo (DM-3).

* **Who**: the practice's people on a disease register in the current run (the run's
  people table names each person's registers), alive, with no named contact.
* **Among whom**: the GPs and practice nurses the allocator chooses. Asked to, a condition
  (a register) goes to one of them: a person on that register is given to that clinician
  (when a person is on several registers given to different clinicians, the register
  listed first in ``ltc.records.registers.REGISTERS`` decides).
* **How**: everyone else is spread so the chosen clinicians' lists end up as even as
  possible: each person, highest risk first, goes to the chosen clinician with the fewest
  people (named before or in this allocation), the first chosen winning a tie. High-risk
  people are thus spread evenly too.
* **Preview**: :func:`plan` says who would go to whom, changing nothing; the plan's
  fingerprint goes with the form, and :func:`allocate` refuses when the plan has changed
  since (someone named a contact meanwhile), so what is saved is what was shown.
* **Undo**: the practice's last allocation not undone can be undone: the named contacts
  it made that are still current are ended; people named since by hand keep theirs.

Services never commit: the request owns the transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, func, insert, literal_column, select, update
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.contacts.models import ContactAllocation, NamedContact
from ltc.care.contacts.services import UNDONE, ContactError, clinicians, list_sizes
from ltc.care.db import now
from ltc.care.people.models import Person, PersonResult, display_name
from ltc.care.people.services import current_run
from ltc.records.registers import REGISTERS

#: the registers in the order that decides between conditions given to different people
ORDER = {register: i for i, register in enumerate(REGISTERS)}


def condition_name(register: str) -> str:
    found = REGISTERS.get(register)
    return found.name if found is not None else register


@dataclass(frozen=True)
class Unnamed:
    """A person on a register at the practice with no named contact."""

    nhs_number: str
    name: str | None
    registers: tuple[str, ...]  # in ORDER
    risk: float | None


def unnamed(session: Session, practice_code: str) -> list[Unnamed]:
    """The practice's people on a register in the current run, alive and without a named
    contact, highest risk first."""
    run = current_run(session)
    if run is None:
        return []
    rows = session.execute(
        select(Person.nhs_number, Person.given_name, Person.family_name,
               PersonResult.registers, PersonResult.risk)
        .join(PersonResult, and_(PersonResult.nhs_number == Person.nhs_number,
                                 PersonResult.run_id == run.id))
        .where(Person.practice_code == practice_code, Person.date_of_death.is_(None),
               PersonResult.registers != "",
               ~exists().where(NamedContact.nhs_number == Person.nhs_number,
                               NamedContact.ended_at.is_(None)))
        .order_by(func.coalesce(PersonResult.risk, literal_column("-1")).desc(),
                  Person.nhs_number)).all()
    return [Unnamed(nhs, display_name(given, family),
                    tuple(sorted((r for r in registers.split(",") if r),
                                 key=lambda r: (ORDER.get(r, len(ORDER)), r))), risk)
            for nhs, given, family, registers, risk in rows]


@dataclass(frozen=True)
class Planned:
    """One person and the clinician the plan gives them to, and why."""

    person: Unnamed
    user_id: int
    why: str


@dataclass(frozen=True)
class Plan:
    """Who would go to whom; nothing is changed until :func:`allocate`."""

    practice_code: str
    chosen: list[User]
    by_condition: dict[str, int]
    assignments: list[Planned]
    before: dict[int, int]  # each chosen clinician's list before
    added: dict[int, int] = field(default_factory=dict)  # and what the plan adds

    @property
    def fingerprint(self) -> str:
        """What the plan does, in 16 hex digits: the same plan, the same fingerprint."""
        text = "|".join(f"{p.person.nhs_number}:{p.user_id}" for p in sorted(
            self.assignments, key=lambda p: p.person.nhs_number))
        return hashlib.sha256(f"{self.practice_code}|{text}".encode()).hexdigest()[:16]

    def by_clinician_and_condition(self) -> dict[tuple[int, str], int]:
        """How many people on each register each clinician is given (a person on two
        registers counts under both)."""
        out: dict[tuple[int, str], int] = {}
        for p in self.assignments:
            for register in p.person.registers:
                out[p.user_id, register] = out.get((p.user_id, register), 0) + 1
        return out


def _choose(session: Session, practice_code: str, clinician_ids: Sequence[int],
            by_condition: Mapping[str, int]) -> tuple[list[User], dict[str, int]]:
    offered = {u.id: u for u in clinicians(session, practice_code)}
    ids = list(dict.fromkeys(clinician_ids))
    if not ids:
        raise ContactError("Clinicians (clinician): choose at least one GP or practice "
                           "nurse to be named contacts.")
    for user_id in ids:
        if user_id not in offered:
            raise ContactError(f"Clinicians (clinician): user {user_id} is not an active GP "
                               f"or practice nurse of practice {practice_code}.")
    conditions: dict[str, int] = {}
    for register, user_id in by_condition.items():
        if register not in REGISTERS:
            raise ContactError(f"By condition: {register!r} is not a register. Choose from "
                               f"{', '.join(REGISTERS)}.")
        if user_id not in ids:
            raise ContactError(f"By condition ({condition_name(register)}): give the "
                               "condition to one of the clinicians chosen above.")
        conditions[register] = user_id
    return [offered[i] for i in ids], conditions


def plan(session: Session, practice_code: str, clinician_ids: Sequence[int],
         by_condition: Mapping[str, int] | None = None) -> Plan:
    """Who of the practice's people on a register without a named contact would go to
    whom among the chosen clinicians (see the module doc)."""
    chosen, conditions = _choose(session, practice_code, clinician_ids, by_condition or {})
    sizes = list_sizes(session, practice_code)
    before = {u.id: sizes.get(u.id, 0) for u in chosen}
    load = dict(before)
    names = {u.id: u.display_name for u in chosen}
    people = unnamed(session, practice_code)
    given: dict[str, Planned] = {}
    for person in people:  # the conditions given to one clinician first
        register = next((r for r in person.registers if r in conditions), None)
        if register is not None:
            user_id = conditions[register]
            given[person.nhs_number] = Planned(
                person, user_id, f"{condition_name(register)}: given to {names[user_id]}")
            load[user_id] += 1
    position = {u.id: i for i, u in enumerate(chosen)}
    for person in people:  # then everyone else, highest risk first, to the shortest list
        if person.nhs_number in given:
            continue
        user_id = min(load, key=lambda u: (load[u], position[u]))
        given[person.nhs_number] = Planned(person, user_id, "spread evenly")
        load[user_id] += 1
    assignments = [given[p.nhs_number] for p in people]
    return Plan(practice_code, chosen, conditions, assignments, before,
                {u: load[u] - before[u] for u in load})


@dataclass(frozen=True)
class Allocated:
    allocation: ContactAllocation
    nhs_numbers: list[str]


def allocate(session: Session, practice_code: str, by: User, clinician_ids: Sequence[int],
             by_condition: Mapping[str, int] | None, fingerprint: str,
             today: date | None = None) -> Allocated:
    """Save the plan the allocator previewed (``fingerprint``): refused when the plan has
    changed since, or names nobody."""
    today = today or date.today()
    found = plan(session, practice_code, clinician_ids, by_condition)
    if not found.assignments:
        raise ContactError("Everyone on a register at this practice already has a named "
                           "contact: there is nobody to allocate.")
    if found.fingerprint != fingerprint:
        raise ContactError("Who would be named has changed since the preview (someone "
                           "named a contact, or a new run was loaded). Look at the new "
                           "preview before saving.")
    allocation = ContactAllocation(practice_code=practice_code, by=by.id,
                                   clinicians=[u.id for u in found.chosen],
                                   by_condition=found.by_condition,
                                   people=len(found.assignments))
    session.add(allocation)
    session.flush()
    at = now()
    session.execute(insert(NamedContact), [
        {"nhs_number": p.person.nhs_number, "user_id": p.user_id, "since": today,
         "assigned_by": by.id, "allocation_id": allocation.id, "at": at}
        for p in found.assignments])
    return Allocated(allocation, [p.person.nhs_number for p in found.assignments])


def last(session: Session, practice_code: str) -> ContactAllocation | None:
    """The practice's newest allocation not undone: the one that can be undone."""
    return session.scalar(select(ContactAllocation).where(
        ContactAllocation.practice_code == practice_code,
        ContactAllocation.undone_at.is_(None)).order_by(ContactAllocation.id.desc()).limit(1))


def undo(session: Session, practice_code: str, allocation_id: int, by: User) -> list[str]:
    """Undo the practice's last allocation: end the named contacts it made that are still
    current. Returns the NHS numbers of the people it changed."""
    allocation = session.get(ContactAllocation, allocation_id)
    if allocation is None or allocation.practice_code != practice_code:
        raise LookupError("There is no such allocation at your practice.")
    if allocation.undone_at is not None:
        raise ContactError("This allocation has already been undone.")
    newest = last(session, practice_code)
    if newest is None or newest.id != allocation.id:
        raise ContactError("Only the last allocation can be undone: undo the later ones "
                           "first.")
    still = list(session.scalars(select(NamedContact.nhs_number).where(
        NamedContact.allocation_id == allocation.id, NamedContact.ended_at.is_(None))))
    at = now()
    session.execute(update(NamedContact).where(
        NamedContact.allocation_id == allocation.id, NamedContact.ended_at.is_(None))
        .values(ended_at=at, end_reason=UNDONE))
    allocation.undone_at, allocation.undone_by = at, by.id
    session.flush()
    return still
