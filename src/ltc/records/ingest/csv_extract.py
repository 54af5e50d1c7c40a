"""Ingest the documented CSV extract format (POP-2).

An extract batch is a folder ``<source>/<period>/`` holding one ``<table>.csv`` per
table the source sends (see ``docs/data-model.md``): UTF-8, comma-separated, a header
line naming the columns, one record per line. The whole folder is one batch: it is
stored completely or not at all.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ltc.records.convert import (
    Locator,
    check_header,
    check_references,
    check_unique,
    convert_table,
)
from ltc.records.errors import IngestError, Problem, refuse
from ltc.records.schema import SOURCES, TABLES, Table
from ltc.records.store import PERIOD_RE, Batch, RecordStore, Staged


def last_day(period: str) -> date:
    """The last day of a ``YYYY-MM`` period."""
    year, month = int(period[:4]), int(period[5:7])
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def display(path: Path) -> str:
    """A path as a person would like to read it: relative to here when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def fingerprint(paths: list[Path], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def _lines(path: Path) -> Iterator[bytes]:
    """The file's lines without their endings, split where the CSV reader splits them.

    The reader ends a line at ``\\n``, ``\\r\\n`` or a lone ``\\r``.
    """
    with open(path, "rb") as handle:
        for raw in handle:
            body = raw[:-1] if raw.endswith(b"\n") else raw
            if body.endswith(b"\r"):
                body = body[:-1]
            yield from body.split(b"\r")


def _cells(text: str) -> list[str] | None:
    """One line split into CSV cells, or None when it cannot be split."""
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return None


def _find_bad_line(path: Path, header: list[str]) -> Problem:
    """Re-read a file that the fast reader refused, to say exactly where and why."""
    where = display(path)
    width = len(header)
    for number, raw in enumerate(_lines(path), start=1):
        if number > 1 and not raw:
            continue  # the reader skips blank lines
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            loose = raw.decode("utf-8", errors="surrogateescape")
            if number == 1:
                loose = loose.lstrip("\ufeff")
            cells = _cells(loose) or []
            column = next((i for i, cell in enumerate(cells)
                           if any("\udc80" <= ch <= "\udcff" for ch in cell)), None)
            fld = header[column] if column is not None and column < width else None
            return Problem(f"{where}, line {number}", fld, (
                f"byte 0x{raw[err.start]:02x} at column {err.start + 1} is not valid UTF-8; "
                "expected the file saved as UTF-8"))
        if number == 1:
            continue
        row = _cells(text)
        if row is None:
            return Problem(f"{where}, line {number}", None, (
                "could not be split into values; expected comma-separated values, quoted "
                'with " where they hold a comma'))
        if len(row) != width:
            return Problem(f"{where}, line {number}", None, (
                f"has {len(row)} columns; expected {width}, as in the header"))
    return Problem(where, None, "could not be read as CSV; expected comma-separated UTF-8 text "
                   "with no line breaks inside values")


def line_locator(path: Path, name: str | None = None) -> Locator:
    """Row index -> "file, line N", counting the blank lines the CSV reader skips.

    Without blank lines, row ``i`` is on line ``i + 2``. The file is scanned once, when
    the first row must be located, and only the blank lines are remembered.
    """
    shown = name if name is not None else display(path)
    skipped: list[int] | None = None

    def locate(row: int) -> str:
        nonlocal skipped
        if skipped is None:
            skipped = [number for number, raw in enumerate(_lines(path), start=1)
                       if number > 1 and not raw]
        number = row + 2
        for blank in skipped:
            if blank > number:
                break
            number += 1
        return f"{shown}, line {number}"

    return locate


def read_header(path: Path) -> list[str]:
    """The column names of a CSV file; refuse a header that cannot be used."""
    where = display(path)
    if path.stat().st_size == 0:
        raise refuse(where, None, "file is empty; expected a header line naming the columns")
    first_raw = next(_lines(path), b"")
    try:
        first = first_raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        raise IngestError([_find_bad_line(path, [])]) from None
    header = _cells(first)
    if header is None:
        raise refuse(f"{where}, line 1", None, (
            "the header could not be split into column names; expected names separated by "
            "commas"))
    if not header or any(not h.strip() for h in header):
        raise refuse(f"{where}, line 1", None,
                     "the header has an empty column name; expected column names such as "
                     "nhs_number,date")
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise refuse(f"{where}, line 1", dup[0],
                     "column named twice in the header; expected each column once")
    return header


def _csv_options(header: list[str], block_size: int) -> dict[str, Any]:
    return {
        "read_options": pacsv.ReadOptions(block_size=block_size),
        "parse_options": pacsv.ParseOptions(newlines_in_values=False),
        "convert_options": pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    }


def read_csv(path: Path) -> pa.Table:
    """Read a CSV file with every column as text; refuse what cannot be parsed."""
    header = read_header(path)
    try:
        return pacsv.read_csv(path, **_csv_options(header, 1 << 24))
    except (pa.ArrowInvalid, UnicodeDecodeError):
        raise IngestError([_find_bad_line(path, header)]) from None


#: Part of every batch fingerprint: a change to how extracts are read or checked bumps it,
#: so re-ingesting the same files after an upgrade stores them again.
FORMAT_VERSION = "1"

#: Rows are converted and staged in parts of about this many bytes of CSV.
STAGE_BLOCK = 1 << 26


def stage_csv(path: Path, spec: Table, staging: Path, locate: Locator,
              latest: date | None = None) -> Staged:
    """Check and type a CSV file part by part, writing it to a Parquet file in ``staging``.

    Memory stays bounded by the part size whatever the file size. Every part is checked;
    once a problem is found nothing more is written, and all problems are reported
    together (keys are checked over the whole file at the end).
    """
    name = display(path)
    header = read_header(path)
    check_header(spec, header, f"{name}, line 1")
    target = staging / f"{spec.name}.parquet"
    problems: list[Problem] = []
    total = 0
    offset = 0
    writer: pq.ParquetWriter | None = None
    try:
        reader = pacsv.open_csv(path, **_csv_options(header, STAGE_BLOCK))
        for part in reader:
            raw = pa.Table.from_batches([part])
            def located(row: int, first: int = offset) -> str:
                return locate(row + first)

            try:
                typed = convert_table(spec, raw, located, f"{name}, line 1", check_keys=False,
                                      latest=latest)
            except IngestError as err:
                problems += err.problems
                total += err.total
            else:
                if not total:
                    if writer is None:
                        writer = pq.ParquetWriter(target, spec.arrow_schema)
                    writer.write_table(typed)
            offset += raw.num_rows
    except (pa.ArrowInvalid, UnicodeDecodeError):
        problems.append(_find_bad_line(path, header))
        total += 1
    finally:
        if writer is not None:
            writer.close()
    if total:
        raise IngestError(problems, total)
    if writer is None:
        pq.write_table(spec.arrow_schema.empty_table(), target)
    if spec.key and offset:
        keys = pq.read_table(target, columns=list(spec.key))
        check_unique(spec, {k: keys.column(k) for k in spec.key}, locate)
    return Staged(target, offset)


def load_folder(folder: Path, source: str | None = None, period: str | None = None, *,
                store: RecordStore | None = None, staging: Path | None = None) -> Batch:
    """Read and check one extract folder; ``source`` and ``period`` default to its path.

    Every file is checked and every problem reported together. References between
    tables (e.g. a person's practice) must name a row in the same folder or, when
    ``store`` is given, one already stored (leaving out the batch this one would
    replace). Without a store, references to a table the folder does not carry are not
    checked.

    With ``staging`` (an empty folder outside the store, kept until the batch is
    committed) files are converted in parts and staged on disk, so memory stays bounded
    whatever the size of the extract; without it, tables are held in memory.
    """
    folder = Path(folder)
    where = display(folder)
    if not folder.is_dir():
        raise refuse(where, None, "is not a folder; expected a folder of <table>.csv files")
    source = source or folder.parent.name
    period = period or folder.name
    if source not in SOURCES:
        raise refuse(where, None, f"unknown source {source!r}; expected one of: "
                     f"{', '.join(SOURCES)} (a folder named <source>/<YYYY-MM>)")
    if not PERIOD_RE.match(period):
        raise refuse(where, None, f"period {period!r} is not a month; expected YYYY-MM")
    latest = last_day(period)
    allowed = SOURCES[source].tables
    paths = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not paths:
        raise refuse(where, None, f"no files; expected one or more of: "
                     f"{', '.join(t + '.csv' for t in allowed)}")
    problems: list[Problem] = []
    for path in paths:
        if path.suffix != ".csv" or path.stem not in allowed:
            problems.append(Problem(display(path), None, (
                f"not a table the {source} source sends; expected one of: "
                f"{', '.join(t + '.csv' for t in allowed)}")))
    if problems:
        raise IngestError(problems)
    tables: dict[str, pa.Table | Staged] = {}
    locators: dict[str, Locator] = {}
    total = 0
    for path in paths:
        name = display(path)
        locate = line_locator(path)
        spec = TABLES[path.stem]
        try:
            if staging is not None:
                tables[path.stem] = stage_csv(path, spec, staging, locate, latest)
            else:
                raw = read_csv(path)
                tables[path.stem] = convert_table(spec, raw, locate, f"{name}, line 1",
                                                  latest=latest)
        except IngestError as err:
            problems += err.problems
            total += err.total
        locators[path.stem] = locate
    if total:
        raise IngestError(problems, total)

    def known(name: str, column: str) -> pa.Array | None:
        if store is None:
            return None
        return store.values(name, column, exclude=f"{source}/{period}")

    check_references(_reference_columns(tables), locators, known)
    return Batch(source, period,
                 fingerprint(paths, extra=f"csv:{FORMAT_VERSION}:{source}/{period}"), tables)


def _reference_columns(tables: dict[str, pa.Table | Staged]) -> dict[str, pa.Table]:
    """The columns reference checks need, read back from staged files where necessary."""
    needed: dict[str, set[str]] = {}
    for name in tables:
        for ref in TABLES[name].references:
            needed.setdefault(name, set()).add(ref.field)
            if ref.table in tables:
                needed.setdefault(ref.table, set()).add(ref.target_field)
    out: dict[str, pa.Table] = {}
    for name, columns in needed.items():
        data = tables[name]
        out[name] = pq.read_table(data.path, columns=sorted(columns)) \
            if isinstance(data, Staged) else data
    return out


def batch_folders(root: Path) -> list[Path]:
    """Every ``<source>/<period>`` folder under ``root`` (or ``root`` itself if it is one).

    A folder that holds extract-like folders (``<name>/<period>/*.csv``) under a name that
    is not a known source is refused rather than skipped, so a misspelt source is never
    silently left out.
    """
    root = Path(root)
    if any(p.suffix == ".csv" for p in root.iterdir() if p.is_file()):
        return [root]
    found: list[Path] = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        periods = [p for p in sub.iterdir() if p.is_dir() and any(p.glob("*.csv"))]
        if sub.name in SOURCES:
            found += sorted(periods)
        elif periods:
            raise refuse(display(sub), None, (
                f"unknown source {sub.name!r}; expected one of: {', '.join(SOURCES)} "
                "(extract folders are named <source>/<YYYY-MM>)"))
        else:
            found += batch_folders(sub)
    return found
