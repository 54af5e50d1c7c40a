"""The record store: unchanged, appended and replaced batches; snapshots; atomic commits."""

from __future__ import annotations

import errno
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ltc.codes import nhs_number
from ltc.records.ingest.csv_extract import load_folder
from ltc.records.schema import table
from ltc.records.store import Batch, RecordStore

N = [f"{n:010d}" for n in nhs_number.from_serials(np.arange(500, 520, dtype=np.int64))]

PERSON = ("nhs_number,date_of_birth,sex,practice_code,postcode_district,lsoa,imd_decile,"
          "lives_alone,has_carer,is_carer,date_of_death")
DIAGNOSIS = "nhs_number,record_id,code_system,code,date,resolved_date,setting"
PRESCRIPTION = ("nhs_number,record_id,date,drug_code_system,drug_code,drug_name,bnf_chapter,"
                "quantity,cost,repeat")
LOCALITIES = "locality_code,name\nL1,North\nL2,South\n"
PRACTICES = ("practice_code,name,locality_code,list_size\n"
             "C81001,Alpha Surgery,L1,5400\nC81002,Beta Health Centre,L2,3100\n")


def csv(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


def person(nhs: str, practice: str = "C81001", dob: str = "1950-01-01", sex: str = "F") -> str:
    return f"{nhs},{dob},{sex},{practice},LE1,,5,,,,"


def diagnosis(nhs: str, record_id: str, code: str = "44054006",
              date: str = "2020-01-01") -> str:
    return f"{nhs},{record_id},snomed,{code},{date},,primary"


def prescription(nhs: str, record_id: str, date: str) -> str:
    return f"{nhs},{record_id},{date},dmd,325072002,Metformin 500mg tablets,6,56,1.52,true"


def write(root: Path, source: str, period: str, files: dict[str, str]) -> Path:
    folder = root / source / period
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def january() -> dict[str, str]:
    return {
        "locality.csv": LOCALITIES,
        "practice.csv": PRACTICES,
        "person.csv": csv(PERSON, [person(N[0]), person(N[1]), person(N[2], "C81002")]),
        "diagnosis.csv": csv(DIAGNOSIS, [diagnosis(N[0], "D1"), diagnosis(N[1], "D2"),
                                         diagnosis(N[2], "D3")]),
    }


def february() -> dict[str, str]:
    return {
        # N[1] moved to C81002; N[3] newly registered; N[0] and N[2] not resent
        "person.csv": csv(PERSON, [person(N[1], "C81002"), person(N[3])]),
        "diagnosis.csv": csv(DIAGNOSIS, [diagnosis(N[1], "D4", "38341003", "2024-02-02"),
                                         diagnosis(N[3], "D5", "195967001", "2024-02-09")]),
    }


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "<dir>" for p in sorted(root.rglob("*"))}


def parquet_files(store: RecordStore) -> set[str]:
    return {str(p.relative_to(store.root)) for p in store.root.rglob("*.parquet")}


def listed_files(store: RecordStore) -> set[str]:
    return {rel for b in store.batches().values() for rel in b["files"].values()}


def ibis_rows(store: RecordStore, name: str) -> list[dict[str, Any]]:
    con = store.connect()
    rows: list[dict[str, Any]] = con.table(name).to_pyarrow().to_pylist()
    return rows


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    return RecordStore(tmp_path / "store")


def test_the_same_folder_again_is_unchanged(store: RecordStore, tmp_path: Path) -> None:
    folder = write(tmp_path / "in", "gp", "2024-01", january())
    first = store.commit(load_folder(folder, store=store))
    assert first.status == "added"
    assert first.batch == "gp/2024-01"
    assert first.rows == {"locality": 2, "practice": 2, "person": 3, "diagnosis": 3}
    before = snapshot(store.root)

    again = store.commit(load_folder(folder, store=store))
    assert again.status == "unchanged"
    assert again.rows == first.rows
    assert snapshot(store.root) == before
    # also when the folder is copied elsewhere: the batch is its source, period and content
    copy = write(tmp_path / "copy", "gp", "2024-01", january())
    assert store.commit(load_folder(copy, store=store)).status == "unchanged"
    assert snapshot(store.root) == before


