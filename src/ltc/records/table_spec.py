"""The parts of a record-plane table definition: field, ordering and reference rules (POP-1, POP-2).

:class:`Table` holds a table's :class:`Field` columns, its key, the :class:`Order` rules
between its dates and the :class:`Reference` rules to other tables. The tables themselves
are defined in :mod:`ltc.records.schema`.

Field kinds
-----------
``nhs_number``  10 digits passing the Modulus 11 check (see :mod:`ltc.codes.nhs_number`)
``string``      free text (trimmed; empty means missing)
``date``        ISO 8601 calendar date ``YYYY-MM-DD``
``int``         whole number
``float``       decimal number
``bool``        ``true``/``false`` (also ``1``/``0``, ``Y``/``N``)
``code``        one value of a fixed code set (``codes`` lists them)
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

KIND_TYPES: dict[str, pa.DataType] = {
    "nhs_number": pa.string(),
    "string": pa.string(),
    "date": pa.date32(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "code": pa.string(),
}


@dataclass(frozen=True)
class Field:
    """One column of a record-plane table."""

    name: str
    kind: str
    description: str
    required: bool = True
    codes: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    derived: bool = False  # computed at ingest, never read from an extract

    @property
    def arrow_type(self) -> pa.DataType:
        return KIND_TYPES[self.kind]


@dataclass(frozen=True)
class Order:
    """A cross-field rule: ``later`` must not be before ``earlier`` when both are present."""

    earlier: str
    later: str


@dataclass(frozen=True)
class Reference:
    """A cross-table rule: each present value of ``field`` must name a row of ``table``.

    The value must appear in ``target_field`` of ``table``, either in the same batch or
    in a batch already stored.
    """

    field: str
    table: str
    target_field: str


@dataclass(frozen=True)
class Table:
    """A record-plane table: its fields, unique key, ordering and reference rules."""

    name: str
    description: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    snapshot: bool = False  # True: the latest extract replaces earlier rows by key
    orders: tuple[Order, ...] = ()
    sort_by: tuple[str, ...] = ()  # default: NHS number, then the first date field

    @property
    def order(self) -> tuple[str, ...]:
        """Columns the stored rows are sorted by (then the key)."""
        if self.sort_by:
            return self.sort_by
        dates = [f.name for f in self.fields if f.kind == "date"]
        return ("nhs_number", *dates[:1])
    references: tuple[Reference, ...] = ()

    @property
    def extract_fields(self) -> tuple[Field, ...]:
        """Fields an extract carries (derived fields are computed at ingest)."""
        return tuple(f for f in self.fields if not f.derived)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(f.name, f.arrow_type, nullable=not f.required)
                          for f in self.fields])

    @property
    def stored_schema(self) -> pa.Schema:
        """Schema of the Parquet files: the fields plus the batch they came from."""
        return self.arrow_schema.append(pa.field("_source", pa.string(), nullable=False)).append(
            pa.field("_period", pa.string(), nullable=False))
