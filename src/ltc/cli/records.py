"""``ltc records``: what the record store holds (rows and dates per table, registers and
prevalence against QOF England, the concentration of bed days: POP-3, POP-4, COM-2) and the
record-plane data model as Markdown."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ltc.cli.common import DataDir, console, filled_store

records_app = typer.Typer(help="Look at what the record store holds.", no_args_is_help=True)


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

    store = filled_store(data_dir)
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
