"""The ``ltc`` command as a user runs it: a real process, real files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def ltc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "ltc", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    done = ltc("synth", "--people", "5000", "--seed", "2", "--out", "data/extracts",
               "--truth", "data/truth", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "Synthetic community of 5,000 people (seed 2)" in done.stdout
    done = ltc("ingest", "csv", "data/extracts", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "gp/2025-03: stored" in done.stdout
    return root


def test_summary_prints_tables_registers_and_bed_day_share(demo: Path) -> None:
    done = ltc("records", "summary", cwd=demo)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "inpatient_spell" in out
    assert "prescription" in out
    assert "Registers on 2025-03-31 against QOF England 2019-20" in out
    for register in ("hypertension", "diabetes", "copd", "dementia"):
        assert register in out
    assert "hospital only: people on the register through hospital diagnoses alone" in out
    assert "the top 5% used" in out


def test_summary_by_practice_lists_every_practice(demo: Path) -> None:
    done = ltc("records", "summary", "--by-practice", cwd=demo)
    assert done.returncode == 0, done.stderr
    assert "Prevalence % by practice" in done.stdout
    assert "Z00001" in done.stdout


def test_ingesting_again_says_nothing_changed(demo: Path) -> None:
    done = ltc("ingest", "csv", "data/extracts", cwd=demo)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("already stored; nothing changed") == 6


def test_a_refused_batch_exits_2_and_names_file_line_and_field(demo: Path) -> None:
    bad = demo / "bad" / "ambulance" / "2025-04"
    bad.mkdir(parents=True)
    (bad / "ambulance_incident.csv").write_text(
        "nhs_number,record_id,date,outcome\n9434765919,A1,2025-04-02,conveyed\n"
        "9434765919,A2,2025-04-31,conveyed\n")
    before = (demo / "data" / "records" / "manifest.json").read_bytes()
    done = ltc("ingest", "csv", "bad", cwd=demo)
    assert done.returncode == 2
    assert "ambulance_incident.csv, line 3, field date" in done.stderr
    assert "not a real calendar date" in done.stderr
    assert "Nothing from this batch was stored" in done.stderr
    assert (demo / "data" / "records" / "manifest.json").read_bytes() == before


def test_summary_of_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    done = ltc("records", "summary", "--data-dir", "nowhere", cwd=tmp_path)
    assert done.returncode == 1
    assert "is empty" in done.stderr
    assert "ltc ingest csv" in done.stderr


def test_ingest_of_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    done = ltc("ingest", "csv", "missing", cwd=tmp_path)
    assert done.returncode == 2
    assert "no such folder" in done.stderr


def test_fhir_bundles_and_synthea_csv_ingest_from_the_command_line(
        tmp_path: Path, external_data: Path) -> None:
    bundles = external_data / "synthea-smart-on-fhir-r4" / "bundles"
    done = ltc("ingest", "fhir", str(bundles), "--data-dir", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"synthea-fhir-[0-9a-f]{8}/2021-03: stored", out), out
    # nothing skipped in silence: every unmapped resource type with its count
    assert "skipped at ingest (7,476): Procedure 2,477, DiagnosticReport 2,000, Immunization " \
        "1,739, CarePlan 471, Goal 303, Practitioner 246, ImagingStudy 133, " \
        "AllergyIntolerance 107" in out
    assert "registered practice by rule: generalPractitioner 0, most GP consultations 136, " \
        "none 0" in out
    assert "outpatient_attendance 230" in out
    done = ltc("ingest", "synthea-csv", str(external_data / "synthea-ohdsi-dbt-synthea-csv"),
               "--data-dir", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"synthea-csv-[0-9a-f]{8}/2024-02: stored", done.stdout)
    assert "claims_transactions.csv 5,228" in done.stdout
    done = ltc("records", "summary", "--data-dir", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "identity_map" in done.stdout
    assert "Skipped at ingest" in done.stdout
    assert "Procedure 2,477" in done.stdout


def _gp_extract(root: Path, people: list[str]) -> Path:
    folder = root / "gp" / "2024-01"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "locality.csv").write_text("locality_code,name\nL1,North\n")
    (folder / "practice.csv").write_text("practice_code,name,locality_code,list_size\n"
                                         "C81001,Alpha Surgery,L1,5400\n")
    (folder / "person.csv").write_text("nhs_number,date_of_birth,sex,practice_code\n" + "".join(
        f"{n},1950-01-01,F,C81001\n" for n in people))
    return folder


def test_a_different_extract_under_the_same_name_needs_replace(tmp_path: Path) -> None:
    first = ["9434765919", "9434765870", "9434765862"]
    _gp_extract(tmp_path / "a", first)
    done = ltc("ingest", "csv", "a", "--data-dir", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "skipped at ingest: nothing" in done.stdout
    corrected = _gp_extract(tmp_path / "b", [*first, "9434765838"])
    done = ltc("ingest", "csv", str(corrected), "--data-dir", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "gp/2024-01: replaced the earlier extract" in done.stdout
    assert "replaces batch gp/2024-01: people 3 -> 4 (3 in both)" in done.stdout
    manifest = tmp_path / "d" / "records" / "manifest.json"
    before = manifest.read_bytes()
    other = _gp_extract(tmp_path / "c", ["9434765919", "9434765846", "9434765854"])
    done = ltc("ingest", "csv", str(other), "--data-dir", "d", cwd=tmp_path)
    assert done.returncode == 1
    assert "only 1 of the 3 people in the new extract (33%)" in done.stderr
    assert "--replace" in done.stderr
    assert manifest.read_bytes() == before
    done = ltc("ingest", "csv", str(other), "--replace", "--data-dir", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "replaces batch gp/2024-01: people 4 -> 3 (1 in both)" in done.stdout


def test_a_misspelt_source_folder_is_refused_not_skipped(demo: Path) -> None:
    bad = demo / "typo" / "ambulence" / "2025-04"
    bad.mkdir(parents=True)
    (bad / "ambulance_incident.csv").write_text("nhs_number,record_id,date,outcome\n")
    done = ltc("ingest", "csv", "typo", cwd=demo)
    assert done.returncode == 2
    assert "unknown source 'ambulence'" in done.stderr


def test_source_and_period_options_apply_to_one_folder_only(demo: Path) -> None:
    done = ltc("ingest", "csv", "data/extracts", "--period", "2025-04", cwd=demo)
    assert done.returncode == 2
    assert "--source and --period apply to one folder only" in done.stderr


def test_stratify_keeps_runs_and_diff_lists_entrants_and_leavers(demo: Path) -> None:
    (demo / "gp.csv").write_text("nhs_number,action,reason,clinician,date\n")
    done = ltc("stratify", "--as-of", "2024-03-31", cwd=demo)
    assert done.returncode == 0, done.stderr
    assert "Case management" in done.stdout
    assert "known to community nursing" in done.stdout
    done = ltc("stratify", "--as-of", "2025-03-31", "--gp-knowledge", "gp.csv", cwd=demo)
    assert done.returncode == 0, done.stderr
    latest = sorted((demo / "data" / "runs").iterdir())[-1]
    report = (latest / "report.html").read_text()
    assert "<svg" in report  # the pyramid chart
    assert "Hidden populations" in report
    assert "Castlefields: Aged 65 or over" in report
    assert "Counts of 1 to 7 are withheld" in report
    listed = ltc("runs", "list", cwd=demo)
    assert listed.stdout.count("duckdb") >= 2
    runs = sorted(p.name for p in (demo / "data" / "runs").iterdir())
    diff = ltc("runs", "diff", runs[-2], runs[-1], cwd=demo)
    assert diff.returncode == 0, diff.stderr
    assert "Entrants to level 3" in diff.stdout
    assert "Leavers from level 3" in diff.stdout
    assert "Movers between levels" in diff.stdout


def test_stratify_refuses_a_bad_date_and_a_bad_rule_file(demo: Path) -> None:
    done = ltc("stratify", "--as-of", "31/03/2025", cwd=demo)
    assert done.returncode == 2
    assert "expected YYYY-MM-DD" in done.stderr
    (demo / "bad.toml").write_text('id = "x"\n')
    done = ltc("stratify", "--as-of", "2025-03-31", "--rules", "bad.toml", cwd=demo)
    assert done.returncode == 2
    assert "bad.toml, line 1" in done.stderr
