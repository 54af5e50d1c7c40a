"""``ltc care``: set up the care store, load a stratification run into it, create the
demonstration users (CM-1); ``ltc serve`` runs the web app; ``ltc listen`` receives HL7 v2
admissions for the alerts (CM-8) (ARCHITECTURE: interfaces)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ltc.cli.common import DataDir
from ltc.config import pass_to_workers, settings

app = typer.Typer(help="The care plane: the care store and its users.", no_args_is_help=True)
console = Console()


def _url(data_dir: Path | None) -> str:
    return settings().care_url(data_dir)


@app.command("init")
def init(data_dir: DataDir = None) -> None:
    """Create the care store, or bring it up to date (migrations)."""
    from ltc.care.db import upgrade

    (data_dir or settings().data_dir).mkdir(parents=True, exist_ok=True)
    upgrade(_url(data_dir))
    console.print("The care store is up to date.")


@app.command("load-run")
def load_run(run_id: Annotated[str, typer.Argument(help="A run id, or latest")] = "latest",
             data_dir: DataDir = None) -> None:
    """Load a stratification run's results into the care store (all or nothing)."""
    from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
    from ltc.care.people.run_files import RunFileError
    from ltc.care.people.services import load_from_folder, vacuum_loaded

    root = data_dir or settings().data_dir
    url = _url(data_dir)
    upgrade(url)
    engine = make_engine(url)
    try:
        with console.status(f"Loading {run_id} into the care store..."), \
                unit_of_work(sessions(engine)) as session:
            loaded = load_from_folder(session, root, run_id)
        if not loaded.already:
            with console.status("Tidying the loaded tables (VACUUM)..."):
                vacuum_loaded(engine)
    except RunFileError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    if loaded.already:
        console.print(f"{loaded.run_id} was already loaded; it is now the current run.")
    else:
        console.print(f"Loaded {loaded.run_id}: {loaded.people:,} people; it is the current run.")


@app.command("demo-users")
def demo_users(data_dir: DataDir = None) -> None:
    """Create demonstration users (one case manager per locality with level-3 people, a
    practice clinician, an analyst and an administrator) and print their passwords."""
    from ltc.care.db import make_engine, sessions, unit_of_work
    from ltc.care.demo import allocate_demo_caseloads, create_demo_users

    engine = make_engine(_url(data_dir))
    with unit_of_work(sessions(engine)) as session:
        made = create_demo_users(session)
        allocated = allocate_demo_caseloads(session)
    engine.dispose()
    table = Table(title="Demonstration users (sign in at the address ltc serve prints)")
    for col in ("user name", "password", "role", "where"):
        table.add_column(col)
    for row in made:
        table.add_row(*row)
    console.print(table)
    if allocated:
        console.print(f"Allocated {allocated} people to the demonstration matrons' caseloads.")


def serve(data_dir: DataDir = None,
          host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
          port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
          workers: Annotated[int, typer.Option(help="Server processes (one per core)")] = 1,
          ) -> None:
    """Serve the web app over the care store and the record store."""
    from ltc.care.db import upgrade
    from ltc.web import server

    cfg = settings()
    root = (data_dir or cfg.data_dir).resolve()
    url = _url(data_dir)
    upgrade(url)
    pass_to_workers(root, url)  # each worker process builds the app from them
    host, port = host or cfg.host, port or cfg.port
    if workers > 1:
        try:  # the workers bind the port themselves: check it is free first
            server.port_is_free(host, port)
        except OSError as e:
            console.print(f"[red]Cannot listen on {host}:{port}: {e.strerror}.[/red] Stop "
                          "what is using that port, or choose another with --port.")
            raise typer.Exit(1) from e
    console.print(f"LTC is at http://{host}:{port}/ (press Ctrl+C to stop)")
    server.serve(host, port, workers)


def listen(data_dir: DataDir = None,
           host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
           port: Annotated[int, typer.Option(help="Port to listen on (MLLP)")] = 2575,
           rules: Annotated[Path | None, typer.Option(
               "--rules", help="Alert rules file (default: the packaged rules)")] = None,
           ) -> None:
    """Receive HL7 v2 ADT messages over MLLP and turn them into alerts and tasks."""
    import logging

    from ltc.care.db import make_engine, sessions, upgrade
    from ltc.care.events import notify
    from ltc.care.events import rules as alert_rules
    from ltc.interop.hl7v2 import listener

    try:
        loaded = alert_rules.load(rules)
    except alert_rules.RulesError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    ends = loaded.calendar_ends
    if ends is not None and (ends - date.today()).days < 90:
        console.print(f"[yellow]The bank holidays in the alert rules end with {ends.year}:"
                      " add the next year's (gov.uk/bank-holidays) to [calendar] "
                      "bank_holidays, or messages after it will wait in the quarantine."
                      "[/yellow]")
    root = (data_dir or settings().data_dir).resolve()
    url = _url(data_dir)
    upgrade(url)
    engine = make_engine(url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    def ready(bound: int) -> None:
        console.print(f"Listening for HL7 v2 over MLLP on {host}:{bound} (rules: "
                      f"{loaded.name}); notifications go to {notify.outbox_folder(root)}. "
                      "Press Ctrl+C to stop.")

    try:
        counts = listener.run(sessions(engine), loaded, host, port,
                              notify.outbox_folder(root), ready=ready)
    except OSError as e:
        console.print(f"[red]Cannot listen on {host}:{port}: {e.strerror}.[/red] Stop what "
                      "is using that port, or choose another with --port.")
        raise typer.Exit(1) from e
    finally:
        engine.dispose()
    console.print("Stopped. Messages: " + (", ".join(f"{k} {v}" for k, v in
                                                      sorted(counts.items())) or "none"))
