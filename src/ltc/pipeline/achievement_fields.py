"""The QOF patient-level fields of everyone on the registers an indicator reads (DM-6).

One row per person on any of the registers the indicators use (the project's registers,
from primary-care codes only, as QOF reads only the GP record), with the person's practice
and locality, a flag per register and one column per field of ``fields_v46.toml``, as of
an achievement date. Records dated after the achievement date are never read.

Where each field's records come from:

- *coded* clusters (SNOMED CT, LOINC): the ``diagnosis`` and ``observation`` tables, on
  the date recorded; an observation's ``value`` is the field's value;
- *drug* clusters: the ``prescription`` table (issue date); a drug is on a cluster by its
  dm+d or RxNorm code, its BNF code's prefix or an ingredient in its name, matched once
  against each distinct drug issued and joined back (as the registers do).

Fields depend on one another (``DMINVITE2_DAT`` counts from ``DMINVITE1_DAT``), so they
are computed in stages: each stage aggregates the records of its clusters per person with
the earlier stages' fields beside them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ltc.pipeline.achievement_clusters import Cluster
from ltc.pipeline.achievement_defs import Definitions, Field
from ltc.pipeline.achievement_rules import QUALIFYING, QofDates, names, value
from ltc.records.registers import members
from ltc.records.registers.membership import people

_CUT = {"<": lambda v, x: v < x, "<=": lambda v, x: v <= x, ">": lambda v, x: v > x,
        ">=": lambda v, x: v >= x, "=": lambda v, x: v == x}


def stages(fields: dict[str, Field], wanted: Iterable[str]) -> list[list[Field]]:
    """The fields ``wanted`` and those they depend on, in stages: a field's stage comes
    after the stages of every field it depends on."""
    level: dict[str, int] = {}

    def stage(name: str) -> int:
        if name not in level:
            deps = fields[name].depends - {"PAT_AGE"}
            level[name] = 1 + max((stage(d) for d in deps), default=-1)
        return level[name]

    for name in wanted:
        stage(name)
    out: list[list[Field]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for name in sorted(level):
        out[level[name]].append(fields[name])
    return out


def _coded_map(clusters: Iterable[Cluster]) -> pa.Table:
    rows = sorted({(system, code, c.id) for c in clusters for system, code in c.codes})
    return pa.table({"system": pa.array([r[0] for r in rows], pa.string()),
                     "code": pa.array([r[1] for r in rows], pa.string()),
                     "cluster": pa.array([r[2] for r in rows], pa.string())})


def _drug_map(con: ibis.BaseBackend, clusters: list[Cluster], day: Any) -> ir.Table | None:
    """(drug_code_system, drug_code, drug_name, cluster) for each distinct drug issued up to
    ``day`` that is on a drug cluster; None when no drug cluster has members."""
    listed = [c for c in clusters if c.drugs is not None]
    if not listed:
        return None
    rx = con.table("prescription")
    drug = ("drug_code_system", "drug_code", "drug_name")
    issued = rx.filter(rx.date <= day).select(*drug).distinct().to_pyarrow().to_pylist()
    rows = [(d["drug_code_system"], d["drug_code"], d["drug_name"], c.id)
            for d in issued for c in listed if c.drugs is not None and c.drugs.matches(
                d["drug_code_system"] or "", (d["drug_code"] or "").strip(),
                d["drug_name"] or "")]
    return ibis.memtable(pa.table({
        "drug_code_system": pa.array([r[0] for r in rows], pa.string()),
        "drug_code": pa.array([r[1] for r in rows], pa.string()),
        "drug_name": pa.array([r[2] for r in rows], pa.string()),
        "cluster": pa.array([r[3] for r in rows], pa.string())}))


def events(con: ibis.BaseBackend, clusters: list[Cluster], dates: QofDates,
           population: ir.Table) -> ir.Table:
    """Records of ``clusters`` up to the achievement date, for the people of ``population``:
    ``nhs_number``, ``cluster``, ``date``, ``value``."""
    day = ibis.literal(dates.achievement, type="date")
    columns = ("nhs_number", "code_system", "code", "date")
    dx = con.table("diagnosis")
    obs = con.table("observation")
    coded = ibis.union(
        dx.filter(dx.date <= day).select(*columns, value=ibis.null("float64")),
        obs.filter(obs.date <= day).select(*columns, value=obs.value.cast("float64")),
        distinct=False)
    cmap = ibis.memtable(_coded_map(clusters))
    parts = [coded.join(cmap, [coded.code_system == cmap.system, coded.code == cmap.code])
             .select("nhs_number", "cluster", "date", "value")]
    drugs = _drug_map(con, clusters, day)
    if drugs is not None:
        rx = con.table("prescription")
        rx = rx.filter(rx.date <= day)
        keys = ("drug_code_system", "drug_code", "drug_name")
        parts.append(rx.join(drugs, [rx[k].identical_to(drugs[k]) for k in keys]).select(
            "nhs_number", "cluster", "date", value=ibis.null("float64")))
    found = reduce(lambda a, b: ibis.union(a, b, distinct=False), parts)
    return found.semi_join(population, "nhs_number")


def _bound(field: Field, ev: ir.Table, dates: QofDates) -> Any:
    """The field's date limits on the records ``ev`` (always: on or before ACHV_DAT)."""
    def col(name: str) -> ir.Value:
        return ev[name]

    cond = ev.date <= ibis.literal(dates.achievement, type="date")
    if field.after is not None:
        cond = cond & (ev.date > value(field.after, col, dates)).fill_null(False)
    if field.from_ is not None:
        cond = cond & (ev.date >= value(field.from_, col, dates)).fill_null(False)
    if field.until is not None:
        cond = cond & (ev.date <= value(field.until, col, dates)).fill_null(False)
    if field.value is not None:
        op, number = field.value
        cond = cond & _CUT[op](ev.value, number).fill_null(False)
    return cond


