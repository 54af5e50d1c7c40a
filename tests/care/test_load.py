"""A real stratification run loaded into the care store: every person once, levels as in
the run, registers from the record store; loading again changes nothing (STRAT-5)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pyarrow.compute as pc
from sqlalchemy import func, select, text

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people import activity
from ltc.care.people.models import Person, PersonActivity, PersonResult, StratRun
from ltc.care.people.services import load_from_folder, vacuum_loaded
from ltc.pipeline import levels, runs, stratify
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_store
from ltc.web.people.pages import summary


def test_a_run_loads_once_and_again_harmlessly(care_url: str, tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    write_store(store, Options(people=1500, seed=5))
    con = store.connect()
    table = stratify.people(con, date(2025, 3, 31), levels.load())
    run = runs.save(tmp_path, table, {"as_of": "2025-03-31", "engine": "duckdb"})
    engine = make_engine(care_url)
    factory = sessions(engine)
    with unit_of_work(factory) as s:
        first = load_from_folder(s, tmp_path, run.id)
    with unit_of_work(factory) as s:
        again = load_from_folder(s, tmp_path, run.id)
    vacuum_loaded(engine)  # what ltc care load-run does next: PostgreSQL only
    if care_url.startswith("postgresql"):
        with engine.connect() as c:
            vacuumed = c.execute(text(
                "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL "
                "AND last_analyze IS NOT NULL AND schemaname = current_schema()")).scalars()
            assert {"person", "person_result", "person_activity"} <= set(vacuumed)
    assert first.people == table.num_rows
    assert not first.already
    assert again.already
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(PersonResult)) == table.num_rows
        assert s.scalar(select(func.count()).select_from(Person)) == table.num_rows
        assert s.scalar(select(func.count()).select_from(StratRun)) == 1
        level3 = s.scalar(select(func.count()).select_from(PersonResult).where(
            PersonResult.level == 3))
        assert level3 == pc.sum(pc.equal(table["level"], 3)).as_py()
        with_registers = s.scalar(select(func.count()).select_from(PersonResult).where(
            PersonResult.registers != ""))
        assert with_registers == pc.sum(pc.greater(table["ltc_count"], 0)).as_py()
        born = s.scalar(select(func.count()).select_from(Person).where(
            Person.date_of_birth.is_not(None)))
        assert born == table.num_rows


def test_a_later_run_updates_people_and_becomes_current(care_url: str, tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    write_store(store, Options(people=800, seed=6))
    con = store.connect()
    factory = sessions(make_engine(care_url))
    made, everyone = [], set()
    for as_of in (date(2024, 3, 31), date(2025, 3, 31)):
        table = stratify.people(con, as_of, levels.load())
        run = runs.save(tmp_path, table, {"as_of": as_of.isoformat(), "engine": "duckdb"})
        with unit_of_work(factory) as s:
            load_from_folder(s, tmp_path, run.id)
        made.append((run.id, table.num_rows))
        everyone |= set(table["nhs_number"].to_pylist())
    with factory() as s:
        current = s.scalar(select(StratRun).where(StratRun.current.is_(True)))
        assert current is not None
        assert current.id == made[1][0]
        assert s.scalar(select(func.count()).select_from(StratRun)) == 2
        people = s.scalar(select(func.count()).select_from(Person))
        assert people == len(everyone)  # upserted, never duplicated
        for run_id, n in made:
            assert s.scalar(select(func.count()).select_from(PersonResult).where(
                PersonResult.run_id == run_id)) == n


def _expected_activity(store: RecordStore, nhs_number: str,
                       as_of: date) -> tuple[list[tuple[date, str, str]], dict[str, int]]:
    """A person's encounters and last year's medicines straight from the store's tables."""
    seen: list[tuple[date, str, str]] = []
    for table, column, label, detail in activity.ENCOUNTERS:
        if not store.files(table):
            continue
        rows = store.arrow(table).filter(pc.equal(pc.field("nhs_number"), nhs_number))
        seen += [(r[column], label, "" if r[detail] is None else str(r[detail]))
                 for r in rows.to_pylist() if r[column] is not None]
    issued = store.arrow("prescription").filter(pc.equal(pc.field("nhs_number"), nhs_number))
    medicines: dict[str, int] = {}
    for r in issued.to_pylist():
        if as_of - timedelta(days=activity.MEDICINES_DAYS) < r["date"] <= as_of:
            medicines[r["drug_name"]] = medicines.get(r["drug_name"], 0) + 1
    return seen, medicines


def test_loading_keeps_each_persons_recent_activity(care_url: str, tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    write_store(store, Options(people=600, seed=8))
    as_of = date(2025, 3, 31)
    table = stratify.people(store.connect(), as_of, levels.load())
    run = runs.save(tmp_path, table, {"as_of": as_of.isoformat(), "engine": "duckdb"})
    factory = sessions(make_engine(care_url))
    with unit_of_work(factory) as s:
        load_from_folder(s, tmp_path, run.id)
    with factory() as s:
        stored = {a.nhs_number: a for a in s.scalars(select(PersonActivity))}
        assert len(stored) > 300
        busiest = sorted(stored, key=lambda n: len(stored[n].encounters or ""))
        checked = 0
        for nhs in busiest[-5:] + busiest[:5]:
            seen, medicines = _expected_activity(store, nhs, as_of)
            shown = activity.encounters(stored[nhs].encounters)
            assert len(shown) == min(len(seen), activity.LATEST)
            assert [e.on for e in shown] == sorted((d for d, _, _ in seen),
                                                   reverse=True)[:activity.LATEST]
            if len(seen) <= activity.LATEST:
                assert sorted((e.on, e.kind, e.detail) for e in shown) == sorted(seen)
            listed = activity.medicines(stored[nhs].medicines)
            assert {m.name: m.issues for m in listed} == medicines
            assert [m.last_issued for m in listed] == sorted(
                (m.last_issued for m in listed), reverse=True)
            checked += len(seen) > activity.LATEST
        assert checked, "no person had more encounters than the summary keeps"
        person = busiest[-1]
        s.get(Person, person)
        shown_summary = summary(s, person)
        assert shown_summary["encounters"] == activity.encounters(stored[person].encounters)
        assert shown_summary["medicines"] == activity.medicines(stored[person].medicines)

    # a later run replaces the activity; the earlier run's rows go
    later = runs.save(tmp_path, table, {"as_of": as_of.isoformat(), "engine": "duckdb"})
    with unit_of_work(factory) as s:
        load_from_folder(s, tmp_path, later.id)
    with factory() as s:
        runs_kept = set(s.scalars(select(PersonActivity.run_id).distinct()))
        assert runs_kept == {later.id}
