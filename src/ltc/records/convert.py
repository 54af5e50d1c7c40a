"""Turn raw extract columns (text) into typed record-plane tables, refusing bad values (POP-2).

Every ingest path (CSV, FHIR, Synthea) produces text columns and a locator that says
where each row came from; this module is the one place that checks them against
:mod:`ltc.records.schema`. Checks are vectorised: values are dictionary-encoded and
each distinct value is parsed once, so a 50-million-row table costs seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from ltc.codes import nhs_number
from ltc.records.errors import MAX_REPORTED, IngestError, Problem
from ltc.records.schema import TABLES, Field, Order, Reference, Table

Locator = Callable[[int], str]  # row index -> "file, line N"
KnownValues = Callable[[str, str], pa.Array | None]  # (table, field) -> values held elsewhere

EARLIEST = np.datetime64("1880-01-01")
LATEST = np.datetime64("2100-12-31")
TRUE_WORDS = ("true", "t", "1", "y", "yes")
FALSE_WORDS = ("false", "f", "0", "n", "no")
_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
_INT_RE = r"^[+-]?\d{1,18}$"
_FLOAT_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"

EXPECTED = {
    "nhs_number": "a 10-digit NHS number that passes the Modulus 11 check",
    "string": "a value",
    "date": "a date written YYYY-MM-DD",
    "int": "a whole number",
    "float": "a number such as 12.5",
    "bool": "true or false",
    "code": "one of the listed codes",
}


@dataclass
class Problems:
    """Problems found in one table, counted in full but kept only up to a limit."""

    locate: Locator
    items: list[Problem] = field(default_factory=list)
    total: int = 0

    def add_rows(self, rows: np.ndarray, fld: str | None,
                 message: Callable[[int], str]) -> None:
        rows = np.asarray(rows)
        self.total += len(rows)
        for row in rows[: max(0, MAX_REPORTED - len(self.items))]:
            self.items.append(Problem(self.locate(int(row)), fld, message(int(row))))



def _per_distinct(column: pa.ChunkedArray | pa.Array,
                  parse: Callable[[pa.Array], pa.Array]) -> pa.ChunkedArray:
    """Apply ``parse`` to each distinct value once, then expand back to every row."""
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        chunks = [c.indices for c in encoded.chunks]
        dictionary = encoded.chunks[0].dictionary if encoded.num_chunks else pa.array([],
                                                                                      pa.string())
        # unify dictionaries across chunks
        if encoded.num_chunks > 1:
            encoded = encoded.unify_dictionaries()
            dictionary = encoded.chunks[0].dictionary
            chunks = [c.indices for c in encoded.chunks]
    else:
        chunks, dictionary = [encoded.indices], encoded.dictionary
    parsed = parse(dictionary)
    return pa.chunked_array([pc.take(parsed, idx) for idx in chunks], type=parsed.type)


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trim whitespace; empty text becomes missing."""
    trimmed = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _bad_rows(bad: pa.ChunkedArray | pa.Array) -> np.ndarray:
    mask = pc.fill_null(bad, False)
    return np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool))


def _value_at(column: pa.ChunkedArray, row: int) -> str:
    value = column[row].as_py()
    text = repr(value) if value is not None else "(empty)"
    return text if len(text) <= 40 else text[:37] + "...'"


