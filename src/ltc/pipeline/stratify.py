"""A stratification run: features, rule sets, scores, risk and levels for everyone
(STRAT-1 to STRAT-7, POP-5), as one Ibis expression executed once.

The result has one row per person alive and registered on the index date: practice and
locality, age and sex, level and its basis, every shown criterion of every rule set
(met and the value behind it), the scores (Charlson, eFI, HFRS, CMS, medicines), the
predicted risk and its percentile when a model is given, whether the person is known to
community nursing and to social care, and any clinician's nomination or exclusion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ltc.pipeline import levels, rules, scores
from ltc.pipeline.features import features
from ltc.records import registers
from ltc.windows import start, within


class RiskModel:
    """A saved risk model (STRAT-3) as a run uses it: risk and reasons per person."""

    def __init__(self, folder: Path) -> None:
        from ltc.pipeline.model import load_model

        self.folder = folder
        self.saved = load_model(folder)

    @property
    def version(self) -> dict[str, Any]:
        info = self.saved.info
        return {"folder": str(self.folder), "kind": info.get("kind"),
                "trained_on": info.get("training", {}).get("index_date"),
                "data_sha256": info.get("training", {}).get("data_sha256"),
                "created_at": info.get("created_at")}

    def predict(self, table: pa.Table) -> np.ndarray:
        from ltc.pipeline.model import design_matrix

        proba: np.ndarray = self.saved.estimator.predict_proba(design_matrix(table))[:, 1]
        return proba

    def reasons(self, table: pa.Table) -> list[list[str]]:
        from ltc.pipeline.explain import reasons
        from ltc.pipeline.model import design_matrix

        return reasons(self.saved.estimator, design_matrix(table))


@dataclass(frozen=True)
class Hidden:
    """POP-5: how many of the level-3 people services already know (last 12 months)."""

    level3: int
    known_to_community_nursing: int
    known_to_social_care: int

    def share(self, known: int) -> float:
        return known / self.level3 if self.level3 else 0.0


def _known_to_social_care(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    day = ibis.literal(as_of, type="date")
    first = ibis.literal(start(as_of, months=12), type="date")
    contacts = con.table("social_care_contact")
    c = contacts.filter(within(contacts.date, as_of, months=12)).select("nhs_number")
    packages = con.table("social_care_package")
    # a package open on any day of the last 12 months
    p = packages.filter((packages.start_date <= day)
                        & (packages.end_date.isnull() | (packages.end_date >= first))
                        ).select("nhs_number")
    return ibis.union(c, p).distinct().mutate(known_to_social_care=ibis.literal(True))


def people(con: ibis.BaseBackend, as_of: date, policy: levels.Policy,
           gp_knowledge: pa.Table | None = None, risk: RiskModel | None = None
           ) -> pa.Table:
    """The per-person result of a run (see the module docstring)."""
    f = features(con, as_of)
    if con.name == "duckdb":
        # computed once, read by every rule set and the join (Ibis' cache on Spark loses
        # the in-memory lookup tables the features refer to)
        f = f.cache()
    rule_sets = [rules.load(name) for name in policy.rule_sets]
    out = f
    for rs in rule_sets:
        out = out.join(rules.evaluate(rs, f), "nhs_number")
    members = registers.members(con, as_of)
    complex_ = members.filter(members.register.isin(list(policy.complex_registers))) \
        .select("nhs_number").distinct().mutate(complex_ltc=ibis.literal(True))
    ch = scores.charlson(con, as_of).select("nhs_number", "charlson", "charlson_age_adjusted")
    ef = scores.efi(con, as_of).select("nhs_number", "efi", "efi_category")
    hf = scores.hfrs(con, as_of).select("nhs_number", "hfrs", "hfrs_band")
    cm = scores.cms(con, as_of).select("nhs_number", "cms")
    for part in (complex_, ch, ef, hf, cm, _known_to_social_care(con, as_of)):
        out = out.left_join(part, "nhs_number").drop("nhs_number_right")
    out = out.mutate(complex_ltc=out.complex_ltc.fill_null(False),
                     known_to_social_care=out.known_to_social_care.fill_null(False),
                     known_to_community_nursing=out.community_12m > 0)
    table = out.to_pyarrow()

    # risk and its percentile
    if risk is not None:
        predicted = np.asarray(risk.predict(table.select(list(f.columns))), dtype=float)
        order = np.argsort(predicted, kind="stable")
        percentile = np.empty(len(predicted))
        percentile[order] = 100.0 * np.arange(len(predicted)) / max(len(predicted) - 1, 1)
        table = table.append_column("risk", pa.array(predicted))
        table = table.append_column("risk_percentile", pa.array(percentile))
    else:
        table = table.append_column("risk", pa.nulls(table.num_rows, pa.float64()))
        table = table.append_column("risk_percentile", pa.nulls(table.num_rows, pa.float64()))

    # clinicians' knowledge
    knowledge = gp_knowledge if gp_knowledge is not None else None
    gp: dict[str, Any] = {"gp_action": pa.nulls(table.num_rows, pa.string()),
                          "gp_reason": pa.nulls(table.num_rows, pa.string()),
                          "gp_clinician": pa.nulls(table.num_rows, pa.string())}
    if knowledge is not None and knowledge.num_rows:
        index = pc.index_in(table["nhs_number"], value_set=knowledge["nhs_number"])
        gp = {"gp_action": pc.take(knowledge["action"], index),
              "gp_reason": pc.take(knowledge["reason"], index),
              "gp_clinician": pc.take(knowledge["clinician"], index)}
    for name, column in gp.items():
        table = table.append_column(name, column)

    assigned = levels.assign(policy, ibis.memtable(table), [r.id for r in rule_sets])
    ordered = assigned.order_by([ibis.desc("level"), "nhs_number"])
    result = _with_reasons(ibis.duckdb.connect().to_pyarrow(ordered), rule_sets)
    if risk is not None:
        result = _with_risk_factors(result, risk)
    return result


#: Risk factors in words are given to people at level 3 or in the top this-many percent.
EXPLAIN_TOP_PERCENT = 5.0


def _with_risk_factors(table: pa.Table, risk: RiskModel) -> pa.Table:
    """Append the model's top factors in plain words to the reasons of the people who
    matter most (level 3, or risk in the top 5%)."""
    chosen = pc.or_(pc.equal(table["level"], 3),
                    pc.greater_equal(table["risk_percentile"], 100 - EXPLAIN_TOP_PERCENT))
    rows = np.flatnonzero(np.asarray(chosen.to_numpy(zero_copy_only=False), dtype=bool))
    words = risk.reasons(table.take(pa.array(rows))) if len(rows) else []
    reasons = table["reasons"].to_pylist()
    for row, factors in zip(rows.tolist(), words, strict=True):
        if factors:
            text = "Risk factors: " + "; ".join(factors)
            reasons[row] = f"{reasons[row]} | {text}" if reasons[row] else text
    index = table.schema.get_field_index("reasons")
    return table.set_column(index, "reasons", pa.array(reasons, pa.string()))


def _with_reasons(table: pa.Table, rule_sets: list[rules.RuleSet]) -> pa.Table:
    """A ``reasons`` column in plain words: the criteria met, by rule set, and any
    clinician's decision, e.g. "Castlefields: Aged 65 or over; 2 or more A&E attendances".
    The labels name the way in that applied (Evercare: "In by admissions: ..." or
    "Nominated: ..."); criteria met in a rule set the person does not meet as a whole are
    said under "<set> (not met)", so nobody reads a partial match as a way in."""
    import polars as pl

    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    parts = []
    for rs in rule_sets:
        labels = [pl.when(pl.col(f"{rs.id}__{cid}")).then(pl.lit(rs.criteria[cid].label))
                  for cid in rs.shown]
        met = pl.concat_str(labels, separator="; ", ignore_nulls=True)
        prefix = pl.when(pl.col(rs.id)).then(pl.lit(f"{rs.name}: ")).otherwise(
            pl.lit(f"{rs.name} (not met): "))
        parts.append(pl.when(met != "").then(prefix + met))
    parts.append(pl.when(pl.col("gp_action") == "nominate").then(
        pl.lit("Nominated by ") + pl.col("gp_clinician") + pl.lit(": ") + pl.col("gp_reason")))
    parts.append(pl.when(pl.col("gp_action") == "exclude").then(
        pl.lit("Excluded by ") + pl.col("gp_clinician") + pl.lit(": ") + pl.col("gp_reason")))
    reasons = pl.concat_str(parts, separator=" | ", ignore_nulls=True)
    return frame.with_columns(reasons=reasons).to_arrow()


def hidden(table: pa.Table) -> Hidden:
    level3 = pc.equal(table["level"], 3)
    def count(col: str) -> int:
        return int(pc.sum(pc.and_(level3, table[col])).as_py() or 0)
    return Hidden(int(pc.sum(level3).as_py() or 0), count("known_to_community_nursing"),
                  count("known_to_social_care"))


def level_counts(table: pa.Table, by: str | None = None) -> pa.Table:
    """People per level, overall or per ``practice_code`` / ``locality_code``."""
    con = ibis.duckdb.connect()
    t = con.create_table("levels", table.select([c for c in ("level", by) if c]))
    groups = [by, "level"] if by else ["level"]
    return t.group_by(groups).aggregate(people=t.count()).order_by(groups).to_pyarrow()
