"""The record store: Parquet files per table and batch, with an atomic manifest (POP-2).

Layout under ``<data_dir>/records``::

    manifest.json                         the live batches and their files
    <table>/<source>__<period>__<token>.parquet    (token: new to each commit)

A batch is one extract: a *source* (``gp``, ``acute``...) and a *period* (``YYYY-MM``).
Committing is all-or-nothing: new files are written under names no reader knows yet,
then ``manifest.json`` is replaced in one atomic rename, then superseded files are
removed. Readers only ever open files the manifest lists. The same batch again (same
fingerprint) changes nothing; a new period appends; the same source and period with
different content replaces the earlier batch.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ltc.records.schema import TABLES, Table, table

SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MANIFEST = "manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class Staged:
    """A checked, typed table too large to hold in memory, in a Parquet file outside the
    store (in input order). Committing sorts it into the store out of core."""

    path: Path
    rows: int


@dataclass
class Batch:
    """Typed tables from one extract, ready to commit."""

    source: str
    period: str
    fingerprint: str  # hash of the input as received
    tables: dict[str, pa.Table | Staged]
    skipped: dict[str, int] = field(default_factory=dict)  # input not read, count by kind
    details: dict[str, Any] = field(default_factory=dict)  # how the input was mapped

    def __post_init__(self) -> None:
        if not SOURCE_RE.match(self.source):
            raise ValueError(f"source {self.source!r}: expected lower-case letters, digits, "
                             "'-' or '_' (e.g. gp, acute, social_care)")
        if not PERIOD_RE.match(self.period):
            raise ValueError(f"period {self.period!r}: expected a month written YYYY-MM")

    @property
    def key(self) -> str:
        return f"{self.source}/{self.period}"


@dataclass(frozen=True)
class CommitResult:
    status: Literal["added", "replaced", "unchanged"]
    batch: str
    rows: dict[str, int]


def hash_files(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root``, by relative path: to prove a folder (a store,
    a set of extracts) unchanged, or two of them identical."""
    out = {}
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 22):
                    digest.update(chunk)
            out[path.relative_to(root).as_posix()] = digest.hexdigest()
    return out


def sort_table(spec: Table, data: pa.Table) -> pa.Table:
    keys = [k for k in spec.order if k in data.column_names]
    keys += [k for k in spec.key if k not in keys]
    if not keys or data.num_rows < 2:
        return data
    return data.sort_by([(k, "ascending") for k in keys])


