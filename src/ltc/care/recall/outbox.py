"""Delivering invitations' letters and text messages through the outbox (DM-2), as the
notifications of alerts are delivered (:mod:`ltc.care.events.notify`): each
:class:`~ltc.care.recall.models.InvitationMessage` is written in the invitation's
transaction, and :func:`deliver` sends the pending ones afterwards, in batches, and marks
them sent. A message is never sent for an invitation that was rolled back, and never
lost while a sender is down (it is tried again, up to ``notify.MAX_ATTEMPTS`` times).
Each message carries its id, so a sender can drop one it has already sent.

:class:`OutboxFolder` is the outbox-file sender: one JSON line per message in
``<outbox>/invitations-YYYY-MM-DD.jsonl`` (what was sent, to whom), and each letter's
printable copy as a PDF in ``<outbox>/letters/`` when given a renderer (the web layer's,
``ltc.web.recall.letters.letter_pdf``). Letter and text-message providers plug in as
other senders. Unlike the notices to clinicians, these messages name the person: the
outbox folder is the hand-over to the printing and text-message services, never a log.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ltc.care.casemgmt import changes
from ltc.care.db import now
from ltc.care.events.notify import MAX_ATTEMPTS
from ltc.care.recall.models import Invitation, InvitationMessage


@dataclass(frozen=True)
class Message:
    id: int  # the message's id: a sender can drop a message it has already sent
    invitation_id: int
    channel: str  # letter, sms
    to: str  # name and address, or mobile number
    text: str
    at: datetime


class Sender(Protocol):
    def send(self, messages: Sequence[Message]) -> None:
        """Deliver every one of ``messages``, or raise to have them tried again later."""


def letter_file(folder: Path, message: Message) -> Path:
    return folder / "letters" / f"invitation-{message.invitation_id}-{message.id}.pdf"


def _write(path: Path, data: bytes, mode: str = "wb") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open(mode) as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


class OutboxFile:
    """Appends each message as one JSON line to ``folder/invitations-YYYY-MM-DD.jsonl``
    and, given ``letter_pdf``, writes each letter's PDF to ``folder/letters/`` (written
    through to disk before the messages count as sent)."""

    def __init__(self, folder: Path, letter_pdf: Callable[[Message], bytes] | None = None
                 ) -> None:
        self.folder = folder
        self.letter_pdf = letter_pdf

    def send(self, messages: Sequence[Message]) -> None:
        by_day: dict[str, list[str]] = {}
        for message in messages:
            record = asdict(message) | {"at": message.at.isoformat()}
            if message.channel == "letter" and self.letter_pdf is not None:
                path = letter_file(self.folder, message)
                _write(path, self.letter_pdf(message))
                record["pdf"] = str(path.relative_to(self.folder))
            by_day.setdefault(f"{message.at:%Y-%m-%d}", []).append(
                json.dumps(record, sort_keys=True) + "\n")
        for day, lines in by_day.items():
            _write(self.folder / f"invitations-{day}.jsonl", "".join(lines).encode(), "ab")


def _pending(practice: str | None) -> Select[InvitationMessage]:
    statement = select(InvitationMessage).join(
        Invitation, Invitation.id == InvitationMessage.invitation_id).where(
        InvitationMessage.sent_at.is_(None), InvitationMessage.attempts < MAX_ATTEMPTS)
    if practice is not None:
        statement = statement.where(Invitation.practice_code == practice)
    return statement


def waiting(session: Session, practice: str | None = None) -> int:
    """How many letters and texts wait to be sent (of one practice's invitations)."""
    pending = _pending(practice).subquery()
    return session.scalar(select(func.count()).select_from(pending)) or 0


def deliver(session: Session, sender: Sender, practice: str | None = None,
            limit: int = 500) -> int:
    """Send up to ``limit`` pending messages (of one practice's invitations, when given)
    as one batch, in the caller's transaction; returns how many were sent. When the
    sender refuses the batch, each message is sent on its own, so one it cannot take
    holds up no other."""
    rows = list(session.scalars(_pending(practice).order_by(InvitationMessage.id)
                                .limit(limit)))
    if not rows:
        return 0
    stamp = now()
    pending = [(row, Message(row.id, row.invitation_id, row.channel, row.to, row.text, stamp))
               for row in rows]
    for row, _ in pending:
        row.attempts += 1
    try:
        sender.send([message for _, message in pending])
        sent = [row for row, _ in pending]
    except Exception:  # any sender failure: each on its own
        sent = []
        for row, message in pending if len(pending) > 1 else ():
            try:
                sender.send([message])
            except Exception:
                continue
            sent.append(row)
    for row in sent:
        row.sent_at = stamp
    if sent:
        changes.bump(session)  # the recall lists kept count what waits in the outbox
    session.flush()
    return len(sent)
