"""Medicines and adherence in the care store (SC-3): one row per person with a long-term
medicine in a run, as the run's ``medicines.parquet`` gives it, with an index for each of
the practice's three lists (each list is read from its index, in its order, a page at a
time)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base

#: the practice's medicines lists, in the order of their tabs: id -> title
LISTS = {"review": "Medication review due", "adherence": "Low adherence",
         "polypharmacy": "Polypharmacy"}
#: how the names of the medicines taken on fewer than 80% of days are kept in one column
SEPARATOR = "\n"


class MedicinesPerson(Base):
    """A person's medicines in one run: how many long-term medicines, the lowest
    proportion of days covered (PDC) of any of them, the medicines below 80%, whether a
    medication review is due, and how many medicines were issued in 12 months."""

    __tablename__ = "medicines_person"
    __table_args__ = (
        # each list: the practice's people on it in the list's order
        Index("ix_medicines_review", "run_id", "practice_code", "review_due",
              "long_term_medicines", "nhs_number"),
        Index("ix_medicines_adherence", "run_id", "practice_code", "low_adherence",
              "lowest_pdc", "nhs_number"),
        Index("ix_medicines_polypharmacy", "run_id", "practice_code", "polypharmacy",
              "medicines", "nhs_number"),
    )

    run_id: Mapped[str] = mapped_column(ForeignKey("strat_run.id"), primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    practice_code: Mapped[str | None] = mapped_column(String(16))
    long_term_medicines: Mapped[int] = mapped_column(default=0)
    #: the lowest PDC (0 to 1) of the person's long-term medicines; None: none measured
    lowest_pdc: Mapped[float | None]
    #: the medicines taken on fewer than 80% of days, separated by :data:`SEPARATOR`
    non_adherent: Mapped[str] = mapped_column(Text, default="")
    low_adherence: Mapped[bool] = mapped_column(default=False)  # non_adherent not empty
    review_due: Mapped[bool] = mapped_column(default=False)
    last_review_on: Mapped[date | None]
    medicines: Mapped[int] = mapped_column(default=0)  # issued in the last 12 months
    polypharmacy: Mapped[bool] = mapped_column(default=False)  # 10 or more

    @property
    def non_adherent_names(self) -> list[str]:
        return [n for n in self.non_adherent.split(SEPARATOR) if n]
