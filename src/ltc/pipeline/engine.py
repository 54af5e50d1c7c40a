"""Engines the pipeline runs on: one Ibis connection with a view per record-plane table.

Every pipeline step takes such a connection and returns Ibis expressions, so the same
definition runs on DuckDB (the default) and, for populations that outgrow one machine,
on Spark.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import pyarrow as pa

from ltc.records.schema import TABLES
from ltc.records.store import RecordStore


def connect(store: RecordStore, engine: str = "duckdb") -> ibis.BaseBackend:
    """A connection to the record store on ``engine``."""
    if engine == "duckdb":
        return store.connect()
    raise ValueError(f"unknown engine {engine!r}; expected duckdb")


def from_tables(tables: Mapping[str, pa.Table], engine: str = "duckdb") -> ibis.BaseBackend:
    """A connection holding small in-memory tables (for spec tests and examples).

    Tables not given are present and empty, with their record-plane schema; given tables
    may leave out optional columns, which are then missing (null).
    """
    if engine != "duckdb":
        raise ValueError(f"unknown engine {engine!r}; expected duckdb")
    con = ibis.duckdb.connect()
    for name, spec in TABLES.items():
        data = tables.get(name)
        schema = spec.arrow_schema
        if data is None:
            full = schema.empty_table()
        else:
            n = data.num_rows
            full = pa.table({f.name: (data.column(f.name).cast(f.type)
                                      if f.name in data.column_names else pa.nulls(n, f.type))
                             for f in schema}, schema=schema)
        con.create_table(name, full, overwrite=True)
    return con
