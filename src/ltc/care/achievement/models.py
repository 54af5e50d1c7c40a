"""Practice achievement in the care store (DM-6): a run's figures per indicator for each
practice, each locality and the community, as its ``achievement.parquet`` gives them; and
the people of each practice behind a gap (``not_met``) or excepted from an indicator
(with the reason), from its ``indicators.parquet``. The people who met an indicator are
only counted (in the figures): keeping them would make the store many times larger for
nothing a page shows."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base

#: the outcomes kept per person, as ``indicators.parquet`` names them
KEPT = ("not_met", "excepted")
#: every outcome ``indicators.parquet`` may give
OUTCOMES = ("met", *KEPT)


class AchievementFigure(Base):
    """One indicator's figures in one run for a practice (``practice_code`` set), a
    locality (``practice_code`` empty) or the whole community (both empty)."""

    __tablename__ = "achievement_figure"
    __table_args__ = (
        Index("ix_achievement_figure_area", "run_id", "practice_code", "locality_code",
              "indicator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("strat_run.id"))
    practice_code: Mapped[str | None] = mapped_column(String(16))
    locality_code: Mapped[str | None] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(String(32))
    numerator: Mapped[int]
    denominator: Mapped[int]
    exceptions: Mapped[int]
    #: 100 x numerator / denominator; None for a register indicator or no denominator
    achievement: Mapped[float | None]


class AchievementPerson(Base):
    """A person of a practice not meeting an indicator, or excepted from it, in one run."""

    __tablename__ = "achievement_person"
    __table_args__ = (
        # one indicator's people of a practice, by outcome
        Index("ix_achievement_person_practice", "run_id", "practice_code", "indicator",
              "outcome", "nhs_number"),
    )

    run_id: Mapped[str] = mapped_column(ForeignKey("strat_run.id"), primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(32), primary_key=True)
    practice_code: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))  # one of KEPT
    #: why excepted: the personalised care adjustment's short name (e.g. DMPCAPU)
    reason: Mapped[str | None] = mapped_column(String(32))
