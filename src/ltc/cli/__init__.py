"""The ``ltc`` command line (ARCHITECTURE: interfaces): the root Typer app and every
command group, added in one place below; each group lives in its own module of this
package (``synth``, ``ingest``, ``records``, ``stratify``, ``runs``, ``model``, ``care``),
the event and feed groups where their packages keep them. The commands serve POP-1 to
POP-5, STRAT-1 to STRAT-7 and the care plane's set-up (CM-1)."""

from __future__ import annotations

import typer

from ltc.cli.care import app as care_app
from ltc.cli.care import listen, serve
from ltc.cli.events import events_app
from ltc.cli.feeds import feeds_app
from ltc.cli.ingest import ingest_app
from ltc.cli.model import app as model_app
from ltc.cli.records import records_app
from ltc.cli.runs import runs_app
from ltc.cli.stratify import stratify
from ltc.cli.synth import synth

__all__ = ["app", "main"]

app = typer.Typer(help="LTC: the NHS and Social Care Long Term Conditions Model.",
                  no_args_is_help=True, pretty_exceptions_enable=False)

# Every command group, in the order `ltc --help` lists them.
app.add_typer(ingest_app, name="ingest")
app.add_typer(records_app, name="records")
app.add_typer(runs_app, name="runs")
app.add_typer(model_app, name="model")
app.add_typer(care_app, name="care")
app.add_typer(feeds_app, name="feeds")
app.add_typer(events_app, name="events")
app.command("serve")(serve)
app.command("listen")(listen)
app.command()(synth)
app.command()(stratify)


def main() -> None:
    app()