def test_a_later_period_appends(store: RecordStore, tmp_path: Path) -> None:
    store.commit(load_folder(write(tmp_path, "gp", "2024-01", january()), store=store))
    result = store.commit(load_folder(write(tmp_path, "gp", "2024-02", february()),
                                      store=store))
    assert result.status == "added"
    assert set(store.batches()) == {"gp/2024-01", "gp/2024-02"}

    diagnoses = store.arrow("diagnosis")
    assert diagnoses.num_rows == 3 + 2
    assert sorted(diagnoses.column("record_id").to_pylist()) == ["D1", "D2", "D3", "D4", "D5"]
    periods = pc.value_counts(diagnoses.column("_period")).to_pylist()
    assert sorted((p["values"], p["counts"]) for p in periods) == [("2024-01", 3),
                                                                   ("2024-02", 2)]

    con = store.connect()
    t = con.table("diagnosis")
    assert t.count().to_pyarrow().as_py() == 5
    by_period = t.group_by("_period").aggregate(n=t.count()).to_pyarrow().to_pylist()
    assert sorted((r["_period"], r["n"]) for r in by_period) == [("2024-01", 3),
                                                                 ("2024-02", 2)]
    febs = t.filter(t["_period"] == "2024-02").select("record_id", "date").to_pyarrow()
    assert sorted(febs.column("record_id").to_pylist()) == ["D4", "D5"]
    assert str(febs.schema.field("date").type) == "date32[day]"
    # a second source for the same period appends too
    acute = {"inpatient_spell.csv": csv(
        "nhs_number,record_id,admission_date,discharge_date,admission_method,"
        "primary_diagnosis,discharge_destination", [f"{N[0]},S1,2024-02-01,2024-02-03,21,,19"])}
    assert store.commit(load_folder(write(tmp_path, "acute", "2024-02", acute),
                                    store=store)).status == "added"
    assert store.arrow("inpatient_spell").column("length_of_stay").to_pylist() == [2]
    assert store.arrow("diagnosis").num_rows == 5


def test_a_corrected_extract_replaces_the_same_period(store: RecordStore,
                                                      tmp_path: Path) -> None:
    original = january()
    original["observation.csv"] = csv("nhs_number,record_id,date,code_system,code,value,unit",
                                      [f"{N[0]},O1,2024-01-03,snomed,1049301000000100,53,"])
    store.commit(load_folder(write(tmp_path, "gp", "2024-01", original), store=store))
    store.commit(load_folder(write(tmp_path, "gp", "2024-02", february()), store=store))
    old_files = dict(store.batches()["gp/2024-01"]["files"])
    assert store.arrow("observation").num_rows == 1
    february_files = dict(store.batches()["gp/2024-02"]["files"])

    corrected = january()
    corrected["diagnosis.csv"] = csv(DIAGNOSIS, [diagnosis(N[0], "D1", "73211009"),
                                                 diagnosis(N[2], "D3")])
    corrected["practice.csv"] = PRACTICES.replace("5400", "5500")
    # and the corrected extract no longer sends observations
    result = store.commit(load_folder(write(tmp_path, "gp", "2024-01", corrected),
                                      store=store))
    assert result.status == "replaced"
    assert result.rows == {"locality": 2, "practice": 2, "person": 3, "diagnosis": 2}

    new_files = store.batches()["gp/2024-01"]["files"]
    assert set(new_files) == {"locality", "practice", "person", "diagnosis"}
    for rel in old_files.values():
        assert not (store.root / rel).exists()
    assert store.batches()["gp/2024-02"]["files"] == february_files
    assert parquet_files(store) == listed_files(store)
    assert not list(store.root.rglob("*.tmp"))

    diagnoses = store.arrow("diagnosis")
    assert diagnoses.num_rows == 2 + 2
    january_rows = [r for r in diagnoses.to_pylist() if r["_period"] == "2024-01"]
    assert sorted((r["record_id"], r["code"]) for r in january_rows) == [
        ("D1", "73211009"), ("D3", "44054006")]
    assert store.arrow("observation").num_rows == 0
    assert store.arrow("practice").column("list_size").to_pylist() == [5500, 3100]
    assert len(ibis_rows(store, "diagnosis")) == 4
    assert ibis_rows(store, "observation") == []