def _convert_field(fld: Field, raw: pa.ChunkedArray, problems: Problems,
                   latest: date | None = None) -> pa.ChunkedArray:
    """Typed column for ``fld``; problems are recorded and bad values become missing."""
    text = _text(raw)
    expected = EXPECTED[fld.kind]
    if fld.required:
        missing = _bad_rows(pc.is_null(text))
        problems.add_rows(missing, fld.name, lambda _r: f"is empty; expected {expected}")
    kind = fld.kind
    if kind in ("string",):
        return text
    if kind == "nhs_number":
        def parse_nhs(values: pa.Array) -> pa.Array:
            arr = np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)
            ok = nhs_number.valid_mask(np.array([v or "" for v in arr], dtype=str))
            return pa.array(ok | pc.is_null(values).to_numpy(zero_copy_only=False))
        ok = _per_distinct(text, parse_nhs)
        bad = _bad_rows(pc.invert(ok))
        problems.add_rows(bad, fld.name, lambda r: (
            f"{_value_at(text, r)} {nhs_number.problem(str(text[r].as_py()))}; "
            f"expected {expected}"))
        return pc.if_else(ok, text, pa.scalar(None, pa.string()))
    if kind == "code":
        ok = pc.or_(pc.is_in(text, value_set=pa.array(fld.codes)), pc.is_null(text))
        bad = _bad_rows(pc.invert(ok))
        shown = ", ".join(fld.codes) if len(fld.codes) <= 25 else (
            ", ".join(fld.codes[:25]) + ", ...")
        problems.add_rows(bad, fld.name, lambda r: (
            f"{_value_at(text, r)} is not a known code; expected one of: {shown}"))
        return pc.if_else(ok, text, pa.scalar(None, pa.string()))
    if kind == "date":
        def parse_date(values: pa.Array) -> pa.Array:
            shaped = pc.match_substring_regex(values, _DATE_RE)
            stamp = pc.strptime(pc.if_else(shaped, values, pa.scalar(None, pa.string())),
                                format="%Y-%m-%d", unit="s", error_is_null=True)
            # strptime rolls 1940-02-30 over to March: a real date must print back the same
            real = pc.equal(pc.strftime(stamp, format="%Y-%m-%d"), values)
            return pc.cast(pc.if_else(real, stamp, pa.scalar(None, stamp.type)), pa.date32())
        shaped = _per_distinct(text, lambda v: pc.match_substring_regex(v, _DATE_RE))
        typed = _per_distinct(text, parse_date)
        malformed = _bad_rows(pc.and_(pc.invert(shaped), pc.is_valid(text)))
        problems.add_rows(malformed, fld.name, lambda r: (
            f"{_value_at(text, r)} is not a date; expected {expected}"))
        impossible = _bad_rows(pc.and_(shaped, pc.is_null(typed)))
        problems.add_rows(impossible, fld.name, lambda r: (
            f"{_value_at(text, r)} is not a real calendar date; expected {expected}"))
        lo, hi = pa.scalar(EARLIEST.astype("datetime64[D]").astype(object), pa.date32()), \
            pa.scalar(LATEST.astype("datetime64[D]").astype(object), pa.date32())
        out_of_range = _bad_rows(pc.or_(pc.less(typed, lo), pc.greater(typed, hi)))
        problems.add_rows(out_of_range, fld.name, lambda r: (
            f"{_value_at(text, r)} is outside 1880-01-01 to 2100-12-31; expected a plausible "
            "date"))
        if latest is not None:
            future = _bad_rows(pc.greater(typed, pa.scalar(latest, pa.date32())))
            problems.add_rows(future, fld.name, lambda r: (
                f"{_value_at(text, r)} is after the end of the extract's period ({latest}); "
                "expected a date on or before it"))
        return typed
    if kind in ("int", "float"):
        pattern = _INT_RE if kind == "int" else _FLOAT_RE
        shaped = _per_distinct(text, lambda v: pc.match_substring_regex(v, pattern))
        bad = _bad_rows(pc.and_(pc.invert(shaped), pc.is_valid(text)))
        problems.add_rows(bad, fld.name, lambda r: (
            f"{_value_at(text, r)} is not a number; expected {expected}"))
        clean = pc.if_else(shaped, text, pa.scalar(None, pa.string()))
        # Arrow's integer parser refuses a leading '+', which the pattern allows
        clean = pc.replace_substring_regex(clean, r"^\+", "")
        typed = pc.cast(clean, pa.int64() if kind == "int" else pa.float64())
        if kind == "float":
            finite = pc.is_finite(typed)
            nonfinite = _bad_rows(pc.invert(finite))
            problems.add_rows(nonfinite, fld.name, lambda r: (
                f"{_value_at(text, r)} is too large to be a finite number; expected "
                f"{expected}"))
            typed = pc.if_else(finite, typed, pa.scalar(None, pa.float64()))
        if fld.minimum is not None:
            low = _bad_rows(pc.less(typed, fld.minimum))
            problems.add_rows(low, fld.name, lambda r: (
                f"{_value_at(text, r)} is below the minimum; expected at least {fld.minimum:g}"))
        if fld.maximum is not None:
            high = _bad_rows(pc.greater(typed, fld.maximum))
            problems.add_rows(high, fld.name, lambda r: (
                f"{_value_at(text, r)} is above the maximum; expected at most {fld.maximum:g}"))
        return typed
    if kind == "bool":
        lowered = pc.utf8_lower(text)
        is_true = pc.is_in(lowered, value_set=pa.array(TRUE_WORDS))
        is_false = pc.is_in(lowered, value_set=pa.array(FALSE_WORDS))
        bad = _bad_rows(pc.and_(pc.invert(pc.or_(is_true, is_false)), pc.is_valid(text)))
        problems.add_rows(bad, fld.name, lambda r: (
            f"{_value_at(text, r)} is not a yes/no value; expected {expected} "
            f"(also {'/'.join(TRUE_WORDS[1:])} or {'/'.join(FALSE_WORDS[1:])})"))
        return pc.if_else(pc.or_(is_true, is_false), is_true, pa.scalar(None, pa.bool_()))
    raise AssertionError(f"unknown field kind {kind}")


