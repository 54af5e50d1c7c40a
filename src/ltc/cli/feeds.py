"""``ltc feeds``: apply a file of ambulance incidents or of FHIR messages to the care store,
as the feeds' HTTP endpoints would (``ltc.web.feeds.api``), the whole file or nothing.

A file with a problem changes nothing: each problem is printed, naming the file, the line
(or the Bundle entry) and the field, and the command exits with status 1. The file is read
by :mod:`ltc.interop` and applied in one transaction that this command opens and commits.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from ltc.care.events import rules as alert_rules
from ltc.config import settings
from ltc.options import DataDir

feeds_app = typer.Typer(help="Apply files of ambulance incidents or FHIR messages to the "
                             "care store (each file all or nothing).", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
RulesFile = Annotated[Path | None, typer.Option(
    "--rules", help="Alert rules file (default: the packaged rules)")]
File = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                      help="The file to apply")]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        err.print(f"[red]{escape(path.name)}: not UTF-8 text.[/red]")
        raise typer.Exit(1) from None


def _rules(path: Path | None) -> alert_rules.Rules:
    try:
        return alert_rules.load(path)
    except alert_rules.RulesError as e:
        err.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(2) from None


def _refuse(problems: list[str]) -> NoReturn:
    err.print(f"[red]Nothing was applied: {len(problems)} problem(s).[/red]")
    for problem in problems:
        err.print(f"  {escape(problem)}")
    raise typer.Exit(1)


def _counts(counts: Counter[str]) -> None:
    console.print(f"Applied {counts['applied']}, duplicates {counts['duplicate']}, waiting "
                  f"in the review queue {counts['unmatched']}.")


@feeds_app.command("ambulance")
def ambulance_file(file: File, data_dir: DataDir = None, rules: RulesFile = None) -> None:
    """Apply a file of ambulance incidents: CSV (header
    incident_id,nhs_number,call_time,outcome[,service]) or JSON (an incident, or an array
    of them)."""
    from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
    from ltc.interop import ambulance, feeds

    loaded = _rules(rules)
    text = _read(file)
    try:
        rows = ambulance.read_file(text, file.name)
    except ambulance.FileError as e:
        _refuse(e.problems)
    url = settings().care_url(data_dir)
    upgrade(url)
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as session:
            summary = feeds.apply_rows(session, loaded, rows)
    finally:
        engine.dispose()
    _counts(Counter({"applied": summary.applied, "duplicate": summary.duplicate,
                     "unmatched": summary.unmatched}))


@feeds_app.command("fhir")
def fhir_file(file: File, data_dir: DataDir = None, rules: RulesFile = None) -> None:
    """Apply a JSON file of FHIR R4: an Encounter, a message Bundle, or a batch or
    transaction Bundle of them."""
    from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
    from ltc.care.events.feed import FeedError
    from ltc.interop import feeds
    from ltc.interop.fhir import messages as fhir

    loaded = _rules(rules)
    text = _read(file)
    try:
        kind, raws = fhir.messages(text)
    except FeedError as e:
        _refuse([f"{file.name}: {e.reason}"])
    problems = []
    for index, raw in enumerate(raws):
        try:
            fhir.read(raw)
        except FeedError as e:
            reason = e.reason if kind is None else fhir.within_entry(e.reason, index)
            problems.append(f"{file.name}: {reason}")
    if problems:
        _refuse(problems)
    url = settings().care_url(data_dir)
    upgrade(url)
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as session:
            outcomes = [feeds.take(session, loaded, "fhir", raw) for raw in raws]
    finally:
        engine.dispose()
    _counts(Counter(o.status for o in outcomes))
