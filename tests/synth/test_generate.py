"""The synthetic health community: determinism, structure, the direct path (POP-1, POP-2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ibis
import numpy as np
import pyarrow.compute as pc
import pytest

from ltc.codes import nhs_number
from ltc.records.schema import TABLES
from ltc.records.store import RecordStore, hash_files
from ltc.synth.generate import Options, write_extracts, write_store
from ltc.synth.population import MAX_PRACTICE, MIN_PRACTICE

from .conftest import Built, build


def test_same_seed_gives_identical_extracts_and_another_seed_does_not(tmp_path: Path) -> None:
    write_extracts(tmp_path / "a", Options(3_000, seed=5), tmp_path / "ta")
    write_extracts(tmp_path / "b", Options(3_000, seed=5), tmp_path / "tb")
    write_extracts(tmp_path / "c", Options(3_000, seed=6), tmp_path / "tc")
    assert hash_files(tmp_path / "a") == hash_files(tmp_path / "b")
    assert hash_files(tmp_path / "ta") == hash_files(tmp_path / "tb")
    assert hash_files(tmp_path / "a") != hash_files(tmp_path / "c")


def test_extracts_follow_the_documented_layout(community: Built) -> None:
    sources = {p.name for p in community.extracts.iterdir()}
    assert sources == {"gp", "acute", "ambulance", "community", "social_care", "pharmacy"}
    for csv in community.extracts.rglob("*.csv"):
        header = csv.open().readline().strip().split(",")
        assert header == [f.name for f in TABLES[csv.stem].extract_fields], csv


def test_people_have_valid_unique_nhs_numbers_and_england_age_structure(
        community: Built) -> None:
    person = community.store.arrow("person")
    numbers = np.asarray(person["nhs_number"].to_numpy(zero_copy_only=False), dtype=str)
    assert len(numbers) == 50_000 == len(set(numbers))
    assert nhs_number.valid_mask(numbers).all()
    dob = np.asarray(person["date_of_birth"].to_numpy(zero_copy_only=False),
                     dtype="datetime64[D]")
    age = (np.datetime64("2025-03-31") - dob).astype(int) / 365.25
    # ONS mid-2023 England: 18.7% aged 65+, 2.5% aged 85+
    assert 0.175 < (age >= 65).mean() < 0.20
    assert 0.020 < (age >= 85).mean() < 0.030
    male = pc.sum(pc.equal(person["sex"], "M")).as_py() / len(numbers)
    assert 0.47 < male < 0.51


def test_practices_and_localities(community: Built) -> None:
    practice = community.store.arrow("practice")
    sizes = practice["list_size"].to_pylist()
    assert all(MIN_PRACTICE <= s <= MAX_PRACTICE for s in sizes)
    assert sum(sizes) == 50_000
    assert community.store.arrow("locality").num_rows >= 2
    person = community.store.arrow("person")
    # deprivation varies by practice: mean IMD decile differs across practices
    con = community.store.connect()
    p = con.table("person")
    means = p.group_by("practice_code").aggregate(m=p.imd_decile.mean()).to_pyarrow()["m"]
    assert max(means.to_pylist()) - min(means.to_pylist()) > 1.5
    assert set(pc.unique(person["imd_decile"]).to_pylist()) == set(range(1, 11))


def test_service_use_is_close_to_england_rates(community: Built) -> None:
    """Per person-year over the 3-year history, against the project's reference figures."""
    con = community.store.connect()
    person_years = 50_000 * 3
    rate = {name: con.table(name).count().execute() / person_years
            for name in ("gp_consultation", "outpatient_attendance", "ae_attendance",
                         "ambulance_incident")}
    s = con.table("inpatient_spell")
    emergency = s.filter(s.admission_method.isin(
        ["21", "22", "23", "24", "25", "2A", "2B", "2C", "2D", "28"])).count().execute()
    assert 4.0 < rate["gp_consultation"] < 6.5
    assert 1.2 < rate["outpatient_attendance"] < 2.0
    assert 0.35 < rate["ae_attendance"] < 0.55
    assert 0.12 < rate["ambulance_incident"] < 0.22
    assert 0.09 < emergency / person_years < 0.13
    amb = con.table("ambulance_incident")
    conveyed = amb.conveyed.mean().execute()
    assert 0.4 < conveyed < 0.65


