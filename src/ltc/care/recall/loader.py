"""Loading a run's recall statuses into the care store (DM-2): the run folder's
``recall.parquet`` (the hand-over format in README.md) becomes the run's recall items, a
row per person summing them up for the recall lists, and, from the record store, the
people's telephone numbers and the practices' names for the invitations.

It runs inside the people loader's transaction (:func:`ltc.care.people.services.load_run`
calls :func:`load`), so a run loads with its recall statuses or not at all; a run without
``recall.parquet`` loads as before, with no recall items. The items of earlier runs are
removed. The reviews recorded in the care store after the new run's index date are
applied to it again (the run could not know them); those on or before it are the run's
to judge: the run's statuses supersede them.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from ltc.care.bulk import insert_table, with_run
from ltc.care.bulk import read as read_file
from ltc.care.people.run_files import KeptRun, RunFileError
from ltc.care.recall import reviews
from ltc.care.recall.models import (
    DUE,
    STATUSES,
    Practice,
    RecallContact,
    RecallItem,
    RecallPerson,
    RecallReview,
)

RECALL = "recall.parquet"
#: the columns the care plane relies on, and their types
REQUIRED = {"nhs_number": pa.string(), "practice_code": pa.string(),
            "condition": pa.string(), "item": pa.string(), "status": pa.string(),
            "due_on": pa.date32(), "last_done_on": pa.date32(), "last_value": pa.float64()}
#: columns read when present (empty when not)
OPTIONAL = {"last_value_2": pa.float64(), "target_met": pa.bool_()}
#: the tables a load fills in bulk (vacuumed after it on PostgreSQL, with the people's:
#: their lists read them from their indexes alone)
TABLES = (RecallItem, RecallPerson)


def read(run: KeptRun) -> pa.Table | None:
    """The run's recall statuses, checked (None: the run kept none)."""
    path = run.folder / RECALL
    out = read_file(path, REQUIRED, OPTIONAL)
    if out is None:
        return None
    _check(path, out)
    for name in ("last_value", "last_value_2"):  # NaN is no value
        values = out[name]
        out = out.set_column(out.column_names.index(name), name,
                             pc.if_else(pc.is_nan(values), pa.scalar(None, pa.float64()),
                                        values))
    return out


def _check(path: Any, table: pa.Table) -> None:
    for name in ("nhs_number", "condition", "item", "status"):
        empty = pc.is_null(table[name])
        if pc.any(empty).as_py():
            row = pc.index(empty, True).as_py()
            raise RunFileError(f"{path}, row {row + 1}: {name} is empty; every row needs one")
    wrong = pc.invert(pc.is_in(table["status"], pa.array(list(STATUSES))))
    if pc.any(wrong).as_py():
        row = pc.index(wrong, True).as_py()
        raise RunFileError(f"{path}, row {row + 1}: status {table['status'][row].as_py()!r}"
                           f" is not a recall status; expected one of {', '.join(STATUSES)}")
    lengths = pc.utf8_length(table["nhs_number"])
    bad = pc.not_equal(lengths, 10)
    if pc.any(bad).as_py():
        row = pc.index(bad, True).as_py()
        raise RunFileError(f"{path}, row {row + 1}: nhs_number "
                           f"{table['nhs_number'][row].as_py()!r} is not 10 digits")


def summary(items: pa.Table) -> pa.Table:
    """One row per person with items due: the earliest due date and how many are due."""
    due = items.filter(pc.is_in(items["status"], pa.array(list(DUE))))
    grouped = due.group_by(["nhs_number", "practice_code"], use_threads=False).aggregate(
        [("due_on", "min"), ("status", "count")])
    return pa.table({"nhs_number": grouped["nhs_number"],
                     "practice_code": grouped["practice_code"],
                     "first_due_on": grouped["due_on_min"],
                     "due_items": grouped["status_count"].cast(pa.int64())})


def _contacts(session: Session, items: pa.Table, demographics: pa.Table | None) -> None:
    session.execute(delete(RecallContact))
    if demographics is None or "telephone" not in demographics.column_names:
        return
    people = demographics.select(
        ["nhs_number", "telephone", *(["preferred_contact"] if "preferred_contact"
                                       in demographics.column_names else [])])
    people = people.set_column(0, "nhs_number", people["nhs_number"].cast(pa.string()))
    wanted = pc.is_in(people["nhs_number"], pc.unique(items["nhs_number"]))
    people = people.filter(pc.and_(wanted, pc.is_valid(people["telephone"])))
    if "preferred_contact" not in people.column_names:
        people = people.append_column("preferred_contact",
                                      pa.nulls(people.num_rows, pa.string()))
    insert_table(session, RecallContact, people.select(
        ["nhs_number", "telephone", "preferred_contact"]).cast(pa.schema(
            [("nhs_number", pa.string()), ("telephone", pa.string()),
             ("preferred_contact", pa.string())])))


def _practices(session: Session, practices: pa.Table | None) -> None:
    if practices is None or not {"practice_code", "name"} <= set(practices.column_names):
        return
    session.execute(delete(Practice))
    named = practices.select(["practice_code", "name"]).cast(pa.schema(
        [("practice_code", pa.string()), ("name", pa.string())]))
    named = named.filter(pc.and_(pc.is_valid(named["practice_code"]),
                                 pc.is_valid(named["name"])))
    insert_table(session, Practice, named)


def load(session: Session, run: KeptRun, demographics: pa.Table | None = None,
         practices: pa.Table | None = None) -> int:
    """Load ``run``'s recall statuses (its run id already in ``strat_run``); the number of
    items loaded (0 when the run kept none). ``demographics`` is the record store's
    person table (telephone numbers), ``practices`` its practice table (names)."""
    items = read(run)
    session.execute(delete(RecallPerson).where(RecallPerson.run_id != run.id))
    session.execute(delete(RecallItem).where(RecallItem.run_id != run.id))
    if items is None:
        return 0
    insert_table(session, RecallItem, with_run(items.select([*REQUIRED, *OPTIONAL]), run.id))
    insert_table(session, RecallPerson, with_run(summary(items), run.id))
    _contacts(session, items, demographics)
    _practices(session, practices)
    later = session.scalars(select(RecallReview).where(RecallReview.on > run.as_of)
                            .order_by(RecallReview.on, RecallReview.id)).all()
    for review in later:
        reviews.apply(session, run.id, review)
    if session.get_bind().dialect.name == "postgresql":
        for model in (RecallItem, RecallPerson):
            session.execute(text(f"ANALYZE {model.__tablename__}"))
    return int(items.num_rows)
