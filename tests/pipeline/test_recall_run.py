"""A stratification run hands its recall statuses to the care plane (DM-2): ``recall.parquet``
beside ``people.parquet``, a ``recall`` block in ``run.json``, local protocols and the
due-soon window as run options, and the summary line of ``ltc stratify``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ltc.cli import app
from ltc.cli.stratify import recall_line
from ltc.pipeline import runs
from ltc.pipeline.recall import COLUMNS, STATUSES
from ltc.pipeline.run import RunInputError, run_stratification
from ltc.protocols import load
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_store

AS_OF = date(2025, 3, 31)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("recall-run")
    write_store(RecordStore(root / "records"), Options(people=400, seed=3), root / "truth")
    return root


def test_the_run_keeps_recall_parquet_and_its_manifest(data_dir: Path) -> None:
    told: list[str] = []
    result = run_stratification(RecordStore(data_dir / "records"), data_dir, AS_OF,
                                progress=told.append)
    kept = runs.get(data_dir, result.run.id)
    stored = pq.read_table(kept.folder / "recall.parquet")
    assert tuple(stored.column_names) == COLUMNS
    assert stored.schema.field("due_on").type == pa.date32()
    assert stored.schema.field("target_met").type == pa.bool_()
    assert stored.num_rows == result.recall.num_rows > 0
    recall = kept.recall()
    assert recall is not None
    assert recall.equals(stored)
    meta = json.loads((kept.folder / "run.json").read_text())["recall"]
    assert meta["due_soon_days"] == 30
    assert meta["counts"] == result.recall_counts
    assert set(meta["counts"]) == set(STATUSES)
    assert meta["items"] == stored.num_rows
    assert meta["protocols"]["diabetes"]["version"] == load()["diabetes"].version
    assert meta["protocols"]["diabetes"]["local"] is False
    statuses = stored.column("status").to_pylist()
    assert {s: statuses.count(s) for s in STATUSES} == result.recall_counts
    # everyone in recall.parquet is a person of the run, on the register of the condition
    people = set(result.people.column("nhs_number").to_pylist())
    assert set(stored.column("nhs_number").to_pylist()) <= people
    assert any(t.startswith("Recall statuses of 12 condition protocols") for t in told)


def test_local_protocols_and_the_window_are_run_options(data_dir: Path, tmp_path: Path
                                                        ) -> None:
    (tmp_path / "diabetes.toml").write_text(
        'version = "local-1"\n[[items]]\nid = "retinal_screening"\nenabled = false\n')
    result = run_stratification(RecordStore(data_dir / "records"), data_dir, AS_OF,
                                protocols_dir=tmp_path, due_soon_days=0)
    meta = result.run.meta["recall"]
    assert meta["due_soon_days"] == 0
    assert meta["counts"]["due_soon"] == 0
    assert meta["protocols"]["diabetes"] == {
        "version": "local-1", "register": "diabetes", "local": True,
        "items": ["hba1c", "blood_pressure", "cholesterol", "urine_acr", "foot_check",
                  "flu_vaccination"],
        "files": ["default:diabetes.toml", str(tmp_path / "diabetes.toml")]}
    assert "retinal_screening" not in set(result.recall.column("item").to_pylist())


def test_a_bad_protocol_or_window_stops_the_run_before_it_starts(data_dir: Path,
                                                                 tmp_path: Path) -> None:
    before = len(runs.all_runs(data_dir))
    (tmp_path / "copd.toml").write_text('[[items]]\nid = "spirometry"\ninterval_months = "x"\n')
    with pytest.raises(RunInputError, match=r"copd\.toml: items\[spirometry\]\."
                                            r"interval_months: expected a whole number"):
        run_stratification(RecordStore(data_dir / "records"), data_dir, AS_OF,
                           protocols_dir=tmp_path)
    with pytest.raises(RunInputError, match="due-soon window must be 0 days or more"):
        run_stratification(RecordStore(data_dir / "records"), data_dir, AS_OF,
                           due_soon_days=-1)
    assert len(runs.all_runs(data_dir)) == before


def test_ltc_stratify_prints_the_recall_counts(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "asthma.toml").write_text('[[items]]\nid = "review"\nlabel = ""\n')
    runner = CliRunner()
    done = runner.invoke(app, ["stratify", "--as-of", "2025-03-31", "--data-dir",
                               str(data_dir), "--due-soon-days", "45"])
    assert done.exit_code == 0, done.output
    kept = runs.get(data_dir, "latest")
    counts = kept.meta["recall"]["counts"]
    assert kept.meta["recall"]["due_soon_days"] == 45
    assert recall_line(counts) in " ".join(done.output.split())
    refused = runner.invoke(app, ["stratify", "--as-of", "2025-03-31", "--data-dir",
                                  str(data_dir), "--protocols", str(tmp_path)])
    assert refused.exit_code == 2
    # the terminal may wrap a long path anywhere, even inside the file's name
    assert ("asthma.toml:items[review].label:expectedanon-emptytext"
            in "".join(refused.output.split()))


def test_ltc_stratify_reads_the_protocols_folder_from_the_settings(
        data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LTC_PROTOCOLS_DIR", str(tmp_path / "nowhere"))
    before = len(runs.all_runs(data_dir))
    refused = CliRunner().invoke(app, ["stratify", "--as-of", "2025-03-31", "--data-dir",
                                       str(data_dir)])
    assert refused.exit_code == 2
    assert "no such folder of local protocols" in " ".join(refused.output.split())
    assert len(runs.all_runs(data_dir)) == before


def test_the_summary_line() -> None:
    line = recall_line({"done": 1200, "not_due": 3, "excepted": 2, "due_soon": 40,
                        "due": 95, "overdue": 310})
    assert line == ("Recall (recall.parquet): 1,650 items: 310 overdue, 95 due, 40 due soon, "
                    "1,200 done, 2 excepted, 3 not due")


def test_the_data_model_documents_every_column_of_recall_parquet() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "data-model.md").read_text()
    section = doc[doc.index("## A run's recall statuses (`recall.parquet`)"):]
    documented = [line.split("`")[1] for line in section.splitlines()
                  if line.startswith("| `")]
    assert tuple(documented) == COLUMNS
