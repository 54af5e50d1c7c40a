"""Care plans: one per person, every version kept (CM-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class CarePlanVersion(Base):
    """One saved version of a person's care plan; versions are never changed."""

    __tablename__ = "care_plan_version"
    __table_args__ = (UniqueConstraint("nhs_number", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
