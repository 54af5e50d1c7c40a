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
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from ltc.records.convert import convert_table
from ltc.records.errors import IngestError, Problem, refuse
from ltc.records.schema import SOURCES, TABLES
from ltc.records.store import PERIOD_RE, Batch


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


def _find_bad_line(path: Path, width: int) -> Problem:
    """Re-read a file that the fast reader refused, to say exactly where and why."""
    where = display(path)
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                return Problem(f"{where}, line {number}", None, (
                    f"byte 0x{raw[err.start]:02x} at column {err.start + 1} is not valid UTF-8; "
                    "expected the file saved as UTF-8"))
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            row = next(csv.reader([text]), [])
            if len(row) != width:
                return Problem(f"{where}, line {number}", None, (
                    f"has {len(row)} columns; expected {width}, as in the header"))
    return Problem(where, None, "could not be read as CSV; expected comma-separated UTF-8 text")


def read_csv(path: Path) -> pa.Table:
    """Read a CSV file with every column as text; refuse what cannot be parsed."""
    where = display(path)
    if path.stat().st_size == 0:
        raise refuse(where, None, "file is empty; expected a header line naming the columns")
    try:
        with open(path, "rb") as handle:
            first = handle.readline().decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
    except UnicodeDecodeError:
        raise IngestError([_find_bad_line(path, 0)]) from None
    header = next(csv.reader([first]), [])
    if not header or any(not h.strip() for h in header):
        raise refuse(f"{where}, line 1", None,
                     "the header has an empty column name; expected column names such as "
                     "nhs_number,date")
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise refuse(f"{where}, line 1", dup[0], "column named twice in the header")
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        raise IngestError([_find_bad_line(path, len(header))]) from None


def load_folder(folder: Path, source: str | None = None, period: str | None = None) -> Batch:
    """Read and check one extract folder; ``source`` and ``period`` default to its path."""
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
    tables: dict[str, pa.Table] = {}
    for path in paths:
        raw = read_csv(path)
        name = display(path)
        tables[path.stem] = convert_table(
            TABLES[path.stem], raw, lambda row, n=name: f"{n}, line {row + 2}", name)
    return Batch(source, period, fingerprint(paths, extra=f"csv:{source}/{period}"), tables)


def batch_folders(root: Path) -> list[Path]:
    """Every ``<source>/<period>`` folder under ``root`` (or ``root`` itself if it is one)."""
    root = Path(root)
    if any(p.suffix == ".csv" for p in root.iterdir() if p.is_file()):
        return [root]
    found = []
    for source_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if source_dir.name in SOURCES:
            found += sorted(p for p in source_dir.iterdir() if p.is_dir())
        else:
            found += batch_folders(source_dir) if any(
                q.is_dir() for q in source_dir.iterdir()) else []
    return found
