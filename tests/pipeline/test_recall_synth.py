"""The synthetic community's review items make recall realistic (DM-2): most people on a
register have most items recorded in the last 12 months (QOF achievement of process
indicators, 70 to 90%), some items are overdue and a few excepted; the same seed gives the
same reviews."""

from __future__ import annotations

from datetime import date

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ltc.pipeline import engine
from ltc.pipeline.recall import statuses
from ltc.protocols import load
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, community_tables, write_store
from ltc.windows import months_before

AS_OF = date(2025, 3, 31)


@pytest.fixture(scope="module")
def recall(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    root = tmp_path_factory.mktemp("recall-synth")
    write_store(RecordStore(root / "records"), Options(people=8000, seed=2))
    con = engine.connect(RecordStore(root / "records"))
    found = pl.from_arrow(statuses(con, AS_OF, load()).to_pyarrow())
    assert isinstance(found, pl.DataFrame)
    return found.with_columns(
        (pl.col("last_done_on") >= months_before(AS_OF, 12)).fill_null(False).alias("in_12m"))


def test_most_items_were_recorded_in_the_last_12_months(recall: pl.DataFrame) -> None:
    yearly = {(p.condition, i.id) for p in load().values() for i in p.items
              if i.interval_months == 12}
    rows = recall.filter(pl.struct("condition", "item").map_elements(
        lambda r: (r["condition"], r["item"]) in yearly, return_dtype=pl.Boolean))
    share = rows["in_12m"].mean()
    assert isinstance(share, float)
    assert 0.70 <= share <= 0.90
    per_item = rows.group_by(["condition", "item"]).agg(pl.col("in_12m").mean())
    assert per_item["in_12m"].min() >= 0.5
    assert per_item.height == len(yearly)


def test_every_status_a_recall_list_needs_is_there(recall: pl.DataFrame) -> None:
    counts = dict(recall.group_by("status").len().iter_rows())
    assert counts["done"] > counts["overdue"] > counts["due"] > counts["due_soon"] > 0
    assert counts["excepted"] > 0
    flu = recall.filter(pl.col("item") == "flu_vaccination")
    assert 0.6 <= flu["in_12m"].mean() <= 0.85
    values = recall.filter((pl.col("condition") == "diabetes") & (pl.col("item") == "hba1c"))
    assert values["last_value"].drop_nulls().len() > 0.8 * values.height


def _observations(seed: int) -> list[pa.Table]:
    return [t for _source, name, t in community_tables(Options(people=600, seed=seed))
            if name == "observation"]


def test_the_same_seed_gives_the_same_reviews() -> None:
    first, again, other = _observations(5), _observations(5), _observations(6)
    assert all(a.equals(b) for a, b in zip(first, again, strict=True))
    codes = set(first[0].column("code").to_pylist())
    assert {"401191002", "822851000000102"} <= codes  # foot check, flu vaccination
    assert not all(a.equals(b) for a, b in zip(first, other, strict=True))
    dates = first[0].column("date")
    assert pc.max(dates).as_py() <= AS_OF
