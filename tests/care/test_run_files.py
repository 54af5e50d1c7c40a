"""The care plane reads a kept run from its files alone, the hand-over format of
README.md (STRAT-5, STRAT-6); a missing or malformed run.json is refused by name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ltc.care.people import run_files
from ltc.care.people.run_files import RunFileError
from ltc.pipeline import levels, runs, stratify
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_store


def test_a_run_kept_by_the_pipeline_reads_from_its_files(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    write_store(store, Options(people=300, seed=7))
    table = stratify.people(store.connect(), date(2025, 3, 31), levels.load())
    first = runs.save(tmp_path, table, {"as_of": "2025-03-31", "engine": "duckdb"})
    second = runs.save(tmp_path, table, {"as_of": "2025-03-31", "engine": "duckdb"})

    kept = run_files.read(tmp_path, first.id)
    assert (kept.id, kept.as_of, kept.meta["people"]) == (first.id, date(2025, 3, 31),
                                                          table.num_rows)
    people = kept.people(["nhs_number", "level"])
    assert people.num_rows == table.num_rows
    assert sorted(people["nhs_number"].to_pylist()) == sorted(table["nhs_number"].to_pylist())
    assert run_files.read(tmp_path).id == second.id == run_files.read(tmp_path, "latest").id


def _folder(tmp_path: Path, manifest: str | None) -> Path:
    folder = tmp_path / "runs" / "run-0001"
    folder.mkdir(parents=True)
    if manifest is not None:
        (folder / "run.json").write_text(manifest)
    return folder / "run.json"


@pytest.mark.parametrize(("manifest", "says"), [
    (None, "is missing"),
    ("{not json", "is not valid JSON"),
    ("[1, 2]", "must hold a JSON object"),
    ('{"id": "run-0001"}', "has no as_of"),
    ('{"as_of": "31/03/2025"}', "not a date"),
])
def test_a_missing_or_malformed_manifest_is_refused_naming_the_file(
        tmp_path: Path, manifest: str | None, says: str) -> None:
    path = _folder(tmp_path, manifest)
    with pytest.raises(RunFileError, match=says) as refused:
        run_files.read(tmp_path, "run-0001")
    assert str(path) in str(refused.value)


def test_no_runs_or_an_unknown_run_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RunFileError, match="there are no runs"):
        run_files.read(tmp_path)
    with pytest.raises(RunFileError, match="no run called 'run-0009'"):
        run_files.read(tmp_path, "run-0009")
    with pytest.raises(RunFileError, match="not a run id"):
        run_files.read(tmp_path, "../elsewhere")


def test_a_missing_people_file_is_refused_naming_it(tmp_path: Path) -> None:
    _folder(tmp_path, '{"as_of": "2025-03-31"}')
    kept = run_files.read(tmp_path, "run-0001")
    with pytest.raises(RunFileError, match=r"people\.parquet is missing"):
        kept.people()
