"""A run's medicines reach the care store with the run (SC-3): one row per person of
``medicines.parquet``, the medicines below 80% kept with them; a run without the file (an
older run) loads as before; a bad file refuses the whole run, naming the file, the row,
the column and what was expected; loading the run again changes nothing and the next run
replaces the rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import func, select

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.medicines.models import MedicinesPerson
from ltc.care.people.models import Person, StratRun
from ltc.care.people.run_files import RunFileError
from ltc.care.people.services import load_run

from .folders import MEDICINES_SCHEMA, medicine, write_practice_run

A, B, C = "9434765919", "9000000009", "9000000017"
AS_OF = date(2025, 3, 31)
PEOPLE = [(A, "P1"), (B, "P1"), (C, "P2")]


def _rows() -> list[dict[str, Any]]:
    return [medicine(A, 6, 0.63, ["Metformin 500mg tablets", "Ramipril 5mg capsules"], True,
                     12, last_review_on=date(2023, 5, 2)),
            medicine(B, 2, 0.95, [], False, 3),
            medicine(C, 4, None, [], True, 4, practice="P2")]


def _load(url: str, tmp_path: Path, run_id: str = "run-0001",
          rows: Any = "default") -> int:
    run = write_practice_run(tmp_path, run_id, AS_OF, PEOPLE,
                             medicines=_rows() if rows == "default" else rows)
    with unit_of_work(sessions(make_engine(url))) as s:
        return load_run(s, run).people


def test_the_rows_load_with_the_run(care_url: str, tmp_path: Path) -> None:
    assert _load(care_url, tmp_path) == 3
    with sessions(make_engine(care_url))() as s:
        a = s.get(MedicinesPerson, ("run-0001", A))
        assert a is not None
        assert (a.practice_code, a.long_term_medicines, a.lowest_pdc, a.review_due,
                a.last_review_on, a.medicines, a.polypharmacy, a.low_adherence) == (
            "P1", 6, 0.63, True, date(2023, 5, 2), 12, True, True)
        assert a.non_adherent_names == ["Metformin 500mg tablets", "Ramipril 5mg capsules"]
        b = s.get(MedicinesPerson, ("run-0001", B))
        assert b is not None
        assert (b.non_adherent, b.low_adherence, b.polypharmacy) == ("", False, False)
        c = s.get(MedicinesPerson, ("run-0001", C))
        assert c is not None
        assert (c.lowest_pdc, c.practice_code) == (None, "P2")


def test_an_older_run_without_the_file_loads_as_before(care_url: str,
                                                       tmp_path: Path) -> None:
    assert _load(care_url, tmp_path, rows=None) == 3
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 3
        assert s.scalar(select(func.count()).select_from(MedicinesPerson)) == 0


@pytest.mark.parametrize(("change", "expected"), [
    ({"nhs_number": "94347659"}, "row 2: nhs_number is '94347659'; expected an NHS number "
                                 "of 10 digits"),
    ({"lowest_pdc": 1.5}, "row 2: lowest_pdc is 1.5; expected a proportion from 0 to 1, "
                          "or empty"),
    ({"medicines": -1}, "row 2: medicines is -1; expected a count of 0 or more"),
    ({"review_due": None}, "row 2: review_due is None; expected true or false"),
])
def test_a_bad_file_refuses_the_whole_run(care_url: str, tmp_path: Path,
                                          change: dict[str, object], expected: str) -> None:
    rows = _rows()
    rows[1] = {**rows[1], **change}
    with pytest.raises(RunFileError) as refused:
        _load(care_url, tmp_path, rows=rows)
    path = tmp_path / "runs" / "run-0001" / "medicines.parquet"
    assert str(refused.value) == f"{path}, {expected}"
    with sessions(make_engine(care_url))() as s:  # nothing of the run was kept
        assert s.scalar(select(func.count()).select_from(StratRun)) == 0
        assert s.scalar(select(func.count()).select_from(Person)) == 0
        assert s.scalar(select(func.count()).select_from(MedicinesPerson)) == 0


def test_a_missing_column_or_a_wrong_type_is_named(care_url: str, tmp_path: Path) -> None:
    table = pa.Table.from_pylist(_rows(), schema=MEDICINES_SCHEMA)
    with pytest.raises(RunFileError, match="has no column 'review_due'; expected the "
                                           "columns nhs_number, practice_code"):
        _load(care_url, tmp_path, rows=table.drop_columns(["review_due"]))
    wrong = table.set_column(2, "long_term_medicines", pa.array(["six", "two", "four"]))
    with pytest.raises(RunFileError, match="column 'long_term_medicines' is string, "
                                           "expected int64"):
        _load(care_url, tmp_path / "again", rows=wrong)


def test_loading_again_changes_nothing_and_the_next_run_replaces(care_url: str,
                                                                 tmp_path: Path) -> None:
    _load(care_url, tmp_path)
    run = write_practice_run(tmp_path / "same", "run-0001", AS_OF, PEOPLE,
                             medicines=_rows())
    with unit_of_work(sessions(make_engine(care_url))) as s:
        assert load_run(s, run).already
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(MedicinesPerson)) == 3
    _load(care_url, tmp_path, "run-0002", rows=[medicine(B, 5, 0.5, ["Aspirin"], True, 10)])
    with sessions(make_engine(care_url))() as s:
        kept = s.execute(select(MedicinesPerson.run_id, MedicinesPerson.nhs_number)).all()
        assert kept == [("run-0002", B)]


def test_the_columns_read_are_the_pipelines() -> None:
    """The hand-over agrees with what the pipeline writes (``ltc.pipeline.medicines``)."""
    from ltc.care.medicines.loader import COLUMNS
    from ltc.pipeline.medicines import SCHEMA

    assert MEDICINES_SCHEMA == SCHEMA
    assert {name: SCHEMA.field(name).type for name in COLUMNS} == COLUMNS
