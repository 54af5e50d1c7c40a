"""What the record store holds: rows and date range per table, register prevalence
against QOF England, and the concentration of bed days (POP-2, POP-3, POP-4, COM-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import ibis

from ltc.records import registers
from ltc.records.schema import TABLES
from ltc.records.store import RecordStore

#: The date column that places each table's rows in time.
DATE_COLUMN = {name: next((f.name for f in spec.fields if f.kind == "date"), None)
               for name, spec in TABLES.items()}
# people are not shown by date of birth: the oldest and youngest could be recognised
DATE_COLUMN["person"] = None


@dataclass(frozen=True)
class TableSummary:
    table: str
    rows: int
    first: date | None
    last: date | None


def tables(con: ibis.BaseBackend) -> list[TableSummary]:
    out = []
    for name in TABLES:
        t = con.table(name)
        column = DATE_COLUMN[name]
        if column is None:
            out.append(TableSummary(name, int(t.count().execute()), None, None))
            continue
        row = t.aggregate(n=t.count(), first=t[column].min(), last=t[column].max()).to_pyarrow()
        first, last = row["first"][0].as_py(), row["last"][0].as_py()
        out.append(TableSummary(name, int(row["n"][0].as_py()), first, last))
    return out


def latest_date(con: ibis.BaseBackend) -> date:
    """The last day with activity in the store: the natural 'as of' date for a summary."""
    candidates = []
    for name in ("gp_consultation", "prescription", "inpatient_spell", "ae_attendance"):
        t = con.table(name)
        column = DATE_COLUMN[name]
        assert column is not None
        value = t[column].max().execute()
        if value is not None and value == value:  # not NaT
            candidates.append(value.date() if hasattr(value, "date") else value)
    return max(candidates) if candidates else date.today()


def skipped(store: RecordStore) -> list[tuple[str, str, int]]:
    """What each stored batch's ingest skipped: (batch, resource type or file, count), as
    recorded in the manifest; batches stored before counts were kept show nothing."""
    out = []
    for key, entry in sorted(store.batches().items()):
        for kind, count in sorted(entry.get("skipped", {}).items(),
                                  key=lambda kv: (-kv[1], kv[0])):
            out.append((key, kind, int(count)))
    return out


def skipped_lines(store: RecordStore) -> list[str]:
    """``Skipped at ingest`` as ``ltc records summary`` prints it, one line per batch."""
    found = skipped(store)
    if not found:
        return ["Skipped at ingest: nothing."]
    out = ["Skipped at ingest (read but not mapped to the record plane):"]
    for key in dict.fromkeys(k for k, _, _ in found):
        parts = [f"{kind} {count:,}" for k, kind, count in found if k == key]
        out.append(f"  {key}: {', '.join(parts)}")
    return out


@dataclass(frozen=True)
class PrevalenceRow:
    register: str
    count: int
    hospital_only: int  # of ``count``, on the register through hospital ICD-10 codes alone
    denominator: int
    percent: float | None
    reference: float | None

    @property
    def ratio(self) -> float | None:
        if self.percent is None or not self.reference:
            return None
        return self.percent / self.reference


def prevalence_against_qof(con: ibis.BaseBackend, as_of: date) -> list[PrevalenceRow]:
    reference = registers.reference_prevalence()
    table = registers.prevalence(con, as_of)
    rows = []
    for rec in table.to_pylist():
        ref = reference.get(rec["register"])
        rows.append(PrevalenceRow(rec["register"], rec["count"], rec["hospital_only"],
                                  rec["denominator"],
                                  rec["percent"], ref.percent if ref else None))
    return rows


@dataclass(frozen=True)
class Concentration:
    start: date
    end: date
    inpatients: int
    bed_days: int
    top_share: float  # share of bed days used by the top ``fraction`` of inpatients
    fraction: float = 0.05


def bed_day_concentration(con: ibis.BaseBackend, end: date, fraction: float = 0.05,
                          days: int = 365) -> Concentration:
    """Share of bed days in the 12 months to ``end`` used by the top 5% of inpatients.

    Bed days of a spell are counted inside the window only (admission to discharge,
    clipped to the window; a spell still open counts to the window end). The seed's
    national figure: 5% of inpatients account for 42% of bed days (DH 2005).
    """
    start = end - timedelta(days=days - 1)
    s = con.table("inpatient_spell")
    lo = ibis.literal(start, type="date")
    hi = ibis.literal(end + timedelta(days=1), type="date")
    # a stay counts when at least one of its nights falls inside the window
    inside = s.filter((s.admission_date < hi) & (s.discharge_date.fill_null(hi) > lo))
    adm = ibis.greatest(inside.admission_date, lo)
    dis = ibis.least(inside.discharge_date.fill_null(hi), hi)
    per_person = inside.mutate(bd=(dis - adm).cast("int64")).group_by("nhs_number").aggregate(
        bd=ibis._.bd.sum())
    values = sorted(per_person.to_pyarrow()["bd"].to_pylist(), reverse=True)
    total = sum(values)
    top = max(1, round(len(values) * fraction)) if values else 0
    share = sum(values[:top]) / total if total else 0.0
    return Concentration(start, end, len(values), int(total), share, fraction)
