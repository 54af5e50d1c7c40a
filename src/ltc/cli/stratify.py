"""``ltc stratify``: stratify everyone into the pyramid as of a date and print the pyramid,
the hidden population, the recall statuses of the condition protocols (DM-1, DM-2) and the
missing sources (STRAT-1 to STRAT-7, POP-5). The run itself is
:func:`ltc.pipeline.run.run_stratification`; this module only reads the options and
prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.table import Table

from ltc.cli.common import DataDir, console, data_dir_of, err, filled_store
from ltc.config import settings


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
    protocols: Annotated[Path | None, typer.Option(
        "--protocols", help="A folder of local condition protocols that change the "
        "defaults (default: LTC_PROTOCOLS_DIR, else none).")] = None,
    due_soon_days: Annotated[int, typer.Option(
        "--due-soon-days", help="Recall: an item is due soon this many days before its due "
        "date.")] = 30,
    data_dir: DataDir = None,
) -> None:
    """Stratify everyone into the pyramid as of a date; the run is kept (STRAT-1 to 7), with
    the recall status of every protocol item (DM-2)."""
    from ltc.pipeline import run as service

    try:
        index = date.fromisoformat(as_of)
    except ValueError:
        err.print(f"--as-of {as_of!r} is not a date; expected YYYY-MM-DD, e.g. 2025-03-31")
        raise typer.Exit(2) from None
    root = data_dir_of(data_dir)
    store = filled_store(data_dir)
    try:
        with console.status(f"Stratifying as of {index} on {engine}...") as status:
            result = service.run_stratification(
                store, root, index, engine=engine, rules=rules, policy=policy,
                gp_knowledge=gp_knowledge, model=model, progress=status.update,
                protocols_dir=protocols if protocols is not None else settings().protocols_dir,
                due_soon_days=due_soon_days)
    except service.RunInputError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None
    except service.NothingToStratifyError as error:
        err.print(str(error))
        raise typer.Exit(1) from None
    run, people, found, hidden = result.run, result.people, result.sources, result.hidden
    _print_pyramid(people, f"{run.id}: pyramid as of {index} ({result.seconds:.1f} s)")
    console.print(f"Of {hidden.level3:,} people at level 3, "
                  f"{100 * hidden.share(hidden.known_to_community_nursing):.0f}% are known to "
                  f"community nursing and {100 * hidden.share(hidden.known_to_social_care):.0f}% "
                  "to social care in the last 12 months (seed: 24% and 35%).")
    console.print(f"Per person: {run.folder / 'people.parquet'} and people.csv; report: "
                  f"{result.report}")
    console.print(recall_line(result.recall_counts), markup=False, highlight=False)
    console.print(practice_line(run.meta), markup=False, highlight=False)
    if found.missing:
        console.print(f"[bold yellow]Missing sources:[/] no {', '.join(found.missing)} "
                      "rows were ever loaded; they count as none.")
        for name, labels in found.cannot_fire.items():
            console.print(f"  {name}: these criteria could not be met: {'; '.join(labels)}",
                          markup=False, highlight=False)


def recall_line(counts: dict[str, int]) -> str:
    """The summary line of the recall statuses (DM-2), e.g. "Recall (recall.parquet): 1,204
    items: 310 overdue, 95 due, 40 due soon, 700 done, 9 excepted, 50 not due"."""
    order = ("overdue", "due", "due_soon", "done", "excepted", "not_due")
    parts = ", ".join(f"{counts.get(s, 0):,} {s.replace('_', ' ')}" for s in order)
    return f"Recall (recall.parquet): {sum(counts.values()):,} items: {parts}"


def practice_line(meta: dict[str, Any]) -> str:
    """The summary line of the medicines lists (SC-3) and QOF indicators (DM-6), e.g.
    "Medicines (medicines.parquet): 84,640 medication reviews due, 120,000 with low
    adherence, 7,449 on 10+ medicines; QOF v46.0 (indicators.parquet, achievement.parquet):
    19 indicators"."""
    med, qof = meta.get("medicines", {}), meta.get("achievement", {})
    return (f"Medicines (medicines.parquet): {med.get('review_due', 0):,} medication reviews "
            f"due, {med.get('low_adherence', 0):,} with low adherence, "
            f"{med.get('polypharmacy', 0):,} on 10+ medicines; QOF "
            f"v{qof.get('version', '')} (indicators.parquet, achievement.parquet): "
            f"{len(qof.get('indicators', {}))} indicators")


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