def _pair(ev: ir.Table, field: Field) -> ir.Table:
    """The latest date holding a value of each of the field's two clusters."""
    assert field.pair is not None
    first, second = field.pair
    ev = ev.filter(ev.cluster.isin([first, second]) & ev.value.notnull())
    days = ev.group_by(["nhs_number", "date"]).aggregate(
        a=(ev.cluster == first).any(), b=(ev.cluster == second).any())
    both = days.filter(days.a & days.b)
    return both.group_by("nhs_number").aggregate(**{field.name: both.date.max()})


def _greatest(wide: ir.Table, field: Field) -> Any:
    """The latest of the listed date fields (empty when all are)."""
    floor = ibis.literal("0001-01-01", type="date")
    top = ibis.greatest(*(wide[n].fill_null(floor) for n in field.greatest))
    return ibis.ifelse(top == floor, ibis.null("date"), top)


def fields_table(con: ibis.BaseBackend, defs: Definitions, dates: QofDates,
                 wanted: Iterable[str], registers: Iterable[str]) -> ir.Table:
    """One row per person on any of ``registers`` on the achievement date: ``nhs_number``,
    ``practice_code``, ``locality_code``, ``PAT_AGE``, ``on_<register>`` and the ``wanted``
    fields (with the fields they depend on)."""
    regs = sorted(set(registers))
    on = members(con, dates.achievement, include_hospital=False)
    on = on.filter(on.register.isin(regs))
    flags = on.group_by("nhs_number").aggregate(**{
        f"on_{r}": (on.register == r).any() for r in regs})
    base = people(con, dates.achievement, ["practice_code", "locality_code"])
    wide = base.join(flags, "nhs_number")
    achv = dates.achievement
    born = wide.date_of_birth
    not_yet = (born.month() > achv.month) | ((born.month() == achv.month)
                                              & (born.day() > achv.day))
    wide = wide.mutate(PAT_AGE=(achv.year - born.year() - not_yet.ifelse(1, 0))
                       .cast("float64")).drop("date_of_birth")

    plan = stages(defs.fields, wanted)
    used = {f.cluster for stage in plan for f in stage if f.cluster} | {
        c for stage in plan for f in stage for c in (f.pair or ())}
    ev_all = events(con, [defs.clusters[c] for c in sorted(used)], dates, wide)
    for stage in plan:
        computed = {f.name: _greatest(wide, f) for f in stage if f.greatest}
        computed.update({f.name: ibis.null("date") for f in stage if f.missing})
        if computed:
            wide = wide.mutate(**computed)
        for field in (f for f in stage if f.pair):
            paired = _pair(ev_all, field)
            wide = wide.left_join(paired, "nhs_number").select(*wide.columns, field.name)
        aggregated = [f for f in stage if f.pick or f.value_on]
        if not aggregated:
            continue
        needs = sorted({n for f in aggregated for n in f.depends} - {"PAT_AGE"})
        ev = ev_all.filter(ev_all.cluster.isin(sorted({f.cluster for f in aggregated
                                                       if f.cluster})))
        if needs:
            ev = ev.join(wide.select("nhs_number", *needs), "nhs_number")
        metrics: dict[str, Any] = {}
        for f in aggregated:
            mine = ev.cluster == f.cluster
            if f.value_on:
                metrics[f.name] = ev.value.min(where=mine & (ev.date == ev[f.value_on]))
            elif f.pick == "earliest":
                metrics[f.name] = ev.date.min(where=mine & _bound(f, ev, dates))
            else:
                metrics[f.name] = ev.date.max(where=mine & _bound(f, ev, dates))
        got = ev.group_by("nhs_number").aggregate(**metrics)
        wide = wide.left_join(got, "nhs_number").select(*wide.columns, *metrics)
    return wide


def needed(defs: Definitions, indicator_ids: Iterable[str]) -> set[str]:
    """The fields the rules of the given indicators name (PAT_AGE and dates left out)."""
    found: set[str] = set()
    for iid in indicator_ids:
        ind = defs.indicator(iid)
        exprs = [r.expr for r in ind.denominator]
        if ind.numerator is not None:
            exprs.append(ind.numerator)
        for expr in exprs:
            found |= {n for n in names(expr) if n not in QUALIFYING and n != "PAT_AGE"}
    return found
