"""The analytics' Ibis parts give the same results on Spark as on DuckDB (COM-1, COM-2,
COM-4, COM-5): bed days by month and every dimension, against the baseline, each
inpatient's bed days, admissions and bed days around index dates and the deprivation strata, on the
hand-counted bed-days fixture."""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import pytest

from analytics.test_beddays import FIRST, LAST, _fixture, _missing_cuts
from ltc.analytics import beddays
from ltc.analytics.concentration import person_bed_days
from ltc.analytics.evaluation import admissions_around, bed_days_around
from ltc.analytics.inequalities import strata


def _rows(table: ibis.Table) -> list[tuple[Any, ...]]:
    return sorted(tuple("" if v is None else v for v in row.values())
                  for row in table.to_pyarrow().to_pylist())


def _everything(con: ibis.BaseBackend) -> dict[str, object]:
    day = date(2025, 1, 30)
    return {
        "monthly": _rows(beddays.monthly(con, FIRST, LAST, beddays.DIMENSIONS)),
        "spells": _rows(beddays.spell_months(con, FIRST, LAST, emergency_only=False)),
        "baseline": _rows(beddays.against_baseline(con, FIRST, LAST, 2023, ["locality_code"])),
        "inpatients": person_bed_days(con, date(2024, 1, 1), LAST),
        "around": admissions_around(con, [("a", day), ("b", day), ("b", date(2024, 3, 1))]),
        "bed days around": bed_days_around(con, [("a", day), ("b", day)]),
        "strata": _rows(strata(con, date(2024, 1, 1), LAST, LAST)),
    }


def _missing(con: ibis.BaseBackend) -> list[tuple[Any, ...]]:
    return _rows(beddays.against_baseline(con, FIRST, date(2025, 4, 30), 2023, ["imd_quintile"]))


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_gives_the_same_results_as_duckdb(spark: object) -> None:
    duck, on_spark = _everything(_fixture("duckdb")), _everything(_fixture("spark"))
    assert duck["monthly"], "the fixture has bed days to compare"
    for name, value in duck.items():
        assert on_spark[name] == value, name
    assert _missing(_missing_cuts("spark")) == _missing(_missing_cuts("duckdb"))
