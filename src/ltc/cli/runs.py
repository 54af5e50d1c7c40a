"""``ltc runs``: list the kept stratification runs and compare two of them: entrants,
leavers and movers between levels (STRAT-6)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ltc.cli.common import DataDir, console, data_dir_of, err

runs_app = typer.Typer(help="Stratification runs: list them, compare two.", no_args_is_help=True)


@runs_app.command("list")
def runs_list(data_dir: DataDir = None) -> None:
    """Every kept run, oldest first."""
    from ltc.pipeline import runs

    kept = runs.all_runs(data_dir_of(data_dir))
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

    root = data_dir_of(data_dir)
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
