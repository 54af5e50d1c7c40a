"""Comprehensive assessments, every version kept (CM-4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class Assessment(Base):
    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("nhs_number", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    version: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # scale id -> item -> value
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)  # scale id -> total, band, flags
    notes: Mapped[dict[str, Any]] = mapped_column(JSON)  # physical, social, ..., wishes
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
