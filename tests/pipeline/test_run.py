"""The stratification run service called directly, as a scheduled job or benchmark would
(STRAT-1 to STRAT-7, POP-5): the run is kept with its people, meta and report."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ltc.pipeline import runs
from ltc.pipeline.run import NothingToStratifyError, RunInputError, run_stratification
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_store

AS_OF = date(2025, 3, 31)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run")
    write_store(RecordStore(root / "records"), Options(people=300, seed=4), root / "truth")
    return root


def test_run_stratification_keeps_the_run_it_returns(data_dir: Path) -> None:
    told: list[str] = []
    result = run_stratification(RecordStore(data_dir / "records"), data_dir, AS_OF,
                                rules=["castlefields"], progress=told.append)
    kept = runs.get(data_dir, "latest")
    assert kept.id == result.run.id
    assert kept.folder == result.run.folder
    meta = json.loads((kept.folder / "run.json").read_text())
    assert meta["as_of"] == "2025-03-31"
    assert meta["engine"] == "duckdb"
    assert meta["policy"]["rule_sets"] == ["castlefields"]
    assert meta["model"] is None
    assert meta["gp_knowledge"] is None
    assert meta["people"] == result.people.num_rows > 0
    assert sum(meta["levels"].values()) == result.people.num_rows
    stored = pq.read_table(kept.folder / "people.parquet")
    assert stored.num_rows == result.people.num_rows
    assert set(stored["level"].to_pylist()) <= {0, 1, 2, 3}
    assert result.report.exists()
    assert result.hidden.level3 == meta["levels"].get("3", 0)
    assert result.sources.missing == ()
    assert told
    assert told[0] == f"Stratifying as of {AS_OF} on duckdb..."


def test_a_rule_set_that_does_not_load_stops_the_run_before_it_starts(data_dir: Path) -> None:
    before = len(runs.all_runs(data_dir))
    with pytest.raises(RunInputError, match="no-such-rules"):
        run_stratification(RecordStore(data_dir / "records"), data_dir, AS_OF,
                           rules=["no-such-rules"])
    assert len(runs.all_runs(data_dir)) == before


def test_a_store_without_people_has_nobody_to_stratify(tmp_path: Path) -> None:
    with pytest.raises(NothingToStratifyError, match="no person or practice table"):
        run_stratification(RecordStore(tmp_path / "records"), tmp_path, AS_OF)
    assert runs.all_runs(tmp_path) == []
