"""A stratification run hands its medicines (SC-3) and QOF indicator outcomes and
achievement (DM-6) to the care plane: ``medicines.parquet``, ``indicators.parquet`` and
``achievement.parquet`` beside ``people.parquet``, each equal to what its function computes
on the run's engine, with a block of counts in ``run.json``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ltc.cli import app
from ltc.cli.stratify import practice_line
from ltc.pipeline import achievement, medicines, runs
from ltc.pipeline import engine as engines
from ltc.pipeline.achievement_defs import definitions
from ltc.pipeline.run import StratificationResult, run_stratification
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_store

AS_OF = date(2025, 3, 31)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> StratificationResult:
    root = tmp_path_factory.mktemp("practice-run")
    write_store(RecordStore(root / "records"), Options(people=500, seed=5), root / "truth")
    told: list[str] = []
    done = run_stratification(RecordStore(root / "records"), root, AS_OF,
                              progress=told.append)
    assert "Medicines adherence, reviews due and polypharmacy..." in told
    assert "QOF indicators and practice achievement..." in told
    return done


def test_the_run_keeps_the_medicines_table(result: StratificationResult) -> None:
    kept = runs.get(result.run.folder.parent.parent, result.run.id)
    stored = kept.medicines()
    assert stored is not None
    assert stored.num_rows > 0
    assert stored.schema == medicines.SCHEMA
    con = engines.connect(RecordStore(kept.folder.parent.parent / "records"), "duckdb")
    assert stored.equals(medicines.medicines_table(con, AS_OF))
    meta = json.loads((kept.folder / "run.json").read_text())["medicines"]
    assert meta["people"] == stored.num_rows
    assert meta["review_due"] == pc.sum(stored["review_due"].cast("int64")).as_py()
    assert meta["polypharmacy"] == pc.sum(stored["polypharmacy"].cast("int64")).as_py()
    low = pc.sum(pc.greater(pc.list_value_length(stored["non_adherent"]), 0)
                 .cast("int64")).as_py()
    assert meta["low_adherence"] == low > 0
    assert meta["adherent_pdc"] == 0.8


def test_the_run_keeps_indicator_outcomes_and_achievement(result: StratificationResult
                                                          ) -> None:
    kept = result.run
    outcomes = kept.indicators()
    achieved = kept.achievement()
    assert outcomes is not None
    assert achieved is not None
    assert outcomes.schema == achievement.PEOPLE_SCHEMA
    assert achieved.schema == achievement.ACHIEVEMENT_SCHEMA
    assert outcomes.equals(result.indicators)
    assert achieved.equals(achievement.achievement_table(outcomes))
    # the community row of each indicator counts every outcome of the people file
    meta = kept.meta["achievement"]
    assert meta["version"] == definitions().version
    community = achieved.filter(pc.and_(pc.is_null(achieved["practice_code"]),
                                        pc.is_null(achieved["locality_code"]))).to_pylist()
    for row in community:
        counts = meta["indicators"][row["indicator"]]
        assert row["numerator"] == counts["met"]
        assert row["denominator"] == counts["met"] + counts["not_met"]
        assert row["exceptions"] == counts["excepted"]
    dm017 = meta["indicators"]["DM017"]
    assert dm017["met"] > 0  # the diabetes register
    people = set(result.people.column("nhs_number").to_pylist())
    assert set(outcomes.column("nhs_number").to_pylist()) <= people


def test_a_run_without_the_files_reads_none(tmp_path: Path) -> None:
    folder = tmp_path / "runs" / "run-0001"
    folder.mkdir(parents=True)
    (folder / "run.json").write_text("{}")
    pq.write_table(medicines.SCHEMA.empty_table(), folder / "people.parquet")
    kept = runs.get(tmp_path, "run-0001")
    assert kept.medicines() is None
    assert kept.indicators() is None
    assert kept.achievement() is None


def test_ltc_stratify_prints_the_lists_and_indicators(result: StratificationResult) -> None:
    data_dir = result.run.folder.parent.parent
    done = CliRunner().invoke(app, ["stratify", "--as-of", "2025-03-31", "--data-dir",
                                    str(data_dir)])
    assert done.exit_code == 0, done.output
    meta = runs.get(data_dir, "latest").meta
    line = practice_line(meta)
    assert line in " ".join(done.output.split())
    assert f"{meta['medicines']['review_due']:,} medication reviews due" in line
    assert "QOF v46.0 (indicators.parquet, achievement.parquet): 19 indicators" in line