def test_multimorbidity_rises_with_age_and_deprivation(community: Built) -> None:
    from ltc.records.registers import members

    con = community.store.connect()
    m = members(con, date(2025, 3, 31))
    counts = m.group_by("nhs_number").aggregate(n=m.count())
    p = con.table("person")
    joined = p.left_join(counts, "nhs_number").mutate(
        multi=(counts.n.fill_null(0) >= 2).ifelse(1, 0),
        old=(p.date_of_birth <= date(1960, 3, 31)).ifelse(1, 0))
    by_age = joined.group_by("old").aggregate(share=joined.multi.mean()).to_pyarrow()
    shares = dict(zip(by_age["old"].to_pylist(), by_age["share"].to_pylist(), strict=True))
    assert shares[1] > 3 * shares[0]
    by_dep = joined.group_by("imd_decile").aggregate(share=joined.multi.mean()).to_pyarrow()
    dep = dict(zip(by_dep["imd_decile"].to_pylist(), by_dep["share"].to_pylist(),
                   strict=True))
    assert dep[1] > 1.3 * dep[10]


def test_direct_path_stores_what_the_csv_path_stores(tmp_path: Path) -> None:
    via_csv = build(tmp_path / "csv", 4_000, seed=11).store
    direct = RecordStore(tmp_path / "direct" / "records")
    write_store(direct, Options(4_000, seed=11), tmp_path / "direct" / "truth")
    for name, spec in TABLES.items():
        a, b = via_csv.arrow(name), direct.arrow(name)
        assert a.num_rows == b.num_rows, name
        keys = [(k, "ascending") for k in ("nhs_number", *spec.key) if k in a.column_names]
        columns = [f.name for f in spec.fields]
        assert a.select(columns).sort_by(keys).equals(b.select(columns).sort_by(keys)), name


def test_ingesting_the_same_extracts_again_changes_nothing(community: Built) -> None:
    from ltc.records.ingest import csv_extract

    before = hash_files(community.store.root)
    for folder in csv_extract.batch_folders(community.extracts):
        result = community.store.commit(csv_extract.load_folder(folder, store=community.store))
        assert result.status == "unchanged"
    assert hash_files(community.store.root) == before


@pytest.mark.parametrize("people", [150, 2_999, 20_001])
def test_any_size_of_community_can_be_built(tmp_path: Path, people: int) -> None:
    store = RecordStore(tmp_path / "records")
    write_store(store, Options(people, seed=3), tmp_path / "truth")
    assert store.arrow("person").num_rows == people
    sizes = store.arrow("practice")["list_size"].to_pylist()
    assert sum(sizes) == people
    if people >= MIN_PRACTICE:
        assert min(sizes) >= MIN_PRACTICE


def test_no_event_before_birth_or_after_death(community: Built) -> None:
    con = community.store.connect()
    p = con.table("person")
    for name, spec in TABLES.items():
        if name in ("person", "identity_map") or "nhs_number" not in spec.arrow_schema.names:
            continue
        column = next(f.name for f in spec.fields if f.kind == "date")
        t = con.table(name)
        j = t.join(p, "nhs_number")
        outside = j.filter((j[column] < j.date_of_birth) | (j[column] > j.date_of_death))
        assert outside.count().execute() == 0, name


def test_polypharmacy_rises_with_the_number_of_conditions(community: Built) -> None:
    from ltc.records.registers import members

    con = community.store.connect()
    m = members(con, date(2025, 3, 31))
    conditions = m.group_by("nhs_number").aggregate(n=m.count())
    rx = con.table("prescription")
    last_year = rx.filter(rx.date >= date(2024, 4, 1))
    drugs = last_year.group_by("nhs_number").aggregate(d=last_year.drug_code.nunique())
    p = con.table("person").select("nhs_number")
    j = p.left_join(conditions, "nhs_number").select("nhs_number", "n")
    j = j.left_join(drugs, "nhs_number").select("nhs_number", "n", "d")
    j = j.mutate(n=j.n.fill_null(0), d=j.d.fill_null(0))
    by = j.group_by(band=ibis.least(j.n, 4)).aggregate(d=j.d.mean()).to_pyarrow()
    mean = dict(zip(by["band"].to_pylist(), by["d"].to_pylist(), strict=True))
    assert mean[0] < mean[1] < mean[2] < mean[3] < mean[4]
    assert mean[4] >= 5  # polypharmacy (5+ medicines) is usual with 4+ conditions
