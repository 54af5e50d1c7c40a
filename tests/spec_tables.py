"""Spec tables: record-plane input rows and expected output, written as small text tables.

The one parser every spec test uses (features, windows, rule sets from records, registers,
Charlson, eFI, HFRS, CMS, polypharmacy), and the one that renders them into
``docs/specs.md`` (:mod:`spec_docs`). A table is a header line and rows, cells separated
by ``|``; an empty cell is missing::

    nhs_number | code_system | code | date
    p1         | icd10       | I500 | 2024-01-01

A Markdown table (``| a | b |`` with a ``|---|---|`` line) is read too.

Two ways in: :func:`records` types each cell as its column's record-plane type and fills
required columns a table leaves out (for scores, registers and windows);
:func:`table` passes the text through the record-plane converter, exactly as an extract
would be checked (for features). Results are compared as text (:func:`check`), so the
expected output of a spec reads exactly like its input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import ibis
import pyarrow as pa

from ltc.pipeline.engine import from_tables
from ltc.records.convert import convert_table
from ltc.records.schema import TABLES, Field

_RULE = re.compile(r"^\|?[\s:|-]*-[\s:|-]*$")  # a Markdown table's |---|---| line


def _cells(line: str, markdown: bool) -> list[str]:
    if markdown:
        line = line.strip()
        line = line[1:] if line.startswith("|") else line
        line = line[:-1] if line.endswith("|") else line
    return [cell.strip() for cell in line.split("|")]


def header_and_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of cells of a text table; every row has the header's width."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise ValueError("spec table is empty: it needs at least a header line")
    markdown = lines[0].startswith("|")
    if markdown:
        lines = [line for line in lines if not _RULE.match(line)]
    header = _cells(lines[0], markdown)
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = _cells(line, markdown)
        if len(cells) != len(header):
            raise ValueError(f"spec table line {number}: {len(cells)} cells, header has "
                             f"{len(header)}: {line!r}")
        rows.append(cells)
    return header, rows


def parse(text: str) -> list[dict[str, str]]:
    """The rows of a text table as dictionaries of text cells."""
    header, rows = header_and_rows(text)
    return [dict(zip(header, row, strict=True)) for row in rows]


def table(name: str, text: str) -> pa.Table:
    """Rows of record-plane table ``name`` typed by the record-plane converter, as an
    extract's would be (``record_id`` is numbered when left out)."""
    header, rows = header_and_rows(text)
    columns = {h: pa.array([r[i] for r in rows], pa.string()) for i, h in enumerate(header)}
    spec = TABLES[name]
    if "record_id" in spec.arrow_schema.names and "record_id" not in columns:
        columns["record_id"] = pa.array([f"{name[:2]}{i}" for i in range(len(rows))])
    return convert_table(spec, pa.table(columns), lambda r: f"{name} row {r + 1}", name)


def _value(kind: str, text: str) -> Any:
    if text == "":
        return None
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        return text.lower() in ("true", "1", "y")
    return text


def _default(field: Field) -> str:
    """A filler for a required column a spec table leaves out (never a date)."""
    if field.codes:
        return field.codes[0]
    return {"int": "0", "float": "0", "bool": "false"}.get(field.kind, "x")


def records(name: str, text: str | list[dict[str, str]]) -> pa.Table:
    """Rows of record-plane table ``name`` from a text table (or parsed rows).

    ``record_id`` is numbered when left out; other required columns left out are filled
    with a neutral value (the first code of a code set, 0, false or ``x``).
    """
    spec = TABLES[name]
    rows = parse(text) if isinstance(text, str) else text
    given = set(rows[0]) if rows else set()
    fill = {f.name: _default(f) for f in spec.fields
            if f.required and not f.derived and f.name not in given and f.kind != "date"}
    if "record_id" in fill:
        rows = [{**row, "record_id": f"{name}-{i}"} for i, row in enumerate(rows)]
        del fill["record_id"]
    rows = [{**fill, **row} for row in rows]
    columns = list(rows[0]) if rows else []
    return pa.table({c: pa.array([_value(spec.field(c).kind, r[c]) for r in rows],
                                 spec.field(c).arrow_type) for c in columns})


def connect(engine: str, /, **tables: str | list[dict[str, str]]) -> ibis.BaseBackend:
    """A connection on ``engine`` holding the given record-plane tables (others empty)."""
    return from_tables({name: records(name, text) for name, text in tables.items()},
                       engine=engine)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{round(value, 4):g}"
    return str(value)


def result(table: ibis.Table, columns: Iterable[str]) -> list[dict[str, str]]:
    """``columns`` of every row of ``table``, as text, sorted by ``nhs_number``."""
    names = list(columns)
    rows = table.select(*names).to_pyarrow().to_pylist()
    return sorted(({c: _text(r[c]) for c in names} for r in rows),
                  key=lambda r: r.get("nhs_number", ""))


def expected(text: str) -> list[dict[str, str]]:
    """An expected output table, sorted by ``nhs_number``."""
    return sorted(parse(text), key=lambda r: r.get("nhs_number", ""))


def check(table: ibis.Table, want: str) -> None:
    """Assert that ``table`` holds exactly the rows of the text table ``want``."""
    header = header_and_rows(want)[0]
    got, rows = result(table, header), expected(want)
    if got != rows:
        raise AssertionError("result differs from the spec table\n" + render(header, rows)
                             + "\ngot:\n" + render(header, got))


def render(header: list[str], rows: list[dict[str, str]]) -> str:
    """Rows as a text table, columns aligned."""
    widths = [max([len(h)] + [len(r[h]) for r in rows]) for h in header]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += [" | ".join(r[h].ljust(w) for h, w in zip(header, widths, strict=True))
              for r in rows]
    return "\n".join(lines)


def markdown(header: list[str], rows: list[list[str]]) -> str:
    """A header and rows of cells as a Markdown table (what :func:`parse` reads back)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def person_rows(ages: Mapping[str, date]) -> list[dict[str, str]]:
    """``person`` rows with the given dates of birth (practice P1, sex unknown)."""
    return [{"nhs_number": who, "date_of_birth": born.isoformat(), "sex": "U",
             "practice_code": "P1"} for who, born in ages.items()]
