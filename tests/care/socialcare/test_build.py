"""A person's social care kept with the run's activity (POP-2, CM-5), built from a small
record store whose packages and contacts are known by hand:

==========  ======  ==========  ==========  =====  =========
person      record  start       end         hours  intensity
==========  ======  ==========  ==========  =====  =========
A           p1      5 Jan 2023  1 Feb 2024  4.5    low
A           p2      2 Feb 2024  (open)      21     high
B           (none)
==========  ======  ==========  ==========  =====  =========

Contacts: A assessed 1 Jan 2023 and 10 Jan 2024, reviewed 1 Jun 2024, a contact on
3 Mar 2025; B reviewed 1 Jun 2024 only. A also has a GP consultation, so the encounters
and social care of one person come out on one row, and the social care contacts are not
among the encounters every reader sees.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import select

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people import activity
from ltc.care.people.models import PersonActivity
from ltc.care.people.services import load_from_folder
from ltc.care.socialcare.summary import Package, SocialCare
from ltc.pipeline import levels, runs, stratify
from ltc.records.schema import TABLES
from ltc.records.store import Batch, RecordStore
from ltc.synth.generate import Options, write_store

A, B = "9434765919", "9000000009"
AS_OF = date(2025, 3, 31)


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=TABLES[name].arrow_schema)


def _store(root: Path, tables: dict[str, pa.Table]) -> RecordStore:
    store = RecordStore(root / "records")
    store.commit(Batch("social_care", "2025-03", "hand-made", tables))
    return store


def _hand_known(root: Path) -> RecordStore:
    packages = [
        {"nhs_number": A, "record_id": "p1", "start_date": date(2023, 1, 5),
         "end_date": date(2024, 2, 1), "hours_per_week": 4.5, "intensity": "low"},
        {"nhs_number": A, "record_id": "p2", "start_date": date(2024, 2, 2),
         "end_date": None, "hours_per_week": 21.0, "intensity": "high"}]
    contacts = [(A, "c1", date(2023, 1, 1), "assessment"),
                (A, "c2", date(2024, 1, 10), "assessment"),
                (A, "c3", date(2024, 6, 1), "review"),
                (A, "c4", date(2025, 3, 3), "contact"),
                (B, "c5", date(2024, 6, 1), "review")]
    return _store(root, {
        "social_care_package": _table("social_care_package", packages),
        "social_care_contact": _table("social_care_contact", [
            {"nhs_number": n, "record_id": r, "date": d, "kind": k}
            for n, r, d, k in contacts]),
        "gp_consultation": _gp()})


def _gp() -> pa.Table:
    """A's GP consultation of 7 January 2025."""
    return _table("gp_consultation", [{"nhs_number": A, "record_id": "g1",
                                       "date": date(2025, 1, 7), "staff": "gp",
                                       "mode": "face_to_face"}])


def _built(store: RecordStore) -> dict[str, dict[str, Any]]:
    return {r["nhs_number"]: r for batch in activity.build(store, AS_OF)
            for r in batch.to_pylist()}


def test_packages_newest_first_and_the_latest_of_each_kind_of_contact(tmp_path: Path) -> None:
    built = _built(_hand_known(tmp_path))
    assert set(built) == {A, B}
    assert activity.social_care(built[A]["social_care"]) == SocialCare(
        packages=(Package(date(2024, 2, 2), None, 21.0, "high"),
                  Package(date(2023, 1, 5), date(2024, 2, 1), 4.5, "low")),
        assessment=date(2024, 1, 10), review=date(2024, 6, 1), contact=date(2025, 3, 3))
    shown = activity.social_care(built[A]["social_care"])
    assert [p.start for p in shown.current] == [date(2024, 2, 2)]
    assert [p.start for p in shown.earlier] == [date(2023, 1, 5)]
    assert activity.social_care(built[B]["social_care"]) == SocialCare(
        review=date(2024, 6, 1))
    # the encounters hold the GP consultation, not the social care contacts
    assert [(e.on, e.kind) for e in activity.encounters(built[A]["encounters"])] == [
        (date(2025, 1, 7), "GP consultation")]
    assert built[B]["encounters"] is None


def test_the_timeline_lines_of_packages_and_contacts(tmp_path: Path) -> None:
    shown = activity.social_care(_built(_hand_known(tmp_path))[A]["social_care"])
    assert sorted(shown.lines()) == sorted([
        (date(2024, 2, 2), "Social care package started", "high intensity, 21 hours a week"),
        (date(2023, 1, 5), "Social care package started", "low intensity, 4.5 hours a week"),
        (date(2024, 2, 1), "Social care package ended", "low intensity, 4.5 hours a week"),
        (date(2024, 1, 10), "Social care assessment", "latest recorded"),
        (date(2024, 6, 1), "Social care review", "latest recorded"),
        (date(2025, 3, 3), "Social care contact", "latest recorded")])


def test_a_store_without_social_care_keeps_none(tmp_path: Path) -> None:
    built = _built(_store(tmp_path, {"gp_consultation": _gp()}))
    assert built[A]["social_care"] is None
    assert activity.social_care(None) == SocialCare()
    assert not SocialCare().recorded


def test_a_social_care_contact_kept_among_an_earlier_loads_encounters_is_left_out() -> None:
    """Runs loaded before social care was kept apart stored its contacts as the kind after
    community contacts: they are not shown among the encounters every reader sees."""
    stored = json.dumps([["2025-01-02", str(len(activity.ENCOUNTERS)), "assessment"],
                         ["2025-01-01", "0", "telephone"]])
    assert [e.kind for e in activity.encounters(stored)] == ["GP consultation"]


def test_loading_a_run_keeps_each_persons_social_care(care_url: str, tmp_path: Path) -> None:
    """A synthetic community loaded into the care store: each person's kept social care
    equals their packages and contacts in the record store."""
    store = RecordStore(tmp_path / "records")
    write_store(store, Options(people=400, seed=8))
    table = stratify.people(store.connect(), AS_OF, levels.load())
    run = runs.save(tmp_path, table, {"as_of": AS_OF.isoformat(), "engine": "duckdb"})
    factory = sessions(make_engine(care_url))
    with unit_of_work(factory) as s:
        load_from_folder(s, tmp_path, run.id)
    packages: dict[str, list[Package]] = {}
    for r in store.arrow("social_care_package").to_pylist():
        packages.setdefault(r["nhs_number"], []).append(Package(
            r["start_date"], r["end_date"], r["hours_per_week"], r["intensity"]))
    latest: dict[tuple[str, str], date] = {}
    for r in store.arrow("social_care_contact").to_pylist():
        key = (r["nhs_number"], r["kind"])
        latest[key] = max(latest.get(key, r["date"]), r["date"])
    in_run = set(table["nhs_number"].to_pylist())
    with factory() as s:
        kept = {a.nhs_number: activity.social_care(a.social_care)
                for a in s.scalars(select(PersonActivity))}
    expected_people = set(packages) | {n for n, _ in latest}
    assert {n for n, sc in kept.items() if sc.recorded} == expected_people & in_run
    ends = [p.end for listed in packages.values() for p in listed]
    assert None in ends, "the community had no open package"
    assert any(ends), "the community had no ended package"
    for nhs in expected_people & in_run:
        want = SocialCare(
            packages=tuple(sorted(packages.get(nhs, []),
                                  key=lambda p: (p.start, p.end or date.max),
                                  reverse=True)),
            assessment=latest.get((nhs, "assessment")), review=latest.get((nhs, "review")),
            contact=latest.get((nhs, "contact")))
        assert kept[nhs] == want
