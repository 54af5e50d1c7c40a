"""GP knowledge: clinicians' nominations and exclusions on top of the tool (STRAT-7).

Leicestershire used the "risk assessment tool along with GP knowledge". A clinician
nominates a person for case management or excludes them, with a reason; the run shows
both the tool's view and the clinician's. The file is CSV with the columns below,
checked like any extract (a bad row is refused with its line and field).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ltc.records.convert import convert_table
from ltc.records.errors import refuse
from ltc.records.ingest.csv_extract import display, line_locator, read_csv
from ltc.records.schema import Field, Table

SPEC = Table(
    "gp_knowledge",
    "A clinician's nomination or exclusion of a person, with the reason.",
    (
        Field("nhs_number", "nhs_number", "NHS number of the person"),
        Field("action", "code", "nominate (for case management) or exclude",
              codes=("nominate", "exclude")),
        Field("reason", "string", "Why, in the clinician's words"),
        Field("clinician", "string", "Who decided (name or professional code)"),
        Field("date", "date", "When"),
    ),
    key=("nhs_number",),
)


def load(path: Path) -> pa.Table:
    """Nominations and exclusions, one per person (the latest if a file lists several)."""
    path = Path(path)
    if not path.exists():
        raise refuse(display(path), None, "no such file; expected a CSV of nhs_number, "
                     "action, reason, clinician, date")
    raw = read_csv(path)
    return convert_table(SPEC, raw, line_locator(path), f"{display(path)}, line 1")


def empty() -> pa.Table:
    return SPEC.arrow_schema.empty_table()


def summary(table: pa.Table) -> dict[str, int]:
    actions = table.column("action")
    return {a: int(pc.sum(pc.equal(actions, a)).as_py() or 0) for a in ("nominate", "exclude")}