class RecordStore:
    """The Parquet record store in ``root`` (created on first commit)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    # -- manifest -------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def manifest(self) -> dict[str, Any]:
        if not self.manifest_path.exists():
            return {"format": FORMAT, "batches": {}}
        data: dict[str, Any] = json.loads(self.manifest_path.read_text())
        return data

    def batches(self) -> dict[str, dict[str, Any]]:
        batches: dict[str, dict[str, Any]] = self.manifest()["batches"]
        return batches

    def files(self, name: str) -> list[Path]:
        """Live Parquet files of table ``name``, in batch order."""
        table(name)
        return [self.root / b["files"][name] for _, b in sorted(self.batches().items())
                if name in b["files"]]

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # -- writing --------------------------------------------------------------------
    def commit(self, batch: Batch) -> CommitResult:
        """Store ``batch`` atomically (see the module docstring for the rules)."""
        for name, data in batch.tables.items():
            spec = table(name)
            if isinstance(data, Staged):
                continue
            if data.schema.remove_metadata() != spec.arrow_schema.remove_metadata():
                raise ValueError(f"table {name}: schema does not match the record plane:\n"
                                 f"{data.schema}\nexpected\n{spec.arrow_schema}")
        rows = {name: data.rows if isinstance(data, Staged) else data.num_rows
                for name, data in batch.tables.items()}
        with self._locked():
            manifest = self.manifest()
            previous = manifest["batches"].get(batch.key)
            if previous is not None and previous["fingerprint"] == batch.fingerprint:
                return CommitResult("unchanged", batch.key, previous["rows"])
            # a name no live file has: new files never overwrite what readers may open
            token = f"{hashlib.sha256(batch.fingerprint.encode()).hexdigest()[:12]}-" \
                    f"{uuid.uuid4().hex[:8]}"
            files: dict[str, str] = {}
            written: list[Path] = []
            made_dirs: list[Path] = []
            tmp_manifest = self.root / f".{MANIFEST}.tmp"
            tmp: Path | None = None
            try:
                for name, data in batch.tables.items():
                    spec = TABLES[name]
                    rel = f"{name}/{batch.source}__{batch.period}__{token}.parquet"
                    path = self.root / rel
                    if not path.parent.exists():
                        path.parent.mkdir(parents=True)
                        made_dirs.append(path.parent)
                    tmp = path.with_suffix(".parquet.tmp")
                    if isinstance(data, Staged):
                        _write_sorted(spec, data, tmp, batch.source, batch.period)
                    else:
                        pq.write_table(_with_batch(sort_table(spec, data), batch),
                                       tmp, compression="zstd", row_group_size=ROW_GROUP)
                    _fsync(tmp)
                    os.replace(tmp, path)
                    tmp = None
                    written.append(path)
                    files[name] = rel
                manifest["batches"][batch.key] = {
                    "source": batch.source, "period": batch.period,
                    "fingerprint": batch.fingerprint, "rows": rows, "files": files,
                    "skipped": dict(sorted(batch.skipped.items())), "details": batch.details,
                    "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                with open(tmp_manifest, "w") as handle:
                    handle.write(json.dumps(manifest, indent=1, sort_keys=True))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp_manifest, self.manifest_path)
                _fsync_dir(self.root)
            except BaseException:
                # the manifest was not replaced: remove everything this commit created
                if tmp is not None:
                    tmp.unlink(missing_ok=True)
                tmp_manifest.unlink(missing_ok=True)
                for path in written:
                    if previous is None or str(path.relative_to(self.root)) not in \
                            previous["files"].values():
                        path.unlink(missing_ok=True)
                for made in reversed(made_dirs):
                    with contextlib.suppress(OSError):
                        made.rmdir()
                raise
            if previous is not None:
                for rel in previous["files"].values():
                    if rel not in files.values():
                        (self.root / rel).unlink(missing_ok=True)
            return CommitResult("added" if previous is None else "replaced", batch.key, rows)

    def values(self, name: str, column: str, exclude: str | None = None) -> pa.Array:
        """Distinct values of ``column`` in the live files of ``name``.

        ``exclude`` names a batch (``source/period``) to leave out, e.g. the one an
        incoming batch would replace.
        """
        spec = table(name)
        arrow_type = spec.field(column).arrow_type
        chunks = [pq.read_table(self.root / b["files"][name], columns=[column]).column(column)
                  for key, b in sorted(self.batches().items())
                  if key != exclude and name in b["files"]]
        if not chunks:
            return pa.array([], arrow_type)
        return pc.unique(pa.chunked_array([c for chunk in chunks for c in chunk.chunks],
                                          type=arrow_type))

    def clear(self) -> None:
        """Remove every stored batch."""
        if self.root.exists():
            shutil.rmtree(self.root)

    # -- reading --------------------------------------------------------------------
    def arrow(self, name: str, columns: list[str] | None = None) -> pa.Table:
        """Every live row of ``name`` (snapshot tables: the latest row per key)."""
        spec = table(name)
        files = self.files(name)
        if not files:
            empty = spec.stored_schema.empty_table()
            return empty.select(columns) if columns else empty
        data = pq.ParquetDataset([str(f) for f in files]).read(columns=None)
        if spec.snapshot and len(files) > 1:
            data = _latest_per_key(spec, data)
        return data.select(columns) if columns else data

    def connect(self) -> ibis.BaseBackend:
        """An Ibis DuckDB connection with one view per record-plane table."""
        con = ibis.duckdb.connect()
        for name in TABLES:
            self.register(con, name)
        return con

    def register(self, con: ibis.BaseBackend, name: str) -> ibis.Table:
        spec = table(name)
        files = self.files(name)
        if files:
            raw = con.read_parquet([str(f) for f in files], table_name=f"{name}__files")
        else:
            raw = con.create_table(f"{name}__files", stand_in(spec), overwrite=True)
        if spec.snapshot and len(files) > 1:  # one file holds one batch: keys already unique
            raw = latest_rows(spec, raw)
        con.create_view(name, raw, overwrite=True)
        return con.table(name)


def stand_in(spec: Table) -> pa.Table:
    """The empty table that stands in for a table no batch has sent: no rows, the stored
    columns, every one nullable, as a Parquet read gives them (a stand-in whose columns
    were NOT NULL could not be combined with rows read from files)."""
    schema = spec.stored_schema
    return pa.schema([f.with_nullable(True) for f in schema]).empty_table()


def latest_rows(spec: Table, raw: ibis.Table) -> ibis.Table:
    """The latest row per key of snapshot table ``spec`` (latest period, then source), as
    an Ibis expression: the same on every engine."""
    window = ibis.window(group_by=list(spec.key), order_by=[ibis.desc("_period"),
                                                            ibis.desc("_source")])
    return raw.mutate(_rank=ibis.row_number().over(window)).filter(
        ibis._["_rank"] == 0).drop("_rank")


def _fsync(path: Path) -> None:
    """Make a written file durable before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (a no-op where directories cannot be synced)."""
    with contextlib.suppress(OSError):
        _fsync(path)


ROW_GROUP = 1_000_000
#: Memory DuckDB may use to sort a staged table before spilling to disk.
SORT_MEMORY = "2GB"


def _with_batch(data: pa.Table, batch: Batch | tuple[str, str]) -> pa.Table:
    source, period = (batch.source, batch.period) if isinstance(batch, Batch) else batch
    n = data.num_rows
    data = data.append_column(pa.field("_source", pa.string(), nullable=False),
                              pa.repeat(pa.scalar(source), n))
    return data.append_column(pa.field("_period", pa.string(), nullable=False),
                              pa.repeat(pa.scalar(period), n))


def _write_sorted(spec: Table, staged: Staged, target: Path, source: str, period: str) -> None:
    """Sort a staged table out of core (DuckDB) and write it with the stored schema."""
    import duckdb

    keys = list(spec.order)
    keys += [k for k in spec.key if k not in keys]
    columns = ", ".join(f'"{f.name}"' for f in spec.fields)
    order = ", ".join(f'"{k}"' for k in keys)
    spill = target.parent / f".{target.name}.spill"
    con = duckdb.connect(config={"memory_limit": SORT_MEMORY, "threads": 2,
                                 "temp_directory": str(spill),
                                 "preserve_insertion_order": False})
    try:
        reader = con.sql(f"SELECT {columns} FROM read_parquet($1) ORDER BY {order}",
                         params=[str(staged.path)]).to_arrow_reader(ROW_GROUP)
        with pq.ParquetWriter(target, spec.stored_schema, compression="zstd") as writer:
            for chunk in reader:
                data = pa.Table.from_batches([chunk]).cast(spec.arrow_schema)
                writer.write_table(_with_batch(data, (source, period)),
                                   row_group_size=ROW_GROUP)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _latest_per_key(spec: Table, data: pa.Table) -> pa.Table:
    import polars as pl

    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.sort(["_period", "_source"], descending=True).unique(
        subset=list(spec.key), keep="first", maintain_order=True)
    return sort_table(spec, frame.to_arrow())
