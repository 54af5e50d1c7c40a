"""The medicines hand-off (SC-3): ``medicines_table`` on a synthetic community, the same on
DuckDB and Spark, one row per person with a long-term medicine, and the long-term count of
the stratification's ``long_term_medicines`` feature."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ltc.pipeline import engine
from ltc.pipeline.features import features
from ltc.pipeline.medicines import COLUMNS, SCHEMA, medicines_table
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_store

AS_OF = date(2025, 3, 31)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> RecordStore:
    root: Path = tmp_path_factory.mktemp("medicines")
    write_store(RecordStore(root / "records"), Options(people=1_500, seed=6))
    return RecordStore(root / "records")


@pytest.fixture(scope="module")
def duckdb_table(store: RecordStore) -> pa.Table:
    return medicines_table(engine.connect(store), AS_OF)


def test_one_row_per_person_with_a_long_term_medicine(duckdb_table: pa.Table,
                                                      store: RecordStore) -> None:
    t = duckdb_table
    assert t.schema == SCHEMA
    assert tuple(t.column_names) == COLUMNS
    nhs = t["nhs_number"].to_pylist()
    assert nhs == sorted(set(nhs))
    assert pc.min(t["long_term_medicines"]).as_py() >= 1
    pdc = t["lowest_pdc"]
    assert 0 <= pc.min(pdc).as_py() < 0.8 <= pc.max(pdc).as_py() <= 1
    # a person's list of medicines not taken is empty exactly when the lowest PDC is 80%+
    listed = pc.greater(pc.list_value_length(t["non_adherent"]), 0)
    assert listed.equals(pc.less(pdc, 0.8))
    due = pc.and_(pc.greater_equal(t["long_term_medicines"], 4),
                  pc.invert(pc.fill_null(pc.greater_equal(
                      t["last_review_on"], pa.scalar(date(2024, 3, 31))), False)))
    assert t["review_due"].equals(due)
    assert t["polypharmacy"].equals(pc.greater_equal(t["medicines"], 10))
    assert pc.sum(t["review_due"]).as_py() > 0
    # the long-term count is the stratification's feature, person by person
    f = features(engine.connect(store), AS_OF)
    f = f.filter(f.long_term_medicines > 0).select("nhs_number", "long_term_medicines")
    want = f.order_by("nhs_number").to_pyarrow()
    assert want["nhs_number"].to_pylist() == nhs
    assert want["long_term_medicines"].cast(pa.int64()).equals(t["long_term_medicines"])


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_gives_the_same_table(duckdb_table: pa.Table, store: RecordStore,
                                    spark: object) -> None:
    assert medicines_table(engine.connect(store, "spark"), AS_OF).equals(duckdb_table)