def test_snapshot_tables_show_the_latest_period(store: RecordStore, tmp_path: Path) -> None:
    # February arrives before January: the later period must still win
    store.commit(load_folder(write(tmp_path, "gp", "2024-01", {
        "locality.csv": LOCALITIES, "practice.csv": PRACTICES}), store=store))
    store.commit(load_folder(write(tmp_path, "gp", "2024-03", february()), store=store))
    store.commit(load_folder(write(tmp_path, "gp", "2024-02", {
        "person.csv": csv(PERSON, [person(N[0]), person(N[1]), person(N[2], "C81002")])}),
        store=store))

    expected = {N[0]: ("C81001", "2024-02"), N[1]: ("C81002", "2024-03"),
                N[2]: ("C81002", "2024-02"), N[3]: ("C81001", "2024-03")}
    people = store.arrow("person").to_pylist()
    assert len(people) == 4
    assert {p["nhs_number"]: (p["practice_code"], p["_period"]) for p in people} == expected
    assert [p["nhs_number"] for p in people] == sorted(expected)
    from_ibis = ibis_rows(store, "person")
    assert len(from_ibis) == 4
    assert {p["nhs_number"]: (p["practice_code"], p["_period"]) for p in from_ibis} == expected
    # the earlier rows are still held, only hidden
    raw = pa.concat_tables(pq.read_table(f) for f in store.files("person"))
    assert raw.num_rows == 5
    selected = store.arrow("person", columns=["nhs_number", "practice_code"])
    assert selected.column_names == ["nhs_number", "practice_code"]
    assert dict(zip(*selected.to_pydict().values(), strict=True))[N[1]] == "C81002"


def test_files_are_sorted(store: RecordStore, tmp_path: Path) -> None:
    shuffled = [N[7], N[2], N[9], N[0], N[4], N[1]]
    files = {
        "locality.csv": "locality_code,name\nL2,South\nL1,North\n",
        "practice.csv": ("practice_code,name,locality_code,list_size\n"
                         "C81002,Beta,L2,\nC81001,Alpha,L1,\n"),
        "person.csv": csv(PERSON, [person(n) for n in shuffled]),
        "prescription.csv": csv(PRESCRIPTION, [
            prescription(N[2], "P1", "2024-01-20"), prescription(N[0], "P2", "2024-01-09"),
            prescription(N[2], "P3", "2024-01-02"), prescription(N[0], "P4", "2024-01-30")]),
    }
    store.commit(load_folder(write(tmp_path, "gp", "2024-01", files), store=store))
    (person_file,) = store.files("person")
    stored = pq.read_table(person_file)
    assert stored.column("nhs_number").to_pylist() == sorted(shuffled)
    assert stored.schema.equals(table("person").stored_schema, check_metadata=False)
    (prescription_file,) = store.files("prescription")
    rows = pq.read_table(prescription_file).select(["nhs_number", "date"]).to_pylist()
    assert [(r["nhs_number"], r["date"].isoformat()) for r in rows] == sorted(
        [(N[2], "2024-01-20"), (N[0], "2024-01-09"), (N[2], "2024-01-02"),
         (N[0], "2024-01-30")])
    (practice_file,) = store.files("practice")
    assert pq.read_table(practice_file).column("practice_code").to_pylist() == [
        "C81001", "C81002"]


