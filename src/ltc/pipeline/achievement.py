"""Practice achievement against the QOF v46 indicators, per person and per practice (DM-6).

:func:`indicator_people` applies each indicator's rules, as NHS Digital's business rules
write them (``ltc/data/qof``, read by :mod:`ltc.pipeline.achievement_defs`), to everyone on
its register as of an achievement date, on DuckDB or Spark: the denominator rules in order,
each selecting, rejecting or passing the person to the next rule, then the numerator. Each
person gets an outcome per indicator:

- ``met``: selected into the denominator and meets the numerator;
- ``not_met``: selected into the denominator but does not (a gap the practice can close);
- ``excepted``: rejected by a personalised care adjustment (PCA), named in ``reason``
  (e.g. ``DMPCAPU``: diabetes care unsuitable; ``DIAG1_DT9M``: diagnosed in the last 9
  months); the reasons' texts are in :func:`reasons`;
- no row: rejected by an exclusion (the indicator is not about them: DM022 below 40, DM021
  without moderate or severe frailty...). A register indicator (DM017, HYP001...) gives
  every member ``met``.

:func:`achievement_table` counts them per practice, per locality and for the community.
``docs/achievement.md`` says what each indicator counts and what is simplified.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from ltc.pipeline.achievement_defs import Definitions, Indicator, Reason, definitions
from ltc.pipeline.achievement_fields import fields_table, needed
from ltc.pipeline.achievement_rules import QofDates, compile_expr

OUTCOMES = ("met", "not_met", "excepted")
PEOPLE_SCHEMA = pa.schema([
    ("nhs_number", pa.string()), ("practice_code", pa.string()),
    ("locality_code", pa.string()), ("indicator", pa.string()), ("outcome", pa.string()),
    ("reason", pa.string())])
ACHIEVEMENT_SCHEMA = pa.schema([
    ("practice_code", pa.string()), ("locality_code", pa.string()),
    ("indicator", pa.string()), ("numerator", pa.int64()), ("denominator", pa.int64()),
    ("exceptions", pa.int64()), ("achievement", pa.float64())])
_SELECT = "select"


def reasons() -> dict[str, Reason]:
    """Every reason a rule may give (PCA or exclusion short name -> type and text)."""
    return dict(definitions().reasons)


def indicator_ids() -> list[str]:
    """The indicators implemented, in the order of ``indicators_v46.toml``."""
    return [i.id for i in definitions().indicators]


def _decision(ind: Indicator, column: Any, dates: QofDates) -> Any:
    """The denominator cascade: ``select`` or the reason of the rule that rejected."""
    branches: list[tuple[Any, str]] = []
    for rule in ind.denominator:
        cond = compile_expr(rule.expr, column, dates)
        for taken, action in ((cond, rule.if_true), (~cond, rule.if_false)):
            if action == "select":
                branches.append((taken, _SELECT))
            elif action == "reject":
                assert rule.reason is not None
                branches.append((taken, rule.reason))
    return ibis.cases(*branches)


def _outcomes(wide: ir.Table, ind: Indicator, defs: Definitions, dates: QofDates
              ) -> ir.Table:
    on = wide.filter(wide[f"on_{ind.register}"])
    keep = ("nhs_number", "practice_code", "locality_code")
    if ind.kind == "register":
        return on.select(*keep, indicator=ibis.literal(ind.id), outcome=ibis.literal("met"),
                         reason=ibis.null("string"))

    def column(name: str) -> ir.Value:
        return on[name]

    assert ind.numerator is not None
    decision = _decision(ind, column, dates)
    met = compile_expr(ind.numerator, column, dates)
    excepting = sorted(r for r, reason in defs.reasons.items() if reason.type == "exception")
    outcome = ibis.cases(((decision == _SELECT) & met, "met"), (decision == _SELECT, "not_met"),
                         (decision.isin(excepting), "excepted"), else_=ibis.null("string"))
    rows = on.select(*keep, indicator=ibis.literal(ind.id), outcome=outcome,
                     reason=ibis.ifelse(outcome == "excepted", decision,
                                        ibis.null("string")))
    return rows.filter(rows.outcome.notnull())


def indicator_people(con: ibis.BaseBackend, achievement_date: date,
                     indicators: Sequence[str] | None = None) -> pa.Table:
    """Everyone's outcome on each indicator as of ``achievement_date``.

    Columns: ``nhs_number``, ``practice_code``, ``locality_code``, ``indicator``,
    ``outcome`` (``met``, ``not_met`` or ``excepted``) and ``reason`` (the PCA that
    excepted the person; empty otherwise). People an indicator excludes have no row for it.
    ``indicators`` limits the indicators computed (default: all of them).
    """
    defs = definitions()
    chosen = [defs.indicator(i) for i in (indicators or indicator_ids())]
    dates = QofDates.of(achievement_date)
    wide = fields_table(con, defs, dates, needed(defs, [i.id for i in chosen]),
                        [i.register for i in chosen])
    # the fields are computed once, then every indicator's rules read them
    fields = ibis.memtable(wide.to_pyarrow())
    parts = [_outcomes(fields, ind, defs, dates) for ind in chosen]
    union = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    result = con.to_pyarrow(union.select(*PEOPLE_SCHEMA.names))
    result = result.cast(PEOPLE_SCHEMA) if result.num_rows else PEOPLE_SCHEMA.empty_table()
    return result.sort_by([("indicator", "ascending"), ("practice_code", "ascending"),
                           ("nhs_number", "ascending")])


def _counts(people: pa.Table, keys: list[str]) -> dict[tuple[Any, ...], dict[str, int]]:
    grouped = people.group_by([*keys, "indicator", "outcome"]).aggregate(
        [("nhs_number", "count")]).to_pylist()
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in grouped:
        key = (*(row[k] for k in keys), row["indicator"])
        out.setdefault(key, dict.fromkeys(OUTCOMES, 0))[row["outcome"]] = row["nhs_number_count"]
    return out


def achievement_table(people: pa.Table) -> pa.Table:
    """Numerator, denominator, exceptions and achievement per indicator, from
    :func:`indicator_people`'s table.

    One row per practice (with its locality), one per locality (``practice_code`` empty)
    and one for the whole community (both empty). ``denominator`` is the people selected
    (``met`` + ``not_met``), ``exceptions`` the people excepted by a PCA and
    ``achievement`` 100 x numerator / denominator (empty when the denominator is 0). For a
    register indicator numerator and denominator are the register's size and
    ``achievement`` is empty.
    """
    if "locality_code" not in people.column_names:
        raise ValueError("achievement_table needs indicator_people's table (with "
                         "locality_code); got columns " + ", ".join(people.column_names))
    registers = {i.id for i in definitions().indicators if i.kind == "register"}
    rows: list[dict[str, Any]] = []
    levels: list[tuple[list[str], Any]] = [
        (["practice_code", "locality_code"], lambda k: (k[0], k[1])),
        (["locality_code"], lambda k: (None, k[0])), ([], lambda k: (None, None))]
    for keys, where in levels:
        for key, n in _counts(people, keys).items():
            practice, locality = where(key)
            numerator, denominator = n["met"], n["met"] + n["not_met"]
            rows.append({
                "practice_code": practice, "locality_code": locality, "indicator": key[-1],
                "numerator": numerator, "denominator": denominator,
                "exceptions": n["excepted"],
                "achievement": (None if key[-1] in registers or not denominator
                                else 100.0 * numerator / denominator)})
    table = pa.Table.from_pylist(rows, schema=ACHIEVEMENT_SCHEMA)
    order = pc.if_else(pc.is_null(table["practice_code"]),
                       pc.if_else(pc.is_null(table["locality_code"]), 2, 1), 0)
    table = table.append_column("_level", order)
    table = table.sort_by([("_level", "ascending"), ("locality_code", "ascending"),
                           ("practice_code", "ascending"), ("indicator", "ascending")])
    return table.drop_columns(["_level"])


def manifest(people: pa.Table, seconds: float) -> dict[str, Any]:
    """The ``achievement`` block of a run's ``run.json``: the definitions' version and
    source and, per indicator, the community's outcome counts."""
    defs = definitions()
    counts = {key[-1]: n for key, n in _counts(people, []).items()}
    return {"version": defs.version, "source": defs.source,
            "indicators": {i.id: counts.get(i.id, dict.fromkeys(OUTCOMES, 0))
                           for i in defs.indicators},
            "seconds": round(seconds, 1)}
