"""The ``ltc`` command line: batch work with progress bars (synth, ingest, records)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ltc.care.cli import app as care_app
from ltc.care.cli import listen, serve
from ltc.care.events.cli import events_app
from ltc.care.feeds.cli import feeds_app
from ltc.config import settings
from ltc.options import DataDir
from ltc.pipeline.model_cli import app as model_app
from ltc.records.errors import IngestError
from ltc.records.store import Batch, RecordStore

app = typer.Typer(help="LTC: the NHS and Social Care Long Term Conditions Model.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
ingest_app = typer.Typer(help="Load extracts into the record store (all-or-nothing per batch).",
                         no_args_is_help=True)
records_app = typer.Typer(help="Look at what the record store holds.", no_args_is_help=True)
runs_app = typer.Typer(help="Stratification runs: list them, compare two.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(records_app, name="records")
app.add_typer(runs_app, name="runs")
app.add_typer(model_app, name="model")
app.add_typer(care_app, name="care")
app.add_typer(feeds_app, name="feeds")
app.add_typer(events_app, name="events")
app.command("serve")(serve)
app.command("listen")(listen)
console = Console()
err = Console(stderr=True)


def _filled_store(data_dir: Path | None) -> RecordStore:
    """The record store, or a clear exit saying how to fill it when it is empty."""
    store = _store(data_dir)
    if not store.batches():
        err.print(f"The record store at {store.root} is empty. Load extracts first: "
                  "ltc ingest csv <folder> (or make demo).")
        raise typer.Exit(1)
    return store


def _store(data_dir: Path | None) -> RecordStore:
    root = data_dir if data_dir is not None else settings().data_dir
    return RecordStore(root / "records")


@contextmanager
def _progress(label: str) -> Iterator[Progress]:
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        yield bar


Replace = Annotated[bool, typer.Option(
    "--replace", help="Replace a stored batch of the same name even when the new extract "
    "shares fewer than half of its people with it (a different extract, not a correction).")]


def _commit_all(store: RecordStore, loaders: Sequence[tuple[str, Callable[[Path], Batch]]],
                replace: bool = False, overlaps: bool = False) -> None:
    """Load and commit batches one by one; stop at the first refused batch.

    Each loader gets an empty staging folder beside the store (removed afterwards) for
    tables too large to hold in memory. Replacing a stored batch is checked and reported
    (:func:`ltc.records.ingest.report.commit`): a different extract under the same name
    exits 1 unless ``replace`` is given.
    """
    from ltc.records.ingest import report
    from ltc.records.replacement import ReplacementRefusedError

    store.root.parent.mkdir(parents=True, exist_ok=True)
    with _progress("ingest") as bar:
        task = bar.add_task("ingest", total=len(loaders))
        for label, load in loaders:
            bar.update(task, description=f"ingest {label}")
            started = time.perf_counter()
            with tempfile.TemporaryDirectory(dir=store.root.parent, prefix=".staging-") as tmp:
                try:
                    printed = report.commit(store, load(Path(tmp)), started, replace, overlaps)
                except (IngestError, ReplacementRefusedError) as error:
                    bar.stop()
                    err.print(f"[red]{label}[/red]")
                    err.print(error.report() if isinstance(error, IngestError) else str(error),
                              markup=False, highlight=False)
                    raise typer.Exit(2 if isinstance(error, IngestError) else 1) from None
                for line in printed:
                    console.print(line, markup=False, highlight=False)
            bar.advance(task)


@app.command()
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

    root = data_dir if data_dir is not None else settings().data_dir
    out = out if out is not None else root / "extracts"
    truth = truth if truth is not None else root / "truth"
    options = Options(people=people, seed=seed, end=date.fromisoformat(end))
    started = time.perf_counter()
    with _progress("synth") as bar:
        task = bar.add_task(f"synth {people:,} people", total=people)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done)

        if direct:
            write_store(_store(data_dir), options, truth, advance)
            where = str(_store(data_dir).root)
        else:
            folders = write_extracts(out, options, truth, advance)
            where = f"{out} ({len(folders)} extract folders)"
    console.print(f"Synthetic community of {people:,} people (seed {seed}) written to {where} "
                  f"in {time.perf_counter() - started:.1f} s; ground truth in {truth}.")


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
    store = _store(data_dir)
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
                lambda tmp, f=f: csv_extract.load_folder(f, source, period, store=store,
                                                         staging=tmp))
               for f in folders]
    _commit_all(store, loaders, replace)


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
    from ltc.records.ingest import fhir

    if not path.exists():
        err.print(f"{path}: no such file or folder. Expected FHIR R4 Bundle JSON files.")
        raise typer.Exit(2)
    store = _store(data_dir)
    _commit_all(store, [(str(path), lambda _tmp: fhir.load_bundles(
        path, store, source, period, validate=validate))], replace, overlaps=True)


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
    store = _store(data_dir)
    _commit_all(store, [(str(path),
                         lambda _tmp: synthea_csv.load_folder(path, store, source, period))],
                replace, overlaps=True)


@records_app.command("summary")
def records_summary(
    by_practice: Annotated[bool, typer.Option("--by-practice",
                                              help="Also show prevalence per practice.")]
    = False,
    data_dir: DataDir = None,
) -> None:
    """Rows and date range per table; register sizes and prevalence against QOF England."""
    from ltc.analytics import suppression
    from ltc.records import summary as summ

    store = _filled_store(data_dir)
    con = store.connect()
    as_of = summ.latest_date(con)

    t = Table(title=f"Record store {store.root}")
    for col in ("table", "rows", "from", "to"):
        t.add_column(col, justify="right" if col == "rows" else "left")
    for row in summ.tables(con):
        t.add_row(row.table, f"{row.rows:,}", str(row.first or ""), str(row.last or ""))
    console.print(t)
    for line in summ.skipped_lines(store):
        console.print(line, markup=False, highlight=False)

    p = Table(title=f"Registers on {as_of} against QOF England 2019-20")
    for col in ("register", "people", "hospital only", "denominator", "prevalence %",
                "QOF England %", "ratio"):
        p.add_column(col, justify="left" if col == "register" else "right")
    for r in summ.prevalence_against_qof(con, as_of):
        p.add_row(r.register, f"{r.count:,}", f"{r.hospital_only:,}", f"{r.denominator:,}",
                  f"{r.percent:.2f}" if r.percent is not None else "-",
                  f"{r.reference:.2f}" if r.reference is not None else "-",
                  f"{r.ratio:.2f}" if r.ratio is not None else "-")
    console.print(p)
    console.print("hospital only: people on the register through hospital diagnoses alone, "
                  "with no primary care code; they are counted in 'people'.")

    c = summ.bed_day_concentration(con, as_of)
    console.print(f"Bed days {c.start} to {c.end}: {c.bed_days:,} for {c.inpatients:,} "
                  f"inpatients; the top 5% used {100 * c.top_share:.1f}% "
                  "(seed's national figure: 42%).")
    if by_practice:
        from ltc.records.registers import prevalence

        table = prevalence(con, as_of, by=["practice_code"])
        q = Table(title="Prevalence % by practice (counts of 1-7 withheld: *; others "
                  "rounded to 5)")
        regs = sorted(set(table["register"].to_pylist()))
        q.add_column("practice")
        for reg in regs:
            q.add_column(reg, justify="right")
        by: dict[str, dict[str, str]] = {}
        for rec in table.to_pylist():
            by.setdefault(rec["practice_code"], {})[rec["register"]] = suppression.show_percent(
                rec["count"], rec["denominator"])
        for practice, values in sorted(by.items()):
            q.add_row(practice, *[values.get(r, "-") for r in regs])
        console.print(q)


@records_app.command("data-model")
def records_data_model() -> None:
    """Print the record-plane data model as Markdown (the source of docs/data-model.md)."""
    from ltc.records.datamodel_doc import render

    typer.echo(render(), nl=False)


def _data_dir(data_dir: Path | None) -> Path:
    return data_dir if data_dir is not None else settings().data_dir


@app.command()
def stratify(
    as_of: Annotated[str, typer.Option("--as-of", help="Index date YYYY-MM-DD.")],
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark.")] = "duckdb",
    rules: Annotated[list[str] | None, typer.Option(
        "--rules", help="Rule set for level 3: a built-in name (castlefields, evercare) or a "
        "rule file; repeat for several (default: the policy's).")] = None,
    policy: Annotated[Path | None, typer.Option(help="Pyramid policy file (default: the "
                                                "built-in policy).")] = None,
    gp_knowledge: Annotated[Path | None, typer.Option(
        "--gp-knowledge", help="CSV of clinicians' nominations and exclusions.")] = None,
    model: Annotated[Path | None, typer.Option(
        help="A model folder from 'ltc model train': adds predicted risk, its percentile "
        "and risk factors, and level 3 for the top risk percent of the policy.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Stratify everyone into the pyramid as of a date; the run is kept (STRAT-1 to 7)."""
    from dataclasses import replace

    from ltc.pipeline import engine as engines
    from ltc.pipeline import gp_knowledge as knowledge
    from ltc.pipeline import levels, report, runs, sources
    from ltc.pipeline import rules as rule_sets
    from ltc.pipeline import stratify as strat

    try:
        index = date.fromisoformat(as_of)
    except ValueError:
        err.print(f"--as-of {as_of!r} is not a date; expected YYYY-MM-DD, e.g. 2025-03-31")
        raise typer.Exit(2) from None
    root = _data_dir(data_dir)
    store = _filled_store(data_dir)
    try:
        chosen = levels.load(policy)
        if rules:
            for name in rules:
                rule_sets.load(name)
            chosen = replace(chosen, rule_sets=tuple(rules))
        nominations = knowledge.load(gp_knowledge) if gp_knowledge else None
        risk = strat.RiskModel(model) if model is not None else None
    except (levels.PolicyError, rule_sets.RuleError, FileNotFoundError, ValueError) as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None
    except IngestError as error:
        err.print(error.report(), markup=False, highlight=False)
        raise typer.Exit(2) from None
    found = sources.coverage(store, [rule_sets.load(name) for name in chosen.rule_sets])
    absent = [t for t in sources.REQUIRED if t in found.missing or not store.files(t)]
    if absent:
        err.print(f"The record store at {store.root} has no {' or '.join(absent)} table, so "
                  "there is nobody to stratify. Load a GP extract (person.csv, practice.csv) "
                  "first: ltc ingest csv <folder>.")
        raise typer.Exit(1)
    started = time.perf_counter()
    with console.status(f"Stratifying as of {index} on {engine}..."):
        con = engines.connect(store, engine)
        people = strat.people(con, index, chosen, nominations, risk)
    seconds = time.perf_counter() - started
    run = runs.save(root, people, {
        "as_of": str(index), "engine": engine, "policy": chosen.__dict__,
        "gp_knowledge": knowledge.summary(nominations) if nominations is not None else None,
        "model": risk.version if risk is not None else None, "seconds": round(seconds, 1),
        "sources": found.as_meta()})
    report_path = report.render(run, people)
    _print_pyramid(people, f"{run.id}: pyramid as of {index} ({seconds:.1f} s)")
    hidden = strat.hidden(people)
    console.print(f"Of {hidden.level3:,} people at level 3, "
                  f"{100 * hidden.share(hidden.known_to_community_nursing):.0f}% are known to "
                  f"community nursing and {100 * hidden.share(hidden.known_to_social_care):.0f}% "
                  "to social care in the last 12 months (seed: 24% and 35%).")
    console.print(f"Per person: {run.folder / 'people.parquet'} and people.csv; report: "
                  f"{report_path}")
    if found.missing:
        console.print(f"[bold yellow]Missing sources:[/] no {', '.join(found.missing)} "
                      "rows were ever loaded; they count as none.")
        for name, labels in found.cannot_fire.items():
            console.print(f"  {name}: these criteria could not be met: {'; '.join(labels)}",
                          markup=False, highlight=False)