def _failing_write_table(monkeypatch: pytest.MonkeyPatch, fail_on: int) -> list[str]:
    """Make the ``fail_on``-th Parquet write stop half way, as on a full disk."""
    real = pq.write_table
    calls: list[str] = []

    def write_table(data: pa.Table, where: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(str(where))
        if len(calls) == fail_on:
            Path(where).write_bytes(b"PAR1 partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        real(data, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", write_table)
    return calls


def test_a_commit_failing_midway_leaves_the_store_untouched(
        store: RecordStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    acute = {"ae_attendance.csv": csv("nhs_number,record_id,date,disposal",
                                      [f"{N[0]},A1,2024-01-02,admitted"])}
    store.commit(load_folder(write(tmp_path, "acute", "2024-01", acute), store=store))
    batch = load_folder(write(tmp_path, "gp", "2024-01", january()), store=store)
    before = snapshot(store.root)
    manifest = store.manifest_path.read_bytes()

    calls = _failing_write_table(monkeypatch, fail_on=2)
    with pytest.raises(OSError, match="No space left"):
        store.commit(batch)
    assert len(calls) == 2  # the first table was written, the second failed
    assert snapshot(store.root) == before  # no new file, no partial file, no new folder
    assert store.manifest_path.read_bytes() == manifest
    assert set(store.batches()) == {"acute/2024-01"}
    assert store.arrow("diagnosis").num_rows == 0

    monkeypatch.undo()
    assert store.commit(batch).status == "added"
    assert store.arrow("diagnosis").num_rows == 3


def test_a_replacement_failing_midway_keeps_the_earlier_batch(
        store: RecordStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store.commit(load_folder(write(tmp_path, "gp", "2024-01", january()), store=store))
    corrected = january()
    corrected["diagnosis.csv"] = csv(DIAGNOSIS, [diagnosis(N[0], "D9")])
    batch = load_folder(write(tmp_path, "gp", "2024-01", corrected), store=store)
    before = snapshot(store.root)
    manifest = store.manifest_path.read_bytes()

    _failing_write_table(monkeypatch, fail_on=3)
    with pytest.raises(OSError, match="No space left"):
        store.commit(batch)
    assert snapshot(store.root) == before
    assert store.manifest_path.read_bytes() == manifest
    assert sorted(store.arrow("diagnosis").column("record_id").to_pylist()) == ["D1", "D2",
                                                                               "D3"]
    monkeypatch.undo()
    assert store.commit(batch).status == "replaced"
    assert store.arrow("diagnosis").column("record_id").to_pylist() == ["D9"]


def test_a_batch_with_the_wrong_schema_is_refused(store: RecordStore, tmp_path: Path) -> None:
    store.commit(load_folder(write(tmp_path, "gp", "2024-01", january()), store=store))
    before = snapshot(store.root)
    wrong = pa.table({"locality_code": ["L3"], "name": [1]})
    with pytest.raises(ValueError, match="schema does not match"):
        store.commit(Batch("gp", "2024-02", "f" * 64, {"locality": wrong}))
    assert snapshot(store.root) == before


def test_batch_names_are_checked() -> None:
    with pytest.raises(ValueError, match="expected a month"):
        Batch("gp", "2024-13", "0" * 64, {})
    with pytest.raises(ValueError, match="lower-case"):
        Batch("GP", "2024-01", "0" * 64, {})


def test_empty_store_reads(store: RecordStore) -> None:
    assert store.batches() == {}
    empty = store.arrow("person")
    assert empty.num_rows == 0
    assert empty.schema.equals(table("person").stored_schema)
    assert ibis_rows(store, "person") == []
    assert store.values("practice", "practice_code").to_pylist() == []


def test_stored_values_leave_out_one_batch(store: RecordStore, tmp_path: Path) -> None:
    store.commit(load_folder(write(tmp_path, "gp", "2024-01", january()), store=store))
    store.commit(load_folder(write(tmp_path, "gp", "2024-02", {
        "practice.csv": "practice_code,name,locality_code,list_size\nC81003,Gamma,L1,\n"}),
        store=store))
    assert sorted(store.values("practice", "practice_code").to_pylist()) == [
        "C81001", "C81002", "C81003"]
    assert store.values("practice", "practice_code", exclude="gp/2024-01").to_pylist() == [
        "C81003"]


def test_manifest_records_each_batch(store: RecordStore, tmp_path: Path) -> None:
    store.commit(load_folder(write(tmp_path, "gp", "2024-01", january()), store=store))
    manifest = json.loads(store.manifest_path.read_text())
    entry = manifest["batches"]["gp/2024-01"]
    assert manifest["format"] == 1
    assert (entry["source"], entry["period"]) == ("gp", "2024-01")
    assert len(entry["fingerprint"]) == 64
    assert entry["rows"] == {"locality": 2, "practice": 2, "person": 3, "diagnosis": 3}
    assert parquet_files(store) == listed_files(store)
    assert not (store.root / ".manifest.json.tmp").exists()


def test_a_failed_replacement_never_overwrites_live_files_even_with_similar_fingerprints(
        store: RecordStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fingerprints alike in their first characters still get files of their own."""
    from ltc.records.schema import TABLES
    from ltc.records.store import Batch

    def batch(fingerprint: str, locality: str) -> Batch:
        return Batch("gp", "2030-01", fingerprint, {
            "locality": pa.table({"locality_code": [locality], "name": ["x"]},
                                 schema=TABLES["locality"].arrow_schema),
            "practice": pa.table({"practice_code": ["P1"], "name": ["p"],
                                  "locality_code": [locality], "list_size": [5000]},
                                 schema=TABLES["practice"].arrow_schema)})

    store.commit(batch("synth-50000-1-2025-03-31-gp", "OLD"))
    before = snapshot(store.root)
    _failing_write_table(monkeypatch, fail_on=2)
    with pytest.raises(OSError, match="No space left"):
        store.commit(batch("synth-50000-2-2025-03-31-gp", "NEW"))
    assert snapshot(store.root) == before
    monkeypatch.undo()
    localities = store.arrow("locality")
    assert "OLD" in localities.column("locality_code").to_pylist()
    assert "NEW" not in localities.column("locality_code").to_pylist()


# -- a batch never silently replaces another (ltc.records.replacement) ----------------------

def _january_staged(store: RecordStore, folder: Path, tmp_path: Path) -> Any:
    staging = tmp_path / "staging"
    staging.mkdir(exist_ok=True)
    for old in staging.iterdir():
        old.unlink()
    return load_folder(folder, store=store, staging=staging)


def test_a_corrected_extract_replaces_its_batch_with_a_report(store: RecordStore,
                                                              tmp_path: Path) -> None:
    from ltc.records import replacement

    store.commit(load_folder(write(tmp_path, "gp", "2024-01", january()), store=store))
    corrected = january()
    corrected["person.csv"] = csv(PERSON, [person(N[0]), person(N[1]), person(N[2], "C81002"),
                                           person(N[4])])
    corrected["diagnosis.csv"] = csv(DIAGNOSIS, [diagnosis(N[0], "D1"), diagnosis(N[1], "D2")])
    folder = write(tmp_path, "gp", "2024-01", corrected)
    for batch in (load_folder(folder, store=store), _january_staged(store, folder, tmp_path)):
        found = replacement.check(store, batch)
        assert found is not None
        assert (found.batch, found.people_before, found.people_after, found.shared) == (
            "gp/2024-01", 3, 4, 3)
        assert found.rows_before["diagnosis"] == 3
        assert found.rows_after["diagnosis"] == 2
        text = "\n".join(found.lines())
        assert "replaces batch gp/2024-01: people 3 -> 4 (3 in both), rows 10 -> 10" in text
        assert "diagnosis: 3 -> 2 rows" in text
        assert "person: 3 -> 4 rows" in text
    assert store.commit(load_folder(folder, store=store)).status == "replaced"
    # the same batch again replaces nothing
    assert replacement.check(store, load_folder(folder, store=store)) is None


def test_a_different_extract_under_the_same_name_is_refused_unless_replace(
        store: RecordStore, tmp_path: Path) -> None:
    from ltc.records import replacement

    store.commit(load_folder(write(tmp_path, "gp", "2024-01", january()), store=store))
    before = snapshot(store.root)
    other = january()
    other["person.csv"] = csv(PERSON, [person(N[0]), person(N[5]), person(N[6])])
    other["diagnosis.csv"] = csv(DIAGNOSIS, [diagnosis(N[5], "D9")])
    batch = load_folder(write(tmp_path, "gp", "2024-01", other), store=store)
    with pytest.raises(replacement.ReplacementRefusedError) as refused:
        replacement.check(store, batch)
    message = str(refused.value)
    assert "batch gp/2024-01 is already stored with 3 people" in message
    assert "only 1 of the 3 people in the new extract (33%)" in message
    assert "--replace" in message
    assert "Nothing was changed" in message
    assert snapshot(store.root) == before
    found = replacement.check(store, batch, replace=True)
    assert found is not None
    assert found.shared == 1
    assert store.commit(batch).status == "replaced"
    assert sorted(store.arrow("person").column("nhs_number").to_pylist()) == sorted(
        [N[0], N[5], N[6]])


def test_the_manifest_keeps_what_was_skipped(store: RecordStore, tmp_path: Path) -> None:
    from ltc.records.summary import skipped, skipped_lines

    batch = load_folder(write(tmp_path, "gp", "2024-01", january()), store=store)
    store.commit(batch)
    assert store.batches()["gp/2024-01"]["skipped"] == {}
    assert skipped_lines(store) == ["Skipped at ingest: nothing."]
    other = Batch("synthea-fhir-0000abcd", "2021-03", "f", {}, skipped={"Procedure": 5,
                                                                     "Goal": 2})
    store.commit(other)
    assert store.batches()["synthea-fhir-0000abcd/2021-03"]["skipped"] == {
        "Goal": 2, "Procedure": 5}
    assert skipped(store) == [("synthea-fhir-0000abcd/2021-03", "Procedure", 5),
                              ("synthea-fhir-0000abcd/2021-03", "Goal", 2)]
    assert skipped_lines(store)[1] == "  synthea-fhir-0000abcd/2021-03: Procedure 5, Goal 2"
