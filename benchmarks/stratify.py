"""Benchmark: a full stratification run against one plain DuckDB scan of the same inputs.

    uv run python benchmarks/stratify.py --data-dir DIR --as-of 2025-03-31

DIR holds a record store (e.g. made by ``benchmarks/record_plane.py --keep DIR`` or
``ltc synth --direct --data-dir DIR``). Prints, side by side in one run, the wall time and
peak memory of ``ltc stratify``, the time of one DuckDB scan reading every column of every
Parquet file the run reads, and their ratio. Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from ltc.records.store import RecordStore

# the tables a run reads
READS = ("person", "practice", "diagnosis", "gp_consultation", "outpatient_attendance",
         "ae_attendance", "inpatient_spell", "ambulance_incident", "community_contact",
         "social_care_contact", "social_care_package", "prescription", "observation",
         "social_fact", "dispensing")


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
    parser.add_argument("--engine", default="duckdb")
    args = parser.parse_args()
    store = RecordStore(args.data_dir / "records")
    people = sum(store.batches()[k]["rows"].get("person", 0) for k in store.batches())
    print(f"stratify: {people:,} people in {args.data_dir}, as of {args.as_of}, "
          f"engine {args.engine}")
    scan = plain_scan(store)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "ltc", "stratify", "--as-of", args.as_of,
                              "--engine", args.engine, "--data-dir", str(args.data_dir)],
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("ltc stratify failed")
    peak = usage.ru_maxrss / 1024 / 1024
    print(f"{'ltc stratify (whole run)':<32} {wall:8.1f} s   peak {peak:5.2f} GiB")
    print(f"{'one DuckDB scan of the inputs':<32} {scan:8.1f} s")
    print(f"{'ratio':<32} {wall / scan:8.1f} x   (target <= 10 x, <= 60 s, <= 6 GiB)")


if __name__ == "__main__":
    main()
