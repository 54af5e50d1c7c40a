"""Engines the pipeline runs on: one Ibis connection with a view per record-plane table
(infrastructure: every STRAT capability runs through it; no capability of its own).

Every pipeline step takes such a connection and returns Ibis expressions, so the same
definition runs on DuckDB (the default) and, for populations that outgrow one machine,
on Spark (the optional ``spark`` extra; Java 17). Decision 0006 records the choice.

On Spark there is one session per process (:func:`spark_session`); each connection is a
child session of it, with its own temporary views, so two connections never see each
other's tables.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ltc.config import prepare_spark_environment
from ltc.records.schema import TABLES
from ltc.records.store import RecordStore, latest_rows, stand_in

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ENGINES = ("duckdb", "spark")

#: Settings of the process's Spark session: a small local engine, quiet and in UTC.
SPARK_CONF: dict[str, str] = {
    "spark.master": "local[2]",
    "spark.app.name": "ltc",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}

_session: SparkSession | None = None


def _check(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of: {', '.join(ENGINES)}")


def spark_session() -> SparkSession:
    """The process's Spark session, started on first use (a few seconds)."""
    global _session
    if _session is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise RuntimeError("the Spark engine needs the 'spark' extra: "
                               "uv sync --extra spark (and Java 17)") from None
        prepare_spark_environment()
        builder = SparkSession.builder
        for key, value in SPARK_CONF.items():
            builder = builder.config(key, value)
        # tables are never saved to a warehouse; keep Spark from creating one in the cwd
        warehouse = tempfile.mkdtemp(prefix="ltc-spark-warehouse-")
        atexit.register(shutil.rmtree, warehouse, True)
        builder = builder.config("spark.sql.warehouse.dir", warehouse)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        _session = session
    return _session


def connection(engine: str = "duckdb") -> ibis.BaseBackend:
    """An empty connection on ``engine``: on Spark, a new child session of the process's
    session (its temporary views are its own)."""
    _check(engine)
    if engine == "duckdb":
        return ibis.duckdb.connect()
    return ibis.pyspark.connect(spark_session().newSession())


def put_table(con: ibis.BaseBackend, name: str, data: pa.Table) -> ir.Table:
    """``data`` held by ``con`` as table ``name`` (on Spark a temporary view: nothing is
    written to disk)."""
    if con.name == "pyspark":
        con._session.createDataFrame(data).createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, data, overwrite=True)


def connect(store: RecordStore, engine: str = "duckdb") -> ibis.BaseBackend:
    """A connection to the record store on ``engine`` (``duckdb`` or ``spark``).

    Each record-plane table is a view over its live Parquet files; a snapshot table keeps
    its latest row per key, on both engines by the same expression.
    """
    _check(engine)
    if engine == "duckdb":
        return store.connect()
    con = connection(engine)
    for name, spec in TABLES.items():
        files = store.files(name)
        if files:
            con._session.read.parquet(*(str(f) for f in files)).createOrReplaceTempView(
                f"{name}__files")
            raw = con.table(f"{name}__files")
        else:
            raw = put_table(con, f"{name}__files", stand_in(spec))
        if spec.snapshot and len(files) > 1:  # one file holds one batch: keys already unique
            raw = latest_rows(spec, raw)
        con.create_view(name, raw, overwrite=True)
    return con


def from_tables(tables: Mapping[str, pa.Table], engine: str = "duckdb") -> ibis.BaseBackend:
    """A connection holding small in-memory tables (for spec tests and examples).

    Tables not given are present and empty, with their record-plane schema; given tables
    may leave out optional columns, which are then missing (null).
    """
    _check(engine)
    full_tables = {}
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
        full_tables[name] = full
    con = connection(engine)
    for name, full in full_tables.items():
        put_table(con, name, full)
    return con