def _check_unique(spec: Table, columns: dict[str, pa.ChunkedArray], problems: Problems) -> None:
    """Each key once per batch, compared as converted (trimmed) values.

    Rows whose key is missing or invalid are already reported and are left out here.
    """
    keys = list(spec.key)
    frame = pl.from_arrow(pa.table({k: columns[k] for k in keys}))
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_row_index("_row").drop_nulls(keys)
    firsts = frame.group_by(keys).agg(pl.col("_row").min().alias("_first"))
    repeats = frame.join(firsts, on=keys).filter(pl.col("_row") != pl.col("_first")).sort("_row")
    if not repeats.height:
        return
    first_of = dict(zip(repeats["_row"].to_list(), repeats["_first"].to_list(), strict=True))

    def shown(row: int) -> str:
        if len(keys) == 1:
            return _value_at(columns[keys[0]], row)
        return " + ".join(_value_at(columns[k], row) for k in keys)

    problems.add_rows(repeats["_row"].to_numpy().astype(np.int64), "+".join(keys), lambda r: (
        f"duplicate identifier {shown(r)}, first seen at {problems.locate(first_of[r])}; "
        "expected each identifier once per batch"))


def check_unique(spec: Table, columns: dict[str, pa.ChunkedArray], locate: Locator) -> None:
    """Refuse repeated keys in typed key ``columns`` (row order as in the input)."""
    problems = Problems(locate)
    _check_unique(spec, columns, problems)
    if problems.total:
        raise IngestError(problems.items, problems.total)


