"""Writing a run's rows in bulk into the care store: COPY (CSV) on PostgreSQL, batched
inserts on SQLite, in the caller's transaction; and the checks a run file's columns go
through, each refusal naming the file, the row, the column and what was expected (the
loaders of recall, DM-2, medicines, SC-3, and achievement, DM-6; infrastructure)."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import insert
from sqlalchemy.orm import Session

from ltc.care.people.run_files import RunFileError

CHUNK = 50_000


def read(path: Path, columns: Mapping[str, pa.DataType],
         optional: Mapping[str, pa.DataType] | None = None) -> pa.Table | None:
    """The columns ``columns`` of the Parquet file at ``path``, each cast to its type,
    then the ``optional`` ones (empty when the file lacks them) (None: no such file). A
    file that cannot be read, lacks a column or holds one of another type is refused."""
    if not path.exists():
        return None
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise RunFileError(f"{path} cannot be read: {error}") from None
    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name, kind in {**columns, **(optional or {})}.items():
        if name not in table.column_names:
            if name in (optional or {}):
                out[name] = pa.nulls(table.num_rows, kind)
                continue
            raise RunFileError(f"{path} has no column {name!r}; expected the columns "
                               f"{', '.join(columns)}")
        try:
            out[name] = table[name].cast(kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise RunFileError(f"{path}: column {name!r} is {table[name].type}, expected "
                               f"{kind}") from None
    return pa.table(out)


def rows(table: pa.Table) -> Iterator[list[dict[str, Any]]]:
    """``table``'s rows as dictionaries, in chunks, a NaN as no value."""
    for batch in table.to_batches(CHUNK):
        chunk = batch.to_pylist()
        for row in chunk:
            for key, value in row.items():
                if isinstance(value, float) and math.isnan(value):
                    row[key] = None
        yield chunk


def refuse_where(path: Path, table: pa.Table, bad: Any, column: str, expected: str) -> None:
    """Refuse the file when ``bad`` (a boolean array over ``table``'s rows) holds
    anywhere, naming the first such row (from 1), its column, its value and ``expected``."""
    bad = pc.fill_null(bad, False)
    if pc.any(bad).as_py():
        row = pc.index(bad, True).as_py()
        value = table[column][row].as_py()
        raise RunFileError(f"{path}, row {row + 1}: {column} is {value!r}; expected "
                           f"{expected}")


def refuse_negative(path: Path, table: pa.Table, names: tuple[str, ...]) -> None:
    """Refuse the file when a count in one of the columns ``names`` is empty or below 0."""
    for name in names:
        refuse_where(path, table, pc.or_kleene(pc.is_null(table[name]),
                                               pc.less(table[name], 0)),
                     name, "a count of 0 or more")


def refuse_outside(path: Path, table: pa.Table, name: str, high: float,
                   expected: str) -> None:
    """Refuse the file when a value of column ``name`` is NaN or outside 0 to ``high``
    (an empty value passes)."""
    values = table[name]
    refuse_where(path, table, pc.or_(pc.is_nan(values), pc.or_(
        pc.less(values, 0.0), pc.greater(values, high))), name, expected)


def check_nhs_numbers(path: Path, table: pa.Table) -> None:
    refuse_where(path, table, pc.or_kleene(pc.is_null(table["nhs_number"]), pc.invert(
        pc.match_substring_regex(table["nhs_number"], r"^\d{10}$"))),
        "nhs_number", "an NHS number of 10 digits")


def with_run(table: pa.Table, run_id: str) -> pa.Table:
    """``table`` with the run's id as its first column (replacing any it had)."""
    if "run_id" in table.column_names:
        table = table.drop_columns(["run_id"])
    return table.add_column(0, "run_id", pa.array([run_id] * table.num_rows, pa.string()))


def _copy_csv(session: Session, name: str, table: pa.Table) -> None:
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {name} ({', '.join(table.column_names)}) FROM STDIN "
            "WITH (FORMAT csv)") as copy:
        view = buffer.getbuffer()
        for start in range(0, len(view), 1 << 20):
            copy.write(view[start:start + (1 << 20)])


def insert_table(session: Session, model: Any, table: pa.Table) -> None:
    """Insert ``table``'s rows (its columns named as ``model``'s) in the session's
    transaction."""
    if not table.num_rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy_csv(session, model.__tablename__, table)
        return
    for chunk in rows(table):
        session.execute(insert(model), chunk)
