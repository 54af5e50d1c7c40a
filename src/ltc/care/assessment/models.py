"""Comprehensive assessments, every version kept (CM-4), and the co-designed assessment's
responses (VW-2); the columns every versioned
document shares are :class:`ltc.care.documents.DocumentVersion`'s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now
from ltc.care.documents.models import DocumentVersion


class Assessment(DocumentVersion, Base):
    __tablename__ = "assessment"

    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # scale id -> item -> value
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)  # scale id -> total, band, flags
    notes: Mapped[dict[str, Any]] = mapped_column(JSON)  # physical, social, ..., wishes


class CodesignedResponse(Base):
    """A person's answers to the co-designed assessment (VW-2), kept with the version of
    the questionnaire they answered (``ltc.care.assessment.questionnaire``)."""

    __tablename__ = "codesigned_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    questionnaire_version: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # question id -> answer
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
