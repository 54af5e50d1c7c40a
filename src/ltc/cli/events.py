"""``ltc events``: write the events received in real time to the record plane, and send
HL7 v2 ADT messages to a listener (from a file, or made up for a demonstration).

Nothing printed names a person: counts, control ids and acknowledgement codes only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ltc.config import settings
from ltc.options import DataDir

events_app = typer.Typer(help="Real-time events: to the record plane; sending test messages.",
                         no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@events_app.command("to-records")
def to_records(data_dir: DataDir = None) -> None:
    """Write the applied events (admissions, discharges, emergency attendances, ambulance
    incidents) to the record store as the source realtime, so the next stratification
    counts them. Running it again with nothing new changes nothing."""
    from ltc.care.db import make_engine, now, sessions, unit_of_work, upgrade
    from ltc.care.events.records import ExportError, export
    from ltc.interop.details import stated

    root = data_dir or settings().data_dir
    url = settings().care_url(data_dir)
    upgrade(url)
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as session:
            done = export(session, root, now().date(), stated)
    except ExportError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    verbs = {"added": "stored", "replaced": "replaced", "unchanged": "unchanged"}
    for result in done.batches:
        console.print(f"  {result.batch}: {verbs[result.status]} "
                      f"({sum(result.rows.values()):,} rows)")
    console.print("Rows from real-time events: " + ", ".join(
        f"{name} {count:,}" for name, count in done.rows.items()) + ".")
    if done.in_extracts:
        console.print(f"Already in other extracts (left to them): {done.in_extracts:,}.")
    for reason, count in sorted(done.skipped.items()):
        console.print(f"Left out: {reason}: {count:,}.")
    count = len(done.batches)
    console.print(f"{count} monthly batch{'es' if count != 1 else ''}, {done.changed} "
                  f"changed; {done.marked:,} events newly marked exported.")


def _address(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        err.print(f"{target!r}: expected HOST:PORT, e.g. 127.0.0.1:2575")
        raise typer.Exit(2)
    return host, int(port)


def read_messages(text: str) -> list[str]:
    """The messages of a file: one per block of lines, blocks separated by a blank line,
    one segment per line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    messages: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            block.append(line)
        elif block:
            messages.append("\r".join(block) + "\r")
            block = []
    return messages


def demo_messages(data_dir: Path | None, count: int, at: datetime) -> list[str]:
    """``count`` ADT messages for people of the current run: admissions (emergency, via
    the emergency department) of case-managed and other level-3 people in turn, then
    the discharges of the first of them."""
    from sqlalchemy import select

    from ltc.care.casemgmt.models import CaseloadEntry
    from ltc.care.db import make_engine, sessions
    from ltc.care.people.models import PersonResult, StratRun
    from ltc.interop.hl7v2 import adt

    engine = make_engine(settings().care_url(data_dir))
    admissions = (count + 1) // 2
    try:
        with sessions(engine)() as session:
            managed = list(session.scalars(
                select(CaseloadEntry.nhs_number).where(CaseloadEntry.ended_on.is_(None))
                .distinct().order_by(CaseloadEntry.nhs_number).limit(admissions)))
            level3 = list(session.scalars(
                select(PersonResult.nhs_number)
                .join(StratRun, StratRun.id == PersonResult.run_id)
                .where(StratRun.current.is_(True), PersonResult.level == 3,
                       PersonResult.nhs_number.not_in(
                           select(CaseloadEntry.nhs_number)
                           .where(CaseloadEntry.ended_on.is_(None))))
                .order_by(PersonResult.nhs_number).limit(admissions)))
    finally:
        engine.dispose()
    people = [n for pair in zip(managed, level3, strict=False) for n in pair]
    people += managed[len(level3):] + level3[len(managed):]
    people = people[:admissions]
    if not people:
        err.print("There is no case-managed or level-3 person in the current run of the care "
                  "store: load a run (ltc care load-run) and put people on caseloads first.")
        raise typer.Exit(1)
    stamp = at.strftime("%Y%m%d%H%M%S")
    admitted = at - timedelta(days=1)
    out = [adt.message("A01", f"DEMO{stamp}A{i:05d}", nhs, admitted + timedelta(minutes=i),
                       spell_id=f"DEMO{stamp}{i:05d}", admission_type="21")
           for i, nhs in enumerate(people)]
    out += [adt.message("A03", f"DEMO{stamp}D{i:05d}", nhs, at, spell_id=f"DEMO{stamp}{i:05d}",
                        admission_type="21")
            for i, nhs in enumerate(people[:count - len(people)])]
    return out


@events_app.command("send")
def send(
    target: Annotated[str, typer.Argument(help="The listener, HOST:PORT (ltc listen).")],
    file: Annotated[Path | None, typer.Argument(
        help="ADT messages: one per block of lines, blocks separated by a blank line, one "
        "segment per line.")] = None,
    demo: Annotated[int | None, typer.Option(
        "--demo", min=1, help="Instead of a file, send this many demonstration messages: "
        "admissions and discharges of case-managed and level-3 people of the current run "
        "of the care store at --data-dir.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Send HL7 v2 ADT messages over MLLP, one at a time, printing each acknowledgement."""
    from ltc.care.db import now
    from ltc.care.events.feed import FeedError
    from ltc.interop.hl7v2 import adt
    from ltc.interop.hl7v2 import parser as hl7v2

    if (file is None) == (demo is None):
        err.print("Give a file of messages or --demo N (not both).")
        raise typer.Exit(2)
    host, port = _address(target)
    if file is not None:
        if not file.is_file():
            err.print(f"{file}: no such file. Expected ADT messages, one segment per line.")
            raise typer.Exit(2)
        messages = read_messages(file.read_text(encoding="utf-8"))
        if not messages:
            err.print(f"{file}: no messages in it.")
            raise typer.Exit(2)
    else:
        assert demo is not None
        messages = demo_messages(data_dir, demo, now().replace(microsecond=0))
    try:
        acks = adt.send(host, port, messages)
    except OSError as error:
        err.print(f"[red]Cannot send to {host}:{port}: {error.strerror or error}.[/red] Is "
                  "ltc listen running there?")
        raise typer.Exit(1) from None
    except StopIteration:
        err.print(f"[red]{host}:{port} closed the connection before acknowledging every "
                  "message.[/red] Look at the listener's log.")
        raise typer.Exit(1) from None
    codes: dict[str, int] = {}
    for i, (message, ack) in enumerate(zip(messages, acks, strict=True), start=1):
        try:
            parsed = hl7v2.parse(message)
            what = f"{hl7v2.message_type_of(parsed)} {hl7v2.control_id_of(parsed)}"
        except FeedError:
            what = "(not HL7 v2)"
        code = adt.ack_code(ack) or "?"
        codes[code] = codes.get(code, 0) + 1
        reason = next((s.split("|")[3] for s in ack.split("\r")
                       if s.startswith("MSA|") and len(s.split("|")) > 3), "")
        console.print(f"{i:>5} {what}: {code}" + (f" ({reason})" if reason else ""),
                      markup=False, highlight=False)
    console.print("Acknowledgements: " + ", ".join(f"{c} {n}" for c, n in sorted(codes.items())))
