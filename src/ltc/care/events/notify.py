"""Notifications (CM-8, DM-5): one interface for every way of telling a user they have a
new alert, and the outbox-file implementation (email and SMS providers plug in as other
notifiers).

A :class:`~ltc.care.events.models.Notification` row is written in the same transaction as
its alert; :func:`deliver` sends the pending ones afterwards, in batches, and marks them
sent, so a notice is never lost when a provider is down (it is tried again) and never
sent for an alert that was rolled back. Should the store fail after a provider took a
batch, the batch is sent again: each notice carries its id, so a provider can drop one it
has already sent. A notice names no patient: it says there is a new alert and links to
the inbox.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.db import now
from ltc.care.events.models import Alert, Notification

MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Notice:
    id: int  # the notification's id: a provider can drop a notice it has already sent
    username: str
    display_name: str
    subject: str
    link: str  # where in LTC to look (the inbox)
    at: datetime


class Notifier(Protocol):
    def send(self, notices: Sequence[Notice]) -> None:
        """Deliver every one of ``notices``, or raise to have them tried again later."""


class OutboxFile:
    """Appends each notice as one JSON line to ``folder/notifications-YYYY-MM-DD.jsonl``
    (written through to disk, once per batch, before the notices count as sent)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, notices: Sequence[Notice]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        by_day: dict[str, list[str]] = {}
        for notice in notices:
            record = asdict(notice) | {"at": notice.at.isoformat()}
            by_day.setdefault(f"{notice.at:%Y-%m-%d}", []).append(
                json.dumps(record, sort_keys=True) + "\n")
        for day, lines in by_day.items():
            with (self.folder / f"notifications-{day}.jsonl").open("a",
                                                                  encoding="utf-8") as out:
                out.writelines(lines)
                out.flush()
                os.fsync(out.fileno())


def outbox_folder(data_dir: Path) -> Path:
    return data_dir / "outbox"


def deliver(session: Session, notifier: Notifier, limit: int = 500) -> int:
    """Send up to ``limit`` pending notifications as one batch (in the caller's
    transaction); returns how many were sent. When the notifier refuses the batch, each
    notice is sent on its own, so one it cannot take holds up no other; a notice that
    fails is tried again next time, up to :data:`MAX_ATTEMPTS` times. A notice of an
    alert withdrawn since (the hospital cancelled the event) is not sent."""
    rows = session.execute(
        select(Notification, User).join(User, User.id == Notification.user_id)
        .join(Alert, Alert.id == Notification.alert_id)
        .where(Notification.sent_at.is_(None), Notification.attempts < MAX_ATTEMPTS,
               Alert.cancelled_at.is_(None))
        .order_by(Notification.id).limit(limit)).all()
    if not rows:
        return 0
    stamp = now()
    pending = [(note, Notice(id=note.id, username=user.username,
                             display_name=user.display_name,
                             subject="You have a new alert in LTC",
                             link=f"/inbox#alert-{note.alert_id}", at=stamp))
               for note, user in rows]
    for note, _ in pending:
        note.attempts += 1
    try:
        notifier.send([notice for _, notice in pending])
        sent = [note for note, _ in pending]
    except Exception:  # any provider failure: each on its own
        sent = []
        for note, notice in pending if len(pending) > 1 else ():
            try:
                notifier.send([notice])
            except Exception:
                continue
            sent.append(note)
    for note in sent:
        note.sent_at = stamp
    session.flush()
    return len(sent)
