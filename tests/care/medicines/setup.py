"""Medicines rows and achievement figures for the seeded community's people (SC-3, DM-6),
as a run's ``medicines.parquet``, ``indicators.parquet`` and ``achievement.parquet``
would give them: IN_AREA and LOW of practice P1 (locality L1), OTHER_AREA of P2 (L2)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from ltc.care.achievement.models import AchievementFigure, AchievementPerson
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.medicines.models import MedicinesPerson
from ltc.care.people.models import Person

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA

RUN = "run-0001"
NAMES = {IN_AREA: ("Edna", "Clarke"), LOW: ("Lucy", "Ward"), IN_AREA_2: ("Ian", "Shaw"),
         OTHER_AREA: ("Olu", "Bello")}


def add_medicines(url: str) -> None:
    """IN_AREA: review due, low adherence, polypharmacy; LOW: review due only (fewer
    long-term medicines); IN_AREA_2: low adherence only; OTHER_AREA (P2): all three."""
    rows = [(IN_AREA, "P1", 7, 0.63, "Metformin 500mg tablets\nRamipril 5mg capsules", True,
             12), (LOW, "P1", 4, 0.92, "", True, 5),
            (IN_AREA_2, "P1", 2, 0.41, "Atorvastatin 20mg tablets", False, 3),
            (OTHER_AREA, "P2", 9, 0.2, "Warfarin 1mg tablets", True, 15)]
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            for nhs, practice, long_term, pdc, names, due, medicines in rows:
                s.add(MedicinesPerson(
                    run_id=RUN, nhs_number=nhs, practice_code=practice,
                    long_term_medicines=long_term, lowest_pdc=pdc, non_adherent=names,
                    low_adherence=bool(names), review_due=due,
                    last_review_on=date(2023, 6, 1), medicines=medicines,
                    polypharmacy=medicines >= 10))
            _names(s)
    finally:
        engine.dispose()


def _names(s: object) -> None:
    for nhs, (given, family) in NAMES.items():
        s.execute(update(Person).where(Person.nhs_number == nhs).values(  # type: ignore[attr-defined]
            given_name=given, family_name=family))


#: (practice, locality, indicator, numerator, denominator, exceptions, achievement)
FIGURES = [("P1", "L1", "DM006", 40, 50, 3, 80.0), ("P1", "L1", "DM017", 120, 120, 0, None),
           ("P2", "L2", "DM006", 2, 3, 0, 200 / 3),
           (None, "L1", "DM006", 90, 120, 5, 75.0), (None, "L1", "DM017", 300, 300, 0, None),
           (None, "L2", "DM006", 2, 3, 0, 200 / 3),
           (None, None, "DM006", 92, 123, 5, 9200 / 123),
           (None, None, "DM017", 303, 303, 0, None)]


def add_achievement(url: str) -> None:
    """The figures above; behind DM006's gap at P1 IN_AREA and LOW (not met) and IN_AREA_2
    (excepted, DMPCAPU); at P2 OTHER_AREA (not met)."""
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            for practice, locality, indicator, top, bottom, excepted, share in FIGURES:
                s.add(AchievementFigure(run_id=RUN, practice_code=practice,
                                        locality_code=locality, indicator=indicator,
                                        numerator=top, denominator=bottom,
                                        exceptions=excepted, achievement=share))
            for nhs, practice, result, reason in (
                    (IN_AREA, "P1", "not_met", None), (LOW, "P1", "not_met", None),
                    (IN_AREA_2, "P1", "excepted", "DMPCAPU"),
                    (OTHER_AREA, "P2", "not_met", None)):
                s.add(AchievementPerson(run_id=RUN, nhs_number=nhs, indicator="DM006",
                                        practice_code=practice, outcome=result,
                                        reason=reason))
            _names(s)
    finally:
        engine.dispose()
