"""``ltc ingest``: load CSV extracts, FHIR R4 Bundles and Synthea CSV exports into the
record store, all or nothing per batch (POP-1 patient index, POP-2 linked records)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from ltc.cli.common import DataDir, console, err, progress, store
from ltc.records.errors import IngestError
from ltc.records.store import Batch, RecordStore

ingest_app = typer.Typer(help="Load extracts into the record store (all-or-nothing per batch).",
                         no_args_is_help=True)

Replace = Annotated[bool, typer.Option(
    "--replace", help="Replace a stored batch of the same name even when the new extract "
    "shares fewer than half of its people with it (a different extract, not a correction).")]


def commit_all(records: RecordStore, loaders: Sequence[tuple[str, Callable[[Path], Batch]]],
               replace: bool = False, overlaps: bool = False) -> None:
    """Load and commit batches one by one; stop at the first refused batch.

    Each loader gets an empty staging folder beside the store (removed afterwards) for
    tables too large to hold in memory. Replacing a stored batch is checked and reported
    (:func:`ltc.records.ingest.report.commit`): a different extract under the same name
    exits 1 unless ``replace`` is given.
    """
    from ltc.records.ingest import report
    from ltc.records.replacement import ReplacementRefusedError

    records.root.parent.mkdir(parents=True, exist_ok=True)
    with progress("ingest") as bar:
        task = bar.add_task("ingest", total=len(loaders))
        for label, load in loaders:
            bar.update(task, description=f"ingest {label}")
            started = time.perf_counter()
            with tempfile.TemporaryDirectory(dir=records.root.parent, prefix=".staging-") as tmp:
                try:
                    printed = report.commit(records, load(Path(tmp)), started, replace,
                                            overlaps)
                except (IngestError, ReplacementRefusedError) as error:
                    bar.stop()
                    err.print(f"[red]{label}[/red]")
                    err.print(error.report() if isinstance(error, IngestError) else str(error),
                              markup=False, highlight=False)
                    raise typer.Exit(2 if isinstance(error, IngestError) else 1) from None
                for line in printed:
                    console.print(line, markup=False, highlight=False)
            bar.advance(task)


@ingest_app.command("csv")
def ingest_csv(
    path: Annotated[Path, typer.Argument(help="An extract folder <source>/<YYYY-MM>, or a "
                                         "folder holding many.")],
    source: Annotated[str | None, typer.Option(help="Source (default: from the path).")] = None,
    period: Annotated[str | None, typer.Option(help="Period YYYY-MM (default: from the "
                                               "path).")] = None,
    replace: Replace = False,
    data_dir: DataDir = None,
) -> None:
    """Ingest CSV extracts in the documented format (docs/data-model.md)."""
    from ltc.records.ingest import csv_extract

    if not path.exists():
        err.print(f"{path}: no such folder. Expected extract folders <source>/<YYYY-MM>/.")
        raise typer.Exit(2)
    records = store(data_dir)
    try:
        folders = csv_extract.batch_folders(path)
    except IngestError as error:
        err.print(error.report(), markup=False, highlight=False)
        raise typer.Exit(2) from None
    if not folders:
        err.print(f"{path}: no extract folders found; expected <source>/<YYYY-MM>/<table>.csv")
        raise typer.Exit(2)
    if len(folders) > 1 and (source or period):
        err.print(f"{path} holds {len(folders)} extract folders; --source and --period apply to "
                  "one folder only (each folder is named <source>/<YYYY-MM>). Give one folder, "
                  "or leave them out.")
        raise typer.Exit(2)
    loaders = [(f"{f.parent.name}/{f.name}",
                lambda tmp, f=f: csv_extract.load_folder(f, source, period, store=records,
                                                         staging=tmp))
               for f in folders]
    commit_all(records, loaders, replace)


@ingest_app.command("fhir")
def ingest_fhir(
    path: Annotated[Path, typer.Argument(help="A FHIR R4 Bundle file or a folder of them.")],
    source: Annotated[str | None, typer.Option(help="Source name for this batch (default: "
                                               "synthea-fhir-<8 hex> named from its "
                                               "patients).")] = None,
    period: Annotated[str | None, typer.Option(help="Period YYYY-MM (default: month of the "
                                               "latest date in the bundles).")] = None,
    validate: Annotated[bool, typer.Option(
        "--validate", help="Also validate every resource against the FHIR R4 models "
        "(thorough, about 15 times slower).")] = False,
    replace: Replace = False,
    data_dir: DataDir = None,
) -> None:
    """Ingest FHIR R4 Bundles (e.g. Synthea); patients get stable NHS numbers."""
    from ltc.interop.fhir import bundles as fhir

    if not path.exists():
        err.print(f"{path}: no such file or folder. Expected FHIR R4 Bundle JSON files.")
        raise typer.Exit(2)
    records = store(data_dir)
    commit_all(records, [(str(path), lambda _tmp: fhir.load_bundles(
        path, records, source, period, validate=validate))], replace, overlaps=True)


@ingest_app.command("synthea-csv")
def ingest_synthea_csv(
    path: Annotated[Path, typer.Argument(help="Folder of a Synthea v3 CSV export.")],
    source: Annotated[str | None, typer.Option(help="Source name for this batch (default: "
                                               "synthea-csv-<8 hex> named from its "
                                               "patients).")] = None,
    period: Annotated[str | None, typer.Option(help="Period YYYY-MM.")] = None,
    replace: Replace = False,
    data_dir: DataDir = None,
) -> None:
    """Ingest a Synthea CSV export."""
    from ltc.records.ingest import synthea_csv

    if not path.is_dir():
        err.print(f"{path}: no such folder. Expected a Synthea CSV export (patients.csv, ...).")
        raise typer.Exit(2)
    records = store(data_dir)
    commit_all(records, [(str(path),
                          lambda _tmp: synthea_csv.load_folder(path, records, source, period))],
               replace, overlaps=True)