def _print_pyramid(people: pa.Table, title: str) -> None:
    from ltc.pipeline import levels
    from ltc.pipeline import stratify as strat

    counts = {int(r["level"]): int(r["people"])
              for r in strat.level_counts(people).to_pylist()}
    total = sum(counts.values()) or 1
    t = Table(title=title)
    t.add_column("level", justify="right")
    t.add_column("")
    t.add_column("people", justify="right")
    t.add_column("%", justify="right")
    t.add_column("")
    for level in (3, 2, 1, 0):
        n = counts.get(level, 0)
        bar = "█" * max(1 if n else 0, round(40 * n / total))
        t.add_row(str(level), levels.LEVEL_NAMES[level], f"{n:,}", f"{100 * n / total:.1f}",
                  bar)
    console.print(t)


@runs_app.command("list")
def runs_list(data_dir: DataDir = None) -> None:
    """Every kept run, oldest first."""
    from ltc.pipeline import runs

    kept = runs.all_runs(_data_dir(data_dir))
    if not kept:
        console.print("No runs yet. Make one with: ltc stratify --as-of YYYY-MM-DD")
        return
    t = Table(title="Stratification runs")
    for col in ("run", "as of", "engine", "people", "level 3", "level 2", "level 1",
                "created"):
        t.add_column(col)
    for r in kept:
        lv = r.meta.get("levels", {})
        t.add_row(r.id, r.meta.get("as_of", ""), r.meta.get("engine", ""),
                  f"{r.meta.get('people', 0):,}", *(f"{lv.get(k, 0):,}" for k in "321"),
                  r.meta.get("created_at", ""))
    console.print(t)


