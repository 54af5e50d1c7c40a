"""The columns every versioned document shares (CM-4, CM-5): the person, the version
number (unique per person, which makes optimistic locking hold when two saves race), the
author and when it was saved. A kind of document is a mapped class with this mixin first
and its own content columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ltc.care.db import now


class DocumentVersion:
    """One saved version of a person's document; versions are never changed."""

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("nhs_number", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    version: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
