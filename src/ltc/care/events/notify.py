"""Notifications: one interface for every way of telling a user they have a new alert,
and the outbox-file implementation (email and SMS providers plug in as other notifiers).

A :class:`~ltc.care.events.models.Notification` row is written in the same transaction as
its alert; :func:`deliver` sends the pending ones afterwards and marks them sent, so a
notice is never lost when a provider is down (it is tried again) and never sent for an
alert that was rolled back. A notice names no patient: it says there is a new alert and
links to the inbox.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.db import now
from ltc.care.events.models import Notification

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
    def send(self, notice: Notice) -> None:
        """Deliver ``notice``, or raise to have it tried again later."""


class OutboxFile:
    """Appends each notice as one JSON line to ``folder/notifications-YYYY-MM-DD.jsonl``
    (written through to disk before the notice counts as sent)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, notice: Notice) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        record = asdict(notice) | {"at": notice.at.isoformat()}
        path = self.folder / f"notifications-{notice.at:%Y-%m-%d}.jsonl"
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, sort_keys=True) + "\n")
            out.flush()
            os.fsync(out.fileno())


def outbox_folder(data_dir: Path) -> Path:
    return data_dir / "outbox"


def deliver(session: Session, notifier: Notifier, limit: int = 500) -> int:
    """Send up to ``limit`` pending notifications (in the caller's transaction); a notice
    the notifier fails on is tried again next time, up to :data:`MAX_ATTEMPTS` times."""
    rows = session.execute(
        select(Notification, User).join(User, User.id == Notification.user_id)
        .where(Notification.sent_at.is_(None), Notification.attempts < MAX_ATTEMPTS)
        .order_by(Notification.id).limit(limit)).all()
    sent = 0
    for note, user in rows:
        note.attempts += 1
        try:
            notifier.send(Notice(id=note.id, username=user.username,
                                 display_name=user.display_name,
                                 subject="You have a new alert in LTC",
                                 link=f"/inbox#alert-{note.alert_id}", at=now()))
        except Exception:  # any provider failure: try again later
            continue
        note.sent_at = now()
        sent += 1
    session.flush()
    return sent
