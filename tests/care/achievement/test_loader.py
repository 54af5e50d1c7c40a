"""A run's practice achievement reaches the care store with the run (DM-6): every figure
of ``achievement.parquet`` (practices, localities, the community) and, of
``indicators.parquet``, the people not meeting an indicator and those excepted (with the
reason; those who met it are only counted); a run without the files loads as before; a
bad file refuses the whole run, naming the file, the row, the column and what was
expected; loading the run again changes nothing and the next run replaces the rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import func, select

from ltc.care.achievement.models import AchievementFigure, AchievementPerson
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import Person, StratRun
from ltc.care.people.run_files import RunFileError
from ltc.care.people.services import load_run

from ..medicines.folders import PEOPLE_SCHEMA, figure, outcome, write_practice_run

A, B, C = "9434765919", "9000000009", "9000000017"
AS_OF = date(2025, 3, 31)
PEOPLE = [(A, "P1"), (B, "P1"), (C, "P2")]


def _people() -> list[dict[str, Any]]:
    return [outcome(A, "DM006", "not_met"), outcome(B, "DM006", "met"),
            outcome(A, "DM012", "excepted", "DMPCAPU"),
            outcome(B, "DM012", "not_met", "ignored when not excepted"),
            outcome(C, "DM006", "excepted", "PRT_COD", practice="P2", locality="L2")]


def _figures() -> list[dict[str, Any]]:
    return [figure("P1", "L1", "DM006", 1, 2), figure("P1", "L1", "DM012", 0, 1, 1),
            figure("P2", "L2", "DM006", 0, 0, 1), figure(None, "L1", "DM006", 1, 2),
            figure(None, "L2", "DM006", 0, 0, 1), figure(None, None, "DM006", 1, 2, 1),
            figure("P1", "L1", "DM017", 40, 40, register=True)]


def _load(url: str, tmp_path: Path, run_id: str = "run-0001", people: Any = "default",
          figures: Any = "default") -> int:
    run = write_practice_run(tmp_path, run_id, AS_OF, PEOPLE,
                             indicators=_people() if people == "default" else people,
                             achievement=_figures() if figures == "default" else figures)
    with unit_of_work(sessions(make_engine(url))) as s:
        return load_run(s, run).people


def test_the_figures_and_the_gaps_load_with_the_run(care_url: str, tmp_path: Path) -> None:
    assert _load(care_url, tmp_path) == 3
    with sessions(make_engine(care_url))() as s:
        found = {(f.practice_code, f.locality_code, f.indicator): (
            f.numerator, f.denominator, f.exceptions, f.achievement)
            for f in s.scalars(select(AchievementFigure))}
        assert found[("P1", "L1", "DM006")] == (1, 2, 0, 50.0)
        assert found[(None, None, "DM006")] == (1, 2, 1, 50.0)
        assert found[("P1", "L1", "DM017")] == (40, 40, 0, None)
        assert len(found) == 7
        people = {(p.nhs_number, p.indicator): (p.practice_code, p.outcome, p.reason)
                  for p in s.scalars(select(AchievementPerson))}
        assert people == {(A, "DM006"): ("P1", "not_met", None),
                          (A, "DM012"): ("P1", "excepted", "DMPCAPU"),
                          (B, "DM012"): ("P1", "not_met", None),
                          (C, "DM006"): ("P2", "excepted", "PRT_COD")}  # no one met


def test_an_older_run_without_the_files_loads_as_before(care_url: str,
                                                        tmp_path: Path) -> None:
    assert _load(care_url, tmp_path, people=None, figures=None) == 3
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 3
        assert s.scalar(select(func.count()).select_from(AchievementFigure)) == 0
        assert s.scalar(select(func.count()).select_from(AchievementPerson)) == 0


@pytest.mark.parametrize(("people", "figures", "expected"), [
    ({"nhs_number": "943476591X"}, None,
     "indicators.parquet, row 2: nhs_number is '943476591X'; expected an NHS number of 10 "
     "digits"),
    ({"outcome": "unmet"}, None,
     "indicators.parquet, row 2: outcome is 'unmet'; expected one of met, not_met, "
     "excepted"),
    ({"indicator": ""}, None,
     "indicators.parquet, row 2: indicator is ''; expected an indicator id such as DM006"),
    (None, {"denominator": -2},
     "achievement.parquet, row 2: denominator is -2; expected a count of 0 or more"),
    (None, {"achievement": 150.0},
     "achievement.parquet, row 2: achievement is 150.0; expected a percentage from 0 to "
     "100, or empty"),
])
def test_a_bad_file_refuses_the_whole_run(care_url: str, tmp_path: Path,
                                          people: dict[str, object] | None,
                                          figures: dict[str, object] | None,
                                          expected: str) -> None:
    people_rows, figure_rows = _people(), _figures()
    if people:
        people_rows[1] = {**people_rows[1], **people}
    if figures:
        figure_rows[1] = {**figure_rows[1], **figures}
    with pytest.raises(RunFileError) as refused:
        _load(care_url, tmp_path, people=people_rows, figures=figure_rows)
    assert str(refused.value) == f"{tmp_path / 'runs' / 'run-0001'}/{expected}"
    with sessions(make_engine(care_url))() as s:  # nothing of the run was kept
        assert s.scalar(select(func.count()).select_from(StratRun)) == 0
        assert s.scalar(select(func.count()).select_from(AchievementFigure)) == 0
        assert s.scalar(select(func.count()).select_from(AchievementPerson)) == 0


def test_a_missing_column_is_named(care_url: str, tmp_path: Path) -> None:
    table = pa.Table.from_pylist(_people(), schema=PEOPLE_SCHEMA).drop_columns(["outcome"])
    with pytest.raises(RunFileError, match=r"indicators\.parquet has no column 'outcome'"):
        _load(care_url, tmp_path, people=table)


def test_loading_again_changes_nothing_and_the_next_run_replaces(care_url: str,
                                                                 tmp_path: Path) -> None:
    _load(care_url, tmp_path)
    run = write_practice_run(tmp_path / "same", "run-0001", AS_OF, PEOPLE,
                             indicators=_people(), achievement=_figures())
    with unit_of_work(sessions(make_engine(care_url))) as s:
        assert load_run(s, run).already
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(AchievementFigure)) == 7
        assert s.scalar(select(func.count()).select_from(AchievementPerson)) == 4
    _load(care_url, tmp_path, "run-0002", people=[outcome(B, "DM006", "not_met")],
          figures=[figure("P1", "L1", "DM006", 0, 1)])
    with sessions(make_engine(care_url))() as s:
        assert s.execute(select(AchievementPerson.run_id, AchievementPerson.nhs_number)
                         ).all() == [("run-0002", B)]
        assert s.scalars(select(AchievementFigure.run_id)).all() == ["run-0002"]


def test_the_columns_read_are_the_pipelines() -> None:
    """The hand-over agrees with what the pipeline writes (``ltc.pipeline.achievement``),
    and every outcome it gives is one the care plane knows."""
    from ltc.care.achievement.loader import FIGURE_COLUMNS, PEOPLE_COLUMNS
    from ltc.care.achievement.models import OUTCOMES
    from ltc.pipeline import achievement

    from ..medicines.folders import ACHIEVEMENT_SCHEMA

    assert PEOPLE_SCHEMA == achievement.PEOPLE_SCHEMA
    assert ACHIEVEMENT_SCHEMA == achievement.ACHIEVEMENT_SCHEMA
    for columns, schema in ((PEOPLE_COLUMNS, achievement.PEOPLE_SCHEMA),
                            (FIGURE_COLUMNS, achievement.ACHIEVEMENT_SCHEMA)):
        assert {name: schema.field(name).type for name in columns} == columns
    assert set(achievement.OUTCOMES) == set(OUTCOMES)


def test_the_words_are_the_definitions() -> None:
    """The indicators' wording and the reasons' texts read by the care plane are those the
    pipeline applies (``ltc.pipeline.achievement_defs``)."""
    from ltc.care.achievement.labels import labels
    from ltc.pipeline.achievement_defs import definitions

    defs = definitions()
    assert list(labels().indicators) == [i.id for i in defs.indicators]
    assert {i.id: i.wording for i in defs.indicators} == {
        k: v.wording for k, v in labels().indicators.items()}
    assert {k: r.text for k, r in defs.reasons.items()} == labels().reasons
