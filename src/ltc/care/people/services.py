"""Loading a stratification run into the care store, and reading a person (STRAT-5).

The run comes as files (:mod:`ltc.care.people.run_files`); the care plane never imports
the pipeline. :func:`load_run` copies a run's per-person results (level, why, risk,
scores) and the people's demographics from the record store. Loading is all-or-nothing (the caller's
transaction) and loading the same run again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ltc.care import bulk
from ltc.care.achievement import loader as achievement_loader
from ltc.care.casemgmt import changes
from ltc.care.db import copy_rows
from ltc.care.medicines import loader as medicines_loader
from ltc.care.people.models import Person, PersonActivity, PersonResult, StratRun
from ltc.care.people.run_files import KeptRun
from ltc.care.recall import loader as recall_loader

RESULT_COLUMNS = ("nhs_number", "level", "locality_code", "practice_code", "level_basis",
                  "reasons", "risk", "risk_percentile",
                  "age", "ltc_count", "emergency_12m", "charlson", "efi", "efi_category",
                  "hfrs", "cms", "known_to_community_nursing", "known_to_social_care")
PERSON_COLUMNS = ("nhs_number", "date_of_birth", "sex", "practice_code", "postcode_district",
                  "date_of_death")
#: who the person is (for the patient banner), copied from the record store's person table
IDENTITY_COLUMNS = ("given_name", "family_name", "address", "postcode")


@dataclass(frozen=True)
class Loaded:
    run_id: str
    people: int
    already: bool


def _upsert_people(session: Session, rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = make(Person)
    columns = [c for c in rows[0] if c != "nhs_number"]
    stmt = stmt.on_conflict_do_update(index_elements=["nhs_number"],
                                      set_={c: stmt.excluded[c] for c in columns})
    session.execute(stmt, rows)


def _copy_people(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert or update people through a temporary table filled by COPY."""
    columns = list(rows[0])
    session.execute(text("CREATE TEMP TABLE IF NOT EXISTS person_load "
                         "(LIKE person INCLUDING DEFAULTS) ON COMMIT DROP"))
    session.execute(text("TRUNCATE person_load"))
    copy_rows(session, "person_load", rows)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "nhs_number")
    names = ", ".join(columns)
    session.execute(text(f"INSERT INTO person ({names}) SELECT {names} FROM person_load "
                         f"ON CONFLICT (nhs_number) DO UPDATE SET {updates}"))


