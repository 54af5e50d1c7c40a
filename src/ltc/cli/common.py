"""What every ``ltc`` command group shares: the consoles, the progress bar, the data
folder and opening the record store (ARCHITECTURE: interfaces; no capability of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ltc.config import settings
from ltc.options import DataDir
from ltc.records.store import RecordStore

__all__ = ["DataDir", "console", "data_dir_of", "err", "filled_store", "progress", "store"]

console = Console()
err = Console(stderr=True)


def data_dir_of(data_dir: Path | None) -> Path:
    """The ``--data-dir`` given, or the configured data folder."""
    return data_dir if data_dir is not None else settings().data_dir


def store(data_dir: Path | None) -> RecordStore:
    """The record store in the data folder."""
    return RecordStore(data_dir_of(data_dir) / "records")


def filled_store(data_dir: Path | None) -> RecordStore:
    """The record store, or a clear exit saying how to fill it when it is empty."""
    found = store(data_dir)
    if not found.batches():
        err.print(f"The record store at {found.root} is empty. Load extracts first: "
                  "ltc ingest csv <folder> (or make demo).")
        raise typer.Exit(1)
    return found


@contextmanager
def progress(label: str) -> Iterator[Progress]:
    """A progress bar on the console, kept on screen when done."""
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        yield bar
