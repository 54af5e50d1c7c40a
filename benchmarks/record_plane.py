"""Benchmark: generate a synthetic community and ingest it, printing wall time and peak memory.

    uv run python benchmarks/record_plane.py --people 1000000

Each step runs in a child process whose own peak resident memory is read when it ends
(``ru_maxrss`` from ``wait4``). Figures go in docs/benchmarks.md with this command.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(label: str, argv: list[str]) -> tuple[float, float]:
    """Run one step as its own process; its wall time and its own peak resident memory."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label} failed: {' '.join(argv)}")
    peak = usage.ru_maxrss / 1024 / 1024  # KiB on Linux
    print(f"{label:<28} {wall:8.1f} s   peak {peak:5.2f} GiB", flush=True)
    return wall, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the data in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ltc-bench-"))
    ltc = [sys.executable, "-m", "ltc"]
    print(f"record plane: {args.people:,} people, seed {args.seed}, in {work}")
    try:
        total = 0.0
        peaks = []
        for label, argv in (
            ("synth (CSV extracts)", [*ltc, "synth", "--people", str(args.people), "--seed",
                                      str(args.seed), "--out", str(work / "extracts"),
                                      "--truth", str(work / "truth")]),
            ("ingest (CSV extracts)", [*ltc, "ingest", "csv", str(work / "extracts"),
                                       "--data-dir", str(work)]),
        ):
            wall, peak = run(label, argv)
            total += wall
            peaks.append(peak)
        size = sum(p.stat().st_size for p in (work / "extracts").rglob("*.csv")) / 2**30
        stored = sum(p.stat().st_size for p in (work / "records").rglob("*.parquet")) / 2**30
        print(f"{'generate + ingest':<28} {total:8.1f} s   peak {max(peaks):5.2f} GiB")
        print(f"CSV extracts {size:.2f} GiB; record store {stored:.2f} GiB (Parquet, zstd)")
        run("records summary", [*ltc, "records", "summary", "--data-dir", str(work)])
        run("synth --direct (Parquet)", [*ltc, "synth", "--people", str(args.people), "--seed",
                                         str(args.seed), "--direct", "--data-dir",
                                         str(work / "direct"), "--truth",
                                         str(work / "direct" / "truth")])
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
