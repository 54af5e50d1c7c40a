"""``ltc model``: train and evaluate the emergency admission risk model (STRAT-3).

    ltc model train --index-date 2023-04-01 [--kind gbm|logistic] [--out FOLDER]
    ltc model evaluate FOLDER --index-date 2024-04-01 [--card FOLDER]

``train`` fits on the features of the index date and the outcomes of the year after
it, and saves the model folder (estimator and ``model.json``). ``evaluate`` scores a
later index date whose outcomes are observed, adds the figures to ``model.json`` and
writes the model card (Markdown, HTML and plots).
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ltc.cli.common import DataDir, data_dir_of
from ltc.records.store import RecordStore

app = typer.Typer(help="The predictive model of emergency admission (STRAT-3).",
                  no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        err.print(f"[red]{option} {text!r}: expected a date written YYYY-MM-DD[/red]")
        raise typer.Exit(2) from None


@app.command()
def train(
    index_date: Annotated[str, typer.Option(
        help="Index date (YYYY-MM-DD): features on it, outcomes in the 12 months after; "
             "the whole year must be in the store.")] = "2023-04-01",
    kind: Annotated[str, typer.Option(help="gbm (LightGBM, calibrated) or logistic.")]
    = "gbm",
    out: Annotated[Path | None, typer.Option(
        help="Folder for the saved model (default: <data dir>/models/<kind>-<index date>).")]
    = None,
    random_state: Annotated[int, typer.Option(help="Seed: the same seed, the same model.")]
    = 0,
    data_dir: DataDir = None,
) -> None:
    """Train the model on an index date whose outcome year is observed."""
    from ltc.pipeline import evaluation, model

    when = _date(index_date, "--index-date")
    root = data_dir_of(data_dir)
    con = RecordStore(root / "records").connect()
    started = time.perf_counter()
    try:
        with console.status(f"features and outcomes on {when}; fitting {kind}"):
            estimator, table = model.fit_on(con, when, kind, random_state)
    except ValueError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    y = model.outcome_vector(table)
    apparent = evaluation.evaluate(y, estimator.predict_proba(model.design_matrix(table))[:, 1])
    info = model.describe(estimator, when, table, {"training": apparent.to_dict()})
    folder = out or root / "models" / f"{kind}-{when}"
    model.save_model(folder, estimator, info)
    first, last = model.outcome_window(when)
    console.print(f"Trained {kind} on {len(y):,} people ({int(y.sum()):,} admitted "
                  f"{first} to {last}) in {time.perf_counter() - started:.1f} s; "
                  f"apparent c-statistic {apparent.c_statistic:.3f}.")
    console.print(f"Saved to {folder}")


@app.command()
def evaluate(
    model_dir: Annotated[Path, typer.Argument(help="A folder written by 'ltc model train'.")],
    index_date: Annotated[str, typer.Option(
        help="A later index date whose outcome year is observed (temporal validation).")]
    = "2024-04-01",
    card: Annotated[Path | None, typer.Option(
        help="Folder for the model card (default: <model folder>/card).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Score a later index date, print the metrics and write the model card."""
    from ltc.pipeline import evaluation, model, model_card

    when = _date(index_date, "--index-date")
    try:
        saved = model.load_model(model_dir)
    except (FileNotFoundError, ValueError) as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    con = RecordStore(data_dir_of(data_dir) / "records").connect()
    try:
        with console.status(f"features and outcomes on {when}"):
            table = model.training_data(con, when)
    except ValueError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    y = model.outcome_vector(table)
    p = saved.estimator.predict_proba(model.design_matrix(table))[:, 1]
    metrics = evaluation.evaluate(y, p)
    console.print(metrics.summary())
    first, last = model.outcome_window(when)
    info = saved.info
    info.setdefault("metrics", {})[f"validation {when}"] = metrics.to_dict()
    (model_dir / "model.json").write_text(json.dumps(info, indent=1, default=str) + "\n")
    fpr, tpr = evaluation.roc_points(y, p)
    md, html = model_card.write(card or model_dir / "card", model_card.CardInput(
        title="Emergency admission risk model", model=info, evaluation=metrics,
        evaluation_index_date=str(when), evaluation_window=(str(first), str(last)),
        roc=model_card.roc_lists(fpr, tpr)))
    console.print(f"Model card: {html} and {md}")
