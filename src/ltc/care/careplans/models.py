"""Care plans: one per person, every version kept (CM-5); the columns every versioned
document shares are :class:`ltc.care.documents.DocumentVersion`'s."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base
from ltc.care.documents.models import DocumentVersion


class CarePlanVersion(DocumentVersion, Base):
    """One saved version of a person's care plan; versions are never changed."""

    __tablename__ = "care_plan_version"

    status: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
