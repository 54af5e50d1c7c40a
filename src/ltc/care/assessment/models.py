"""Comprehensive assessments, every version kept (CM-4); the columns every versioned
document shares are :class:`ltc.care.documents.DocumentVersion`'s."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base
from ltc.care.documents.models import DocumentVersion


class Assessment(DocumentVersion, Base):
    __tablename__ = "assessment"

    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # scale id -> item -> value
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)  # scale id -> total, band, flags
    notes: Mapped[dict[str, Any]] = mapped_column(JSON)  # physical, social, ..., wishes
