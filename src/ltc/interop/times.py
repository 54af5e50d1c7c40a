"""Times read from a message as the care store keeps them: UTC without a zone (CM-8, DM-5).

The same conversion as :func:`ltc.care.db.to_store`, kept here so that the edge does not
import the care plane."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def to_store(at: datetime) -> datetime:
    """A time as the store keeps it (UTC, no zone): converted from its offset, or, without
    one, read as UK time (GMT or BST, as it was on that day)."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=UK)).astimezone(UTC).replace(
        tzinfo=None)
