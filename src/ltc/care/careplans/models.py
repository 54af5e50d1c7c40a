"""Care plans: one per person, every version kept (CM-5); the columns every versioned
document shares are :class:`ltc.care.documents.DocumentVersion`'s. A person's carers and
family (:class:`Carer`) are records of their own, shown in the plan's contingency
section."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now
from ltc.care.documents.models import DocumentVersion


class CarePlanVersion(DocumentVersion, Base):
    """One saved version of a person's care plan; versions are never changed."""

    __tablename__ = "care_plan_version"

    status: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class Carer(Base):
    """A carer or family member linked to the person (identifiable: shown in the banner
    area, the plan's contingency section and its copies; never logged). Ended, never
    deleted: ``ended_on`` set means no longer this person's carer."""

    __tablename__ = "carer"

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship: Mapped[str] = mapped_column(String(100))  # to the person, e.g. daughter
    telephone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    consents_to_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    main_carer: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the carer's assessment (Care Act 2014 s.10): offered on, done on, or declined
    assessment_offered_on: Mapped[date | None]
    assessment_done_on: Mapped[date | None]
    assessment_declined: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_on: Mapped[date | None]
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
