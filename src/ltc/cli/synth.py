"""``ltc synth``: build a synthetic health community as CSV extracts or straight into the
record store, so every path (ingest, POP-1 and POP-2, onwards) runs on realistic data."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ltc.cli.common import DataDir, console, data_dir_of, progress, store


def synth(
    people: Annotated[int, typer.Option(help="Number of registered people.", min=100)] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same community.")]
    = 1,
    out: Annotated[Path | None, typer.Option(
        help="Folder for the CSV extracts (default: <data dir>/extracts).")] = None,
    truth: Annotated[Path | None, typer.Option(
        help="Folder for the ground-truth file, never read by the pipeline (default: "
        "<data dir>/truth).")] = None,
    end: Annotated[str, typer.Option(help="Last day of the 3-year history (YYYY-MM-DD).")]
    = "2025-03-31",
    direct: Annotated[bool, typer.Option(
        "--direct", help="Write straight into the record store instead of CSV extracts.")]
    = False,
    data_dir: DataDir = None,
) -> None:
    """Build a synthetic health community (deterministic by seed)."""
    from ltc.synth.generate import Options, write_extracts, write_store

    root = data_dir_of(data_dir)
    out = out if out is not None else root / "extracts"
    truth = truth if truth is not None else root / "truth"
    options = Options(people=people, seed=seed, end=date.fromisoformat(end))
    started = time.perf_counter()
    with progress("synth") as bar:
        task = bar.add_task(f"synth {people:,} people", total=people)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done)

        if direct:
            write_store(store(data_dir), options, truth, advance)
            where = str(store(data_dir).root)
        else:
            folders = write_extracts(out, options, truth, advance)
            where = f"{out} ({len(folders)} extract folders)"
    console.print(f"Synthetic community of {people:,} people (seed {seed}) written to {where} "
                  f"in {time.perf_counter() - started:.1f} s; ground truth in {truth}.")
