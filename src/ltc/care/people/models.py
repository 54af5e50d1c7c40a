"""People and the results of the stratification runs loaded for them (STRAT-5, CM-2)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


def display_name(given: str | None, family: str | None) -> str | None:
    """``FAMILY, Given`` (the NHS.UK banner's form); whichever part is known; else None."""
    parts = [p.strip() for p in (family.upper() if family else "", given or "") if p
             and p.strip()]
    return ", ".join(parts) if parts else None


class Person(Base):
    """A person in the population, as of the latest run loaded."""

    __tablename__ = "person"

    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    date_of_birth: Mapped[date | None]
    sex: Mapped[str | None] = mapped_column(String(1))
    practice_code: Mapped[str | None] = mapped_column(String(16), index=True)
    locality_code: Mapped[str | None] = mapped_column(String(16), index=True)
    postcode_district: Mapped[str | None] = mapped_column(String(8))
    date_of_death: Mapped[date | None]
    # who the person is, for the patient banner: never logged, never in analyst outputs
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(16))

    @property
    def name(self) -> str | None:
        """The name as the NHS.UK patient banner writes it: FAMILY, Given."""
        return display_name(self.given_name, self.family_name)


class StratRun(Base):
    """A stratification run loaded into the care store."""

    __tablename__ = "strat_run"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # e.g. run-0003
    as_of: Mapped[date]
    loaded_at: Mapped[datetime] = mapped_column(default=now)
    people: Mapped[int]
    model_version: Mapped[str | None] = mapped_column(String(200))
    current: Mapped[bool] = mapped_column(default=False)


class PersonResult(Base):
    """One person's result in one run: level, why, risk and scores."""

    __tablename__ = "person_result"
    # the worklist walks a locality's (or a practice's) level-3 people of the current run
    # highest risk first, reading only the rows a page needs
    __table_args__ = (
        Index("ix_person_result_run_level_locality", "run_id", "level", "locality_code",
              text("coalesce(risk, -1) DESC"), "nhs_number"),
        Index("ix_person_result_run_level_practice", "run_id", "level", "practice_code",
              text("coalesce(risk, -1) DESC"), "nhs_number"),
    )

    run_id: Mapped[str] = mapped_column(ForeignKey("strat_run.id"), primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    level: Mapped[int]
    #: where the person lived and was registered in this run (as on ``Person``)
    locality_code: Mapped[str | None] = mapped_column(String(16))
    practice_code: Mapped[str | None] = mapped_column(String(16))
    level_basis: Mapped[str] = mapped_column(String(200))
    reasons: Mapped[str] = mapped_column(Text, default="")
    risk: Mapped[float | None]
    risk_percentile: Mapped[float | None]
    age: Mapped[int | None]
    ltc_count: Mapped[int | None]
    emergency_12m: Mapped[int | None]
    charlson: Mapped[int | None]
    efi: Mapped[float | None]
    efi_category: Mapped[str | None] = mapped_column(String(16))
    hfrs: Mapped[float | None]
    cms: Mapped[float | None]
    registers: Mapped[str] = mapped_column(Text, default="")  # comma-separated register ids
    known_to_community_nursing: Mapped[bool] = mapped_column(default=False)
    known_to_social_care: Mapped[bool] = mapped_column(default=False)


class PersonActivity(Base):
    """A person's latest encounters, recent medicines and social care (packages, latest
    assessment, review and contact), read from the record store when the run was loaded
    (``ltc.care.people.activity``), as compact JSON."""

    __tablename__ = "person_activity"

    run_id: Mapped[str] = mapped_column(ForeignKey("strat_run.id"), primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    encounters: Mapped[str | None] = mapped_column(Text)
    medicines: Mapped[str | None] = mapped_column(Text)
    social_care: Mapped[str | None] = mapped_column(Text)