def load_run(session: Session, run: KeptRun, demographics: pa.Table | None = None,
             registers: dict[str, str] | None = None,
             activity: Iterable[pa.RecordBatch] = (),
             practices: pa.Table | None = None) -> Loaded:
    """Load ``run`` (read from its files, :mod:`ltc.care.people.run_files`) and make it the
    current run. ``demographics`` is the record store's
    ``person`` table (date of birth, postcode district, date of death, name, address and
    postcode), ``registers``
    each person's disease registers on the run's index date and ``activity`` their recent
    activity (:func:`ltc.care.people.activity.build`), when available. The activity of
    earlier runs is removed. The run's recall statuses are loaded with it
    (:func:`ltc.care.recall.loader.load`; ``practices``, the record store's practice
    table, names the practices on invitations)."""
    if session.get(StratRun, run.id) is not None:
        session.execute(update(StratRun).values(current=(StratRun.id == run.id)))
        changes.bump(session)
        return Loaded(run.id, 0, already=True)
    people = run.people([*RESULT_COLUMNS, "sex"])
    session.add(StratRun(id=run.id, as_of=run.as_of,
                         people=people.num_rows, current=False,
                         model_version=_model_version(run.meta.get("model"))))
    session.flush()
    base = people.select(["nhs_number", "sex", "practice_code", "locality_code"])
    if demographics is not None:
        extra = demographics.select(["nhs_number", "date_of_birth", "postcode_district",
                                     "date_of_death", *(c for c in IDENTITY_COLUMNS
                                                        if c in demographics.column_names)])
        extra = extra.set_column(0, "nhs_number", extra["nhs_number"].cast(
            base.schema.field("nhs_number").type))
        base = base.join(extra, "nhs_number", join_type="left outer")
    postgres = session.get_bind().dialect.name == "postgresql"
    for rows in bulk.rows(base):
        if postgres:
            _copy_people(session, rows)
        else:
            _upsert_people(session, rows)
    results = people.select(list(RESULT_COLUMNS)).append_column(
        "run_id", pa.array([run.id] * people.num_rows, pa.string()))
    for rows in bulk.rows(results):
        for row in rows:
            row["reasons"] = row["reasons"] or ""
            row["registers"] = (registers or {}).get(row["nhs_number"], "")
            row["known_to_community_nursing"] = bool(row["known_to_community_nursing"])
            row["known_to_social_care"] = bool(row["known_to_social_care"])
        if postgres:
            copy_rows(session, PersonResult.__tablename__, rows)
        else:
            session.execute(insert(PersonResult), rows)
    in_run = set(people["nhs_number"].to_pylist())
    for batch in activity:
        rows = [dict(r, run_id=run.id) for r in batch.to_pylist() if r["nhs_number"] in in_run]
        if not rows:
            continue
        if postgres:
            copy_rows(session, PersonActivity.__tablename__, rows)
        else:
            session.execute(insert(PersonActivity), rows)
    recall_loader.load(session, run, demographics, practices)
    medicines_loader.load(session, run)
    achievement_loader.load(session, run)
    session.execute(delete(PersonActivity).where(PersonActivity.run_id != run.id))
    session.execute(update(StratRun).values(current=(StratRun.id == run.id)))
    changes.bump(session)  # the rows above went in without the ORM seeing them
    session.flush()
    if postgres:  # the planner's statistics, so the worklist and summary reads use indexes
        for table in (Person, PersonResult, PersonActivity):
            session.execute(text(f"ANALYZE {table.__tablename__}"))
    return Loaded(run.id, people.num_rows, already=False)


def vacuum_loaded(engine: Engine) -> None:
    """On PostgreSQL, once a load has committed: VACUUM (ANALYZE) the tables it filled, so
    the first minutes after it do not pay for the vacuum the new rows still owe (their hint
    bits, autovacuum's pass after many inserts; see docs/benchmarks.md, real-time events).
    Outside any transaction, as VACUUM must be. Nothing to do on SQLite."""
    if engine.dialect.name != "postgresql":
        return
    names = ", ".join(t.__tablename__ for t in (Person, PersonResult, PersonActivity,
                                                 *recall_loader.TABLES,
                                                 *medicines_loader.TABLES,
                                                 *achievement_loader.TABLES))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f"VACUUM (ANALYZE) {names}"))


def _model_version(model: Any) -> str | None:
    if not model:
        return None
    if isinstance(model, dict):
        return str(model.get("name") or model.get("kind") or model)[:200]
    return str(model)[:200]


def current_run(session: Session) -> StratRun | None:
    return session.scalar(select(StratRun).where(StratRun.current.is_(True)))


def result(session: Session, nhs_number: str) -> PersonResult | None:
    run = current_run(session)
    if run is None:
        return None
    return session.get(PersonResult, (run.id, nhs_number))


def load_from_folder(session: Session, data_dir: Path, run_id: str = "latest") -> Loaded:
    """Load ``run_id`` of ``data_dir/runs`` (its files, in the hand-over format of
    :mod:`ltc.care.people.run_files`) with demographics from its record store."""
    from ltc.care.people import activity, run_files
    from ltc.records import registers as regs
    from ltc.records.store import RecordStore

    run = run_files.read(data_dir, run_id)
    store = RecordStore(data_dir / "records")
    if not store.files("person"):
        return load_run(session, run)
    members = regs.members(store.connect(), run.as_of)
    grouped = members.group_by("nhs_number").aggregate(
        registers=members.register.group_concat(",")).to_pyarrow()
    by_person = dict(zip(grouped["nhs_number"].to_pylist(), grouped["registers"].to_pylist(),
                         strict=True))
    return load_run(session, run, store.arrow("person"), by_person,
                    activity.build(store, run.as_of),
                    store.arrow("practice") if store.files("practice") else None)
