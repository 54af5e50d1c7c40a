"""Inviting people to their review (DM-2): one invitation per person naming every item
they are due in the current run, sent as a letter (to their address) and, when their
telephone number is a mobile, a text message, both through the outbox
(:mod:`ltc.care.recall.outbox`), in the same transaction; each recorded with its date,
its channels and the items it named.

A person invited less than :data:`MIN_DAYS_APART` days ago is not invited again (QOF v46
counts invitations made at least 7 days apart, e.g. DMINVITE2_DAT); nor is a person with
nothing due, or with neither an address nor a mobile number. Inviting several people
says who was skipped and why. Reads are batched: inviting a page of people costs the
same statements whatever its size. Services never commit: the request owns the
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.casemgmt import changes
from ltc.care.people.models import Person, StratRun
from ltc.care.recall import letters
from ltc.care.recall.models import (
    DUE,
    Invitation,
    InvitationMessage,
    Practice,
    RecallContact,
    RecallItem,
)
from ltc.protocols import Protocol

#: QOF v46 counts a second invitation only when made at least 7 days after the first
#: (e.g. DMINVITE2_DAT in the diabetes business rules)
MIN_DAYS_APART = 7
CHANNELS = {"letter": "Letter", "sms": "Text message"}


@dataclass
class Invited:
    invitations: list[Invitation] = field(default_factory=list)
    #: the people not invited, each with the reason in words
    skipped: dict[str, str] = field(default_factory=dict)


def due_items(items: Sequence[RecallItem], protocols: Mapping[str, Protocol]
              ) -> list[letters.Due]:
    """The items of ``items`` that are due, earliest due first, with their labels."""
    out = []
    for i in items:
        if i.status not in DUE:
            continue
        protocol = protocols.get(i.condition)
        label = next((x.label for x in protocol.items if x.id == i.item), None) \
            if protocol else None
        out.append(letters.Due(i.condition, i.item,
                               protocol.label if protocol else i.condition.replace("_", " "),
                               label or i.item.replace("_", " ").capitalize(), i.status,
                               i.due_on))
    return sorted(out, key=lambda d: (d.due_on or date.min, d.condition_label, d.label))


def invite(session: Session, by: User, nhs_numbers: Sequence[str],
           protocols: Mapping[str, Protocol], today: date | None = None) -> Invited:
    """Invite each of ``nhs_numbers`` (already checked: the user may see them) to one
    appointment for every item they are due."""
    today = today or date.today()
    wanted = list(dict.fromkeys(nhs_numbers))
    done = Invited()
    run_id = session.scalar(select(StratRun.id).where(StratRun.current.is_(True)))
    if run_id is None or not wanted:
        done.skipped = dict.fromkeys(wanted, "no run with recall statuses is loaded")
        return done
    people = {p.nhs_number: p for p in session.scalars(
        select(Person).where(Person.nhs_number.in_(wanted)))}
    items: dict[str, list[RecallItem]] = {}
    for row in session.scalars(select(RecallItem).where(
            RecallItem.run_id == run_id, RecallItem.nhs_number.in_(wanted),
            RecallItem.status.in_(DUE))):
        items.setdefault(row.nhs_number, []).append(row)
    phones = dict(session.execute(select(RecallContact.nhs_number, RecallContact.telephone)
                                  .where(RecallContact.nhs_number.in_(wanted))).all())
    last = dict(session.execute(select(Invitation.nhs_number, func.max(Invitation.on))
                                .where(Invitation.nhs_number.in_(wanted))
                                .group_by(Invitation.nhs_number)).all())
    names = dict(session.execute(select(Practice.practice_code, Practice.name).where(
        Practice.practice_code.in_({p.practice_code for p in people.values()
                                    if p.practice_code}))).all())
    for nhs in wanted:
        person = people.get(nhs)
        due = due_items(items.get(nhs, []), protocols)
        number = letters.mobile(phones.get(nhs))
        previous = last.get(nhs)
        if person is None:
            done.skipped[nhs] = "no such person"
        elif not due:
            done.skipped[nhs] = "nothing is due"
        elif previous is not None and previous > today - timedelta(days=MIN_DAYS_APART):
            done.skipped[nhs] = (f"invited on {letters.long_date(previous)}: invite again "
                                 f"{MIN_DAYS_APART} days or more after that")
        elif not (person.address or person.postcode) and number is None:
            done.skipped[nhs] = "no address or mobile number is known"
        else:
            code = person.practice_code
            signed = names.get(code) if code else None
            signed = signed or (f"Your GP practice ({code})" if code else "Your GP practice")
            done.invitations.append(_send(session, by, person, due, number, signed, today))
    if done.invitations:
        changes.bump(session)  # the recall lists kept show the invitations
    session.flush()
    return done


def _send(session: Session, by: User, person: Person, due: list[letters.Due],
          number: str | None, practice: str, today: date) -> Invitation:
    channels = [c for c, ok in (("letter", bool(person.address or person.postcode)),
                                ("sms", number is not None)) if ok]
    invitation = Invitation(
        nhs_number=person.nhs_number, practice_code=person.practice_code, on=today,
        channels=",".join(channels), by=by.id,
        items=[{"condition": d.condition, "item": d.item, "label": d.label,
                "condition_label": d.condition_label, "status": d.status,
                "due_on": d.due_on.isoformat() if d.due_on else None} for d in due])
    session.add(invitation)
    session.flush()
    if "letter" in channels:
        session.add(InvitationMessage(invitation_id=invitation.id, channel="letter",
                                      to=letters.addressee(person),
                                      text=letters.letter(person, practice, due, today)))
    if number is not None:
        session.add(InvitationMessage(invitation_id=invitation.id, channel="sms", to=number,
                                      text=letters.text_message(person, practice, len(due))))
    return invitation
