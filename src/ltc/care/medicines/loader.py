"""Loading a run's medicines into the care store (SC-3): the run folder's
``medicines.parquet`` (one row per person with a long-term medicine: the hand-over format
in README.md) becomes the run's :class:`~ltc.care.medicines.models.MedicinesPerson` rows.

It runs inside the people loader's transaction (:func:`ltc.care.people.services.load_run`
calls :func:`load`), so a run loads with its medicines or not at all; a run without
``medicines.parquet`` (an older run) loads as before, with nothing on the medicines
lists. The rows of earlier runs are removed. A file that cannot be used refuses the whole
run, naming the file, the row, the column and what was expected.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from ltc.care.bulk import (
    check_nhs_numbers,
    insert_table,
    read,
    refuse_negative,
    refuse_outside,
    refuse_where,
    with_run,
)
from ltc.care.medicines.models import SEPARATOR, MedicinesPerson
from ltc.care.people.run_files import KeptRun

MEDICINES = "medicines.parquet"
#: the columns the care plane reads, and their types (``ltc.pipeline.medicines.SCHEMA``)
COLUMNS = {"nhs_number": pa.string(), "practice_code": pa.string(),
           "long_term_medicines": pa.int64(), "lowest_pdc": pa.float64(),
           "non_adherent": pa.list_(pa.string()), "review_due": pa.bool_(),
           "last_review_on": pa.date32(), "medicines": pa.int64(),
           "polypharmacy": pa.bool_()}
#: the tables a load fills in bulk (vacuumed after it on PostgreSQL)
TABLES = (MedicinesPerson,)


def read_medicines(run: KeptRun) -> pa.Table | None:
    """The run's medicines rows, checked, in the columns of
    :class:`~ltc.care.medicines.models.MedicinesPerson` (None: the run kept none)."""
    path = run.folder / MEDICINES
    table = read(path, COLUMNS)
    if table is None:
        return None
    check_nhs_numbers(path, table)
    refuse_negative(path, table, ("long_term_medicines", "medicines"))
    refuse_outside(path, table, "lowest_pdc", 1.0, "a proportion from 0 to 1, or empty")
    for name in ("review_due", "polypharmacy"):
        refuse_where(path, table, pc.is_null(table[name]), name, "true or false")
    names = pc.fill_null(pc.binary_join(pc.fill_null(table["non_adherent"], pa.scalar(
        [], pa.list_(pa.string()))), SEPARATOR), "")
    low = pc.fill_null(pc.greater(pc.list_value_length(table["non_adherent"]), 0), False)
    return pa.table({
        "nhs_number": table["nhs_number"], "practice_code": table["practice_code"],
        "long_term_medicines": table["long_term_medicines"], "lowest_pdc": table["lowest_pdc"],
        "non_adherent": names, "low_adherence": low, "review_due": table["review_due"],
        "last_review_on": table["last_review_on"], "medicines": table["medicines"],
        "polypharmacy": table["polypharmacy"]})


def load(session: Session, run: KeptRun) -> int:
    """Load ``run``'s medicines (its run id already in ``strat_run``); the number of
    people loaded (0 when the run kept none)."""
    rows = read_medicines(run)
    session.execute(delete(MedicinesPerson).where(MedicinesPerson.run_id != run.id))
    if rows is None:
        return 0
    insert_table(session, MedicinesPerson, with_run(rows, run.id))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {MedicinesPerson.__tablename__}"))
    return int(rows.num_rows)