def check_references(tables: Mapping[str, pa.Table], locators: Mapping[str, Locator],
                     known: KnownValues | None = None) -> None:
    """Check every :class:`~ltc.records.schema.Reference` of a batch's typed tables.

    A value passes when it appears in the target table of the same batch or among the
    values ``known(table, field)`` returns (those already stored). When the target
    table is not in the batch and ``known`` is absent or returns None, the reference
    cannot be checked and is skipped. Raises :class:`IngestError` listing what is wrong.
    """
    items: list[Problem] = []
    total = 0
    for name, data in tables.items():
        spec = TABLES[name]
        problems = Problems(locators[name])
        for ref in spec.references:
            pools: list[pa.Array] = []
            if ref.table in tables:
                pools.append(tables[ref.table].column(ref.target_field).combine_chunks())
            stored = known(ref.table, ref.target_field) if known is not None else None
            if stored is not None:
                pools.append(stored)
            if not pools:
                continue
            target_type = TABLES[ref.table].field(ref.target_field).arrow_type
            allowed = pc.unique(pa.chunked_array(pools, type=target_type))
            values = data.column(ref.field)
            unknown = _bad_rows(pc.and_(pc.is_valid(values),
                                        pc.invert(pc.is_in(values, value_set=allowed))))
            where_from = " or ".join((["this batch"] if ref.table in tables else [])
                                     + (["the store"] if stored is not None else []))

            def unknown_message(r: int, ref: Reference = ref, v: pa.ChunkedArray = values,
                                w: str = where_from) -> str:
                return (f"{_value_at(v, r)} is not a {ref.target_field} of the {ref.table} "
                        f"table in {w}; expected a {ref.table} listed in the batch or "
                        "already stored")
            problems.add_rows(unknown, ref.field, unknown_message)
        items += problems.items
        total += problems.total
    if total:
        raise IngestError(items, total)


def _derive(spec: Table, columns: dict[str, pa.ChunkedArray]) -> None:
    """Fill derived fields."""
    if spec.name == "inpatient_spell":
        adm = pc.cast(columns["admission_date"], pa.int32())
        dis = pc.cast(columns["discharge_date"], pa.int32())
        columns["length_of_stay"] = pc.cast(pc.subtract(dis, adm), pa.int64())
    if spec.name == "ambulance_incident":
        columns["conveyed"] = pc.equal(columns["outcome"], "conveyed")


def check_header(spec: Table, names: list[str], where: str) -> None:
    """Refuse unknown columns and missing required ones (``where`` names the header)."""
    problems: list[Problem] = []
    expected_names = [f.name for f in spec.extract_fields]
    present = set(names)
    for name in names:
        if name not in expected_names:
            problems.append(Problem(where, name, (
                f"unknown column; expected only the columns of the {spec.name} table: "
                f"{', '.join(expected_names)}")))
    for f in spec.extract_fields:
        if f.required and f.name not in present:
            problems.append(Problem(where, f.name, (
                f"required column is missing from the header; expected a column named "
                f"{f.name}")))
    if problems:
        raise IngestError(problems)


def convert_table(spec: Table, raw: pa.Table, locate: Locator, where: str, *,
                  check_keys: bool = True, latest: date | None = None) -> pa.Table:
    """Check and type one raw table. Raises :class:`IngestError` listing what is wrong.

    ``where`` names the input as a whole (for header problems); ``locate`` names a row.
    ``check_keys=False`` leaves the uniqueness of the key to the caller (used when a
    large file is converted in parts and checked as a whole afterwards). ``latest``
    refuses dates after it (the last day of the extract's period: nothing can be
    recorded in the future).
    """
    check_header(spec, raw.column_names, where)
    problems = Problems(locate)
    present = set(raw.column_names)

    n = raw.num_rows
    columns: dict[str, pa.ChunkedArray] = {}
    for f in spec.extract_fields:
        if f.name in present:
            col = raw.column(f.name)
            if col.type != pa.string():
                col = pc.cast(col, pa.string())
            columns[f.name] = _convert_field(f, col, problems, latest)
        else:
            columns[f.name] = pa.chunked_array([pa.nulls(n, f.arrow_type)])

    for order in spec.orders:
        before = _bad_rows(pc.less(columns[order.later], columns[order.earlier]))

        def order_message(r: int, o: Order = order) -> str:
            return (f"{columns[o.later][r].as_py()} is before {o.earlier} "
                    f"{columns[o.earlier][r].as_py()}; expected {o.later} on or after "
                    f"{o.earlier}")
        problems.add_rows(before, order.later, order_message)

    if check_keys and spec.key and n:
        _check_unique(spec, columns, problems)

    if problems.total:
        raise IngestError(problems.items, problems.total)
    _derive(spec, columns)
    return pa.table({f.name: columns[f.name] for f in spec.fields}, schema=spec.arrow_schema)
