"""Benchmark: the recall statuses (DM-2) against one plain DuckDB scan of their inputs.

    uv run python benchmarks/recall.py --data-dir DIR --as-of 2025-03-31

DIR holds a record store (e.g. made by ``benchmarks/record_plane.py --keep DIR``; a store
made before the synthetic community recorded review items has few of them, so most items
come out due or overdue, which costs the same). Prints the number of people and statuses,
the time of computing every protocol item's status for everyone on a register on DuckDB
(into Arrow, as a run keeps it), the time of one DuckDB scan reading every column of every
Parquet file it reads, and their ratio (target <= 5 x). Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import duckdb

from ltc.pipeline import engine
from ltc.pipeline.recall import counts, statuses
from ltc.protocols import load
from ltc.records.store import RecordStore

#: the tables the recall statuses read: registers (diagnoses, drugs for asthma and
#: epilepsy), people, and the observations that record the review items
READS = ("person", "diagnosis", "prescription", "observation")


def plain_scan(store: RecordStore) -> float:
    """Seconds for DuckDB to read every column of every input file once."""
    con = duckdb.connect(config={"threads": 2})
    started = time.perf_counter()
    for name in READS:
        files = [str(f) for f in store.files(name)]
        if not files:
            continue
        columns = con.sql("SELECT * FROM read_parquet($1) LIMIT 0", params=[files]).columns
        checks = ", ".join(f'bit_xor(hash("{c}"))' for c in columns)
        con.sql(f"SELECT {checks} FROM read_parquet($1)", params=[files]).fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--as-of", default="2025-03-31")
    args = parser.parse_args()
    store = RecordStore(args.data_dir / "records")
    as_of = date.fromisoformat(args.as_of)
    batches = store.batches()
    people = sum(batches[k]["rows"].get("person", 0) for k in batches)
    observations = sum(batches[k]["rows"].get("observation", 0) for k in batches)
    print(f"recall: {people:,} people, {observations:,} observations in {args.data_dir}, "
          f"as of {as_of}")
    protocols = load()
    scan = plain_scan(store)
    started = time.perf_counter()
    con = engine.connect(store)
    result = statuses(con, as_of, protocols).to_pyarrow()
    seconds = time.perf_counter() - started
    by_status = counts(result)
    print(f"{'statuses (people x items)':<32} {result.num_rows:>12,}")
    print("  " + ", ".join(f"{k} {v:,}" for k, v in by_status.items()))
    print(f"{'recall statuses (DuckDB)':<32} {seconds:8.1f} s")
    print(f"{'one DuckDB scan of the inputs':<32} {scan:8.1f} s")
    print(f"{'ratio':<32} {seconds / scan:8.1f} x   (target <= 5 x)")


if __name__ == "__main__":
    main()
