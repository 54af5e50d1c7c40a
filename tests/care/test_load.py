"""A real stratification run loaded into the care store: every person once, levels as in
the run, registers from the record store; loading again changes nothing (STRAT-5)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.compute as pc
from sqlalchemy import func, select

from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.care.people.services import load_from_folder
from ltc.pipeline import levels, runs, stratify
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_store


def test_a_run_loads_once_and_again_harmlessly(care_url: str, tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    write_store(store, Options(people=1500, seed=5))
    con = store.connect()
    table = stratify.people(con, date(2025, 3, 31), levels.load())
    run = runs.save(tmp_path, table, {"as_of": "2025-03-31", "engine": "duckdb"})
    factory = sessions(make_engine(care_url))
    with unit_of_work(factory) as s:
        first = load_from_folder(s, tmp_path, run.id)
    with unit_of_work(factory) as s:
        again = load_from_folder(s, tmp_path, run.id)
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
