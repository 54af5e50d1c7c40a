"""Benchmark: medicines adherence (SC-3) against one plain DuckDB scan of its inputs.

    uv run python benchmarks/medicines.py --data-dir DIR --as-of 2025-03-31

DIR holds a record store (e.g. made by ``benchmarks/record_plane.py --keep DIR``); it is
only read. Prints the number of people and dispensings, the wall time and the process's
peak memory of ``medicines_table`` on DuckDB (every long-term medicine's proportion of
days covered, reviews due and polypharmacy, into Arrow as a run keeps it), the time of one
DuckDB scan reading every column of every Parquet file it reads, and their ratio, then
what it found. Figures go in docs/benchmarks.md ("Medicines adherence (SC-3)").
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.compute as pc

from ltc.pipeline import engine
from ltc.pipeline.medicines import medicines_table
from ltc.records.store import RecordStore

#: the tables medicines_table reads
READS = ("person", "practice", "prescription", "dispensing", "observation")


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
    dispensings = sum(batches[k]["rows"].get("dispensing", 0) for k in batches)
    print(f"medicines: {people:,} people, {dispensings:,} dispensings in {args.data_dir}, "
          f"as of {as_of}")
    scan = plain_scan(store)
    started = time.perf_counter()
    table = medicines_table(engine.connect(store), as_of)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    long_term = pc.sum(table["long_term_medicines"]).as_py()
    not_taken = pc.sum(pc.list_value_length(table["non_adherent"])).as_py()
    print(f"{'people with a long-term medicine':<34} {table.num_rows:>12,}")
    print(f"{'long-term medicines':<34} {long_term:>12,}   "
          f"PDC >= 80%: {100 * (1 - not_taken / long_term):.1f}%")
    print(f"{'medication review due':<34} {pc.sum(table['review_due']).as_py():>12,}")
    print(f"{'polypharmacy (10+ medicines)':<34} {pc.sum(table['polypharmacy']).as_py():>12,}")
    print(f"{'medicines_table (DuckDB)':<34} {seconds:8.1f} s   peak {peak:.2f} GiB")
    print(f"{'one DuckDB scan of the inputs':<34} {scan:8.1f} s")
    print(f"{'ratio':<34} {seconds / scan:8.1f} x")


if __name__ == "__main__":
    main()
