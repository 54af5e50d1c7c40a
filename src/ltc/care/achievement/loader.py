"""Loading a run's practice achievement into the care store (DM-6): the run folder's
``achievement.parquet`` (figures per indicator for each practice, locality and the
community) and ``indicators.parquet`` (each person's outcome per indicator, of which the
people not meeting an indicator and those excepted are kept): the hand-over format in
README.md.

It runs inside the people loader's transaction (:func:`ltc.care.people.services.load_run`
calls :func:`load`), so a run loads with its achievement or not at all; a run without
these files (an older run) loads as before, with no figures. The rows of earlier runs are
removed. A file that cannot be used refuses the whole run, naming the file, the row, the
column and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from ltc.care.achievement.models import KEPT, OUTCOMES, AchievementFigure, AchievementPerson
from ltc.care.bulk import (
    check_nhs_numbers,
    insert_table,
    read,
    refuse_negative,
    refuse_outside,
    refuse_where,
    with_run,
)
from ltc.care.people.run_files import KeptRun

FIGURES = "achievement.parquet"
PEOPLE = "indicators.parquet"
#: the columns read, and their types (``ltc.pipeline.achievement.ACHIEVEMENT_SCHEMA``)
FIGURE_COLUMNS = {"practice_code": pa.string(), "locality_code": pa.string(),
                  "indicator": pa.string(), "numerator": pa.int64(),
                  "denominator": pa.int64(), "exceptions": pa.int64(),
                  "achievement": pa.float64()}
#: (``ltc.pipeline.achievement.PEOPLE_SCHEMA``; ``locality_code`` is not needed here)
PEOPLE_COLUMNS = {"nhs_number": pa.string(), "practice_code": pa.string(),
                  "indicator": pa.string(), "outcome": pa.string(), "reason": pa.string()}
#: the tables a load fills in bulk (vacuumed after it on PostgreSQL)
TABLES = (AchievementFigure, AchievementPerson)


def _no_indicator(path: Path, table: pa.Table) -> None:
    column = table["indicator"]
    refuse_where(path, table, pc.or_kleene(pc.is_null(column),
                                           pc.equal(pc.utf8_length(column), 0)),
                 "indicator", "an indicator id such as DM006")


def read_figures(run: KeptRun) -> pa.Table | None:
    """The run's figures, checked (None: the run kept none)."""
    path = run.folder / FIGURES
    table = read(path, FIGURE_COLUMNS)
    if table is None:
        return None
    _no_indicator(path, table)
    refuse_negative(path, table, ("numerator", "denominator", "exceptions"))
    refuse_outside(path, table, "achievement", 100.0, "a percentage from 0 to 100, or empty")
    return table


def read_people(run: KeptRun) -> pa.Table | None:
    """The run's people not meeting an indicator or excepted from it, checked (None: the
    run kept none)."""
    path = run.folder / PEOPLE
    table = read(path, PEOPLE_COLUMNS)
    if table is None:
        return None
    check_nhs_numbers(path, table)
    _no_indicator(path, table)
    refuse_where(path, table, pc.invert(pc.fill_null(
        pc.is_in(table["outcome"], pa.array(OUTCOMES)), False)),
        "outcome", "one of " + ", ".join(OUTCOMES))
    kept = table.filter(pc.is_in(table["outcome"], pa.array(KEPT)))
    reason = pc.if_else(pc.equal(kept["outcome"], "excepted"), kept["reason"],
                        pa.scalar(None, pa.string()))
    return kept.set_column(kept.column_names.index("reason"), "reason", reason)


def load(session: Session, run: KeptRun) -> int:
    """Load ``run``'s achievement (its run id already in ``strat_run``); the number of
    figures loaded (0 when the run kept none)."""
    figures, people = read_figures(run), read_people(run)
    session.execute(delete(AchievementPerson).where(AchievementPerson.run_id != run.id))
    session.execute(delete(AchievementFigure).where(AchievementFigure.run_id != run.id))
    if figures is not None:
        insert_table(session, AchievementFigure, with_run(figures, run.id))
    if people is not None:
        insert_table(session, AchievementPerson, with_run(people.select(
            ["nhs_number", "indicator", "practice_code", "outcome", "reason"]), run.id))
    if session.get_bind().dialect.name == "postgresql":
        for model in TABLES:
            session.execute(text(f"ANALYZE {model.__tablename__}"))
    return 0 if figures is None else int(figures.num_rows)
