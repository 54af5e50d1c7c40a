"""A batch never silently replaces another (POP-2).

A batch is named ``<source>/<period>``; committing one under a name already stored
replaces what that name held. That is right for a *corrected* extract and wrong for a
*different* one that happens to share the name. Before committing, :func:`check`
compares the incoming batch with the one it would replace:

* the people each holds (NHS numbers in any of its tables) and the rows per table,
  before and after, so the ingest can say what changed;
* when fewer than half of the incoming batch's people are in the stored batch
  (:data:`MIN_SHARED`), the new batch is a different extract, not a correction, and it
  is refused (:class:`ReplacementRefusedError`, nothing changed) unless the caller asked to
  replace (``ltc ingest ... --replace``).

The same batch again (same fingerprint) replaces nothing: the store leaves it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from ltc.records.schema import TABLES
from ltc.records.store import Batch, RecordStore, Staged

MIN_SHARED = 0.5
"""The share of the incoming batch's people that must be in the batch it replaces."""


@dataclass(frozen=True)
class Replacement:
    """What committing a batch would replace."""

    batch: str
    people_before: int
    people_after: int
    shared: int  # people in both
    rows_before: dict[str, int]
    rows_after: dict[str, int]

    @property
    def shared_share(self) -> float:
        return self.shared / self.people_after if self.people_after else 1.0

    def lines(self) -> list[str]:
        """The ingest's report of the replacement, one line per table that changed."""
        out = [f"  replaces batch {self.batch}: people {self.people_before:,} -> "
               f"{self.people_after:,} ({self.shared:,} in both), rows "
               f"{sum(self.rows_before.values()):,} -> {sum(self.rows_after.values()):,}"]
        for name in sorted(set(self.rows_before) | set(self.rows_after)):
            before, after = self.rows_before.get(name, 0), self.rows_after.get(name, 0)
            if before != after:
                out.append(f"    {name}: {before:,} -> {after:,} rows")
        return out


class ReplacementRefusedError(Exception):
    """The incoming batch shares too few people with the batch it would replace."""

    def __init__(self, replacement: Replacement) -> None:
        self.replacement = replacement
        r = replacement
        super().__init__(
            f"Refused: batch {r.batch} is already stored with {r.people_before:,} people, and "
            f"only {r.shared:,} of the {r.people_after:,} people in the new extract "
            f"({100 * r.shared_share:.0f}%) are among them; a correction shares at least "
            f"{100 * MIN_SHARED:.0f}%. This looks like a different extract under the same "
            "name. Nothing was changed. Give it another source or period, or add --replace "
            "to replace the stored batch with it.")


def _people(columns: list[pa.ChunkedArray]) -> set[str]:
    out: set[str] = set()
    for column in columns:
        out.update(v for v in column.to_pylist() if v is not None)
    return out


def batch_people(batch: Batch) -> set[str]:
    """NHS numbers in any table of an incoming batch."""
    columns = []
    for name, data in batch.tables.items():
        if "nhs_number" not in TABLES[name].arrow_schema.names:
            continue
        if isinstance(data, Staged):
            columns.append(pq.read_table(data.path, columns=["nhs_number"]).column(0))
        else:
            columns.append(data.column("nhs_number"))
    return _people(columns)


def stored_people(store: RecordStore, key: str) -> set[str]:
    """NHS numbers in any table of the stored batch ``key``."""
    entry = store.batches()[key]
    return _people([pq.read_table(store.root / rel, columns=["nhs_number"]).column(0)
                    for name, rel in entry["files"].items()
                    if "nhs_number" in TABLES[name].arrow_schema.names])


def check(store: RecordStore, batch: Batch, replace: bool = False) -> Replacement | None:
    """What ``batch`` would replace (None: nothing, or the same batch again).

    Raises :class:`ReplacementRefusedError` when it shares fewer than half of its people with
    the stored batch and ``replace`` is not given.
    """
    previous = store.batches().get(batch.key)
    if previous is None or previous["fingerprint"] == batch.fingerprint:
        return None
    before = stored_people(store, batch.key)
    after = batch_people(batch)
    rows_after = {name: data.rows if isinstance(data, Staged) else data.num_rows
                  for name, data in batch.tables.items()}
    found = Replacement(batch.key, len(before), len(after), len(before & after),
                        dict(previous["rows"]), rows_after)
    if found.shared_share < MIN_SHARED and not replace:
        raise ReplacementRefusedError(found)
    return found


def overlaps(store: RecordStore, batch: Batch) -> dict[str, int]:
    """People of ``batch`` already in other stored batches, by batch: their records would
    then be held twice (e.g. the same Synthea patients in two differently named folders)."""
    people = batch_people(batch)
    out: dict[str, int] = {}
    for key in store.batches():
        if key == batch.key:
            continue
        shared = len(people & stored_people(store, key))
        if shared:
            out[key] = shared
    return out
