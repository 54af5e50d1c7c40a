"""Stratifying a store where some tables were never loaded (STRAT-1, POP-1).

A practice-only extract (person, practice, locality, diagnosis, prescription) is a normal
way to start: an absent table means no rows, the run goes on, and the run says which
sources were missing and which criteria therefore could not fire.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ltc.pipeline import engine as engines
from ltc.pipeline import levels, rules, sources
from ltc.pipeline import stratify as strat
from ltc.pipeline.features import FEATURE_KINDS
from ltc.records.ingest import csv_extract
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_extracts

AS_OF = date(2025, 3, 31)
OPTIONAL = sorted(({t for ts in sources.FEATURE_TABLES.values() for t in ts} | {"observation"})
                  - set(sources.REQUIRED))
PRACTICE_ONLY = ("person", "practice", "locality", "diagnosis", "prescription")


def ltc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "ltc", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("partial")
    write_extracts(root / "extracts", Options(people=300, seed=5), root / "truth")
    return root / "extracts"


def _store_without(extracts: Path, root: Path, keep: set[str] | None = None,
                   drop: set[str] | None = None) -> RecordStore:
    """A store loaded from ``extracts`` with only the ``keep`` tables (or without ``drop``)."""
    copy = root / "extracts"
    shutil.copytree(extracts, copy)
    for csv in copy.rglob("*.csv"):
        name = csv.stem
        if (keep is not None and name not in keep) or (drop is not None and name in drop):
            csv.unlink()
    store = RecordStore(root / "records")
    for folder in sorted(p for p in copy.glob("*/*") if p.is_dir() and any(p.iterdir())):
        store.commit(csv_extract.load_folder(folder, store=store))
    return store


def test_every_feature_names_the_tables_it_reads() -> None:
    assert set(sources.FEATURE_TABLES) == set(FEATURE_KINDS)


@pytest.mark.parametrize("table", OPTIONAL)
def test_stratify_succeeds_with_each_optional_table_absent(
        extracts: Path, tmp_path: Path, table: str) -> None:
    store = _store_without(extracts, tmp_path, drop={table})
    policy = levels.load(None)
    found = sources.coverage(store, [rules.load(n) for n in policy.rule_sets])
    assert found.missing == (table,)
    people = strat.people(engines.connect(store), AS_OF, policy)
    assert people.num_rows > 250  # everyone alive and registered, whatever is missing
    assert set(people["level"].to_pylist()) <= {0, 1, 2, 3}


def test_a_practice_only_extract_on_both_engines_gives_the_same_levels(
        extracts: Path, tmp_path: Path, spark: object) -> None:
    store = _store_without(extracts, tmp_path, keep=set(PRACTICE_ONLY))
    policy = levels.load(None)
    results = [strat.people(engines.connect(store, engine), AS_OF, policy)
               for engine in ("duckdb", "spark")]
    duck, sprk = ({r["nhs_number"]: r["level"] for r in t.select(["nhs_number", "level"])
                   .to_pylist()} for t in results)
    assert duck == sprk
    assert len(duck) > 250


def test_criteria_with_no_source_are_named_and_a_combined_one_needs_every_part() -> None:
    evercare = rules.load("evercare")
    castlefields = rules.load("castlefields")
    silenced = sources.silenced([evercare, castlefields], ("social_care_package",))
    # the fourth Evercare nomination needs a high-intensity package: it cannot fire
    assert any("high-intensity social care package" in label.lower()
               for label in silenced["Evercare"])
    assert "Castlefields" not in silenced  # no Castlefields criterion reads packages
    nothing = sources.silenced([evercare, castlefields], ())
    assert nothing == {}


def test_ltc_stratify_on_a_practice_only_store_reports_the_missing_sources(
        extracts: Path, tmp_path: Path) -> None:
    _store_without(extracts, tmp_path / "data", keep=set(PRACTICE_ONLY))
    done = ltc("stratify", "--as-of", str(AS_OF), "--data-dir", "data", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Missing sources" in done.stdout
    assert "inpatient_spell" in done.stdout
    assert "could not be met" in done.stdout
    meta = json.loads((tmp_path / "data" / "runs" / "run-0001" / "run.json").read_text())
    missing = meta["sources"]["missing_tables"]
    assert set(missing) == set(OPTIONAL) - set(PRACTICE_ONLY)
    castlefields = meta["sources"]["cannot_fire"]["Castlefields"]
    assert "2 or more A&E attendances in the past 12 months" in castlefields
    assert "4 or more medicines prescribed for 6 months or more" not in castlefields
    report = (tmp_path / "data" / "runs" / "run-0001" / "report.html").read_text()
    assert "Missing sources" in report
    assert "social_care_package" in report


def test_ltc_stratify_without_a_person_table_says_what_to_load(
        extracts: Path, tmp_path: Path) -> None:
    _store_without(extracts, tmp_path / "data", keep={"diagnosis", "inpatient_spell"})
    done = ltc("stratify", "--as-of", str(AS_OF), "--data-dir", "data", cwd=tmp_path)
    assert done.returncode == 1
    assert "no person or practice table" in done.stderr
    assert "ltc ingest csv" in done.stderr