@runs_app.command("diff")
def runs_diff(
    a: Annotated[str, typer.Argument(help="Earlier run id (e.g. run-0001).")],
    b: Annotated[str, typer.Argument(help="Later run id, or 'latest'.")] = "latest",
    show: Annotated[int, typer.Option(help="List at most this many people per group.")] = 20,
    data_dir: DataDir = None,
) -> None:
    """Entrants to and leavers from case management, and movers between levels."""
    from ltc.pipeline import runs

    root = _data_dir(data_dir)
    try:
        d = runs.diff(runs.get(root, a), runs.get(root, b))
    except runs.RunError as error:
        err.print(str(error))
        raise typer.Exit(2) from None
    t = Table(title=f"People by level: {d.a.id} (rows) to {d.b.id} (columns)")
    t.add_column(f"{d.a.id} \\ {d.b.id}")
    labels = [3, 2, 1, 0, None]
    for lb in labels:
        t.add_column("not present" if lb is None else f"level {lb}", justify="right")
    cells = {(r["level_a"], r["level_b"]): r["people"] for r in d.transitions.iter_rows(
        named=True)}
    for la in labels:
        t.add_row("not present" if la is None else f"level {la}",
                  *(f"{cells.get((la, lb), 0):,}" for lb in labels))
    console.print(t)
    for label, frame in (("Entrants to level 3", d.entrants), ("Leavers from level 3",
                                                              d.leavers)):
        console.print(f"{label}: {frame.height:,}")
        for row in frame.head(show).iter_rows(named=True):
            console.print(f"  {row['nhs_number']}  {row['practice_code'] or ''}  level "
                          f"{row['level_a']} -> {row['level_b']}  {row['basis_b'] or ''}")
    console.print(f"Movers between levels: {d.movers.height:,}")


def main() -> None:
    app()
