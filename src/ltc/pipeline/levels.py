"""Pyramid levels from a policy file (STRAT-5).

=====  ===========================================  =========================================
level  name                                         default policy (``ltc/data/policy``)
=====  ===========================================  =========================================
3      Case management                              a built-in rule set met (Castlefields,
                                                    Evercare) or predicted risk in the top
                                                    0.5%, or nominated by a GP (STRAT-7)
2      Disease-specific care management             2+ long term conditions, or one complex
                                                    condition (heart failure, COPD, dementia,
                                                    palliative care, SMI, CKD 3-5), or any
                                                    LTC with an emergency admission in 12
                                                    months
1      Supported self care                          on any disease register
0      Promoting better health                      everyone else
=====  ===========================================  =========================================

A clinician's exclusion (STRAT-7) takes a person out of level 3 into the level the
other rules give them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import ibis
import ibis.expr.types as ir

from ltc.pipeline import rules
from ltc.records.registers import REGISTERS

LEVEL_NAMES = {3: "Case management", 2: "Disease-specific care management",
               1: "Supported self care", 0: "Promoting better health"}


class PolicyError(ValueError):
    """A policy file that cannot be used."""


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    rule_sets: tuple[str, ...]
    top_risk_percent: float
    min_ltc_level2: int
    complex_registers: tuple[str, ...]
    emergency_with_ltc: int
    min_ltc_level1: int


def parse(text: str, where: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{where}: not valid TOML: {err}") from None
    try:
        l3, l2, l1 = data["level3"], data["level2"], data["level1"]
        policy = Policy(
            id=str(data["id"]), name=str(data["name"]),
            rule_sets=tuple(l3.get("rule_sets", ())),
            top_risk_percent=float(l3.get("top_risk_percent", 0.0)),
            min_ltc_level2=int(l2["min_ltc"]),
            complex_registers=tuple(l2.get("complex_registers", ())),
            emergency_with_ltc=int(l2.get("emergency_admissions_with_ltc", 0)),
            min_ltc_level1=int(l1["min_ltc"]),
        )
    except KeyError as err:
        raise PolicyError(f"{where}: {err.args[0]!r} is missing; see "
                          "ltc/data/policy/default.toml for every setting") from None
    except (TypeError, ValueError) as err:
        raise PolicyError(f"{where}: a setting has the wrong type ({err})") from None
    unknown = [r for r in policy.complex_registers if r not in REGISTERS]
    if unknown:
        raise PolicyError(f"{where}: unknown registers {unknown}; registers are: "
                          f"{', '.join(REGISTERS)}")
    if not 0 <= policy.top_risk_percent <= 100:
        raise PolicyError(f"{where}: top_risk_percent must be between 0 and 100")
    for name in policy.rule_sets:
        rules.load(name)  # a clear error if it does not exist
    return policy


def load(path: Path | None = None) -> Policy:
    """The policy in ``path``, or the default."""
    if path is None:
        text = resources.files("ltc.data.policy").joinpath("default.toml").read_text()
        return parse(text, "default policy")
    if not Path(path).exists():
        raise PolicyError(f"{path}: no such policy file")
    return parse(Path(path).read_text(), str(path))


def assign(policy: Policy, table: ir.Table, rule_set_ids: list[str]) -> ir.Table:
    """Add ``level`` and ``level_basis`` to a table of features, rule results, ``complex_ltc``
    (bool), ``risk_percentile`` (0-100 or null) and ``gp_action`` (nominate/exclude/null)."""
    by_rules: ir.BooleanValue = ibis.literal(False)
    for rid in rule_set_ids:
        by_rules = by_rules | table[rid].fill_null(False)
    by_risk = (table.risk_percentile >= 100 - policy.top_risk_percent).fill_null(False) \
        if policy.top_risk_percent > 0 else ibis.literal(False)
    nominated = (table.gp_action == "nominate").fill_null(False)
    excluded = (table.gp_action == "exclude").fill_null(False)
    level2 = ((table.ltc_count >= policy.min_ltc_level2) | table.complex_ltc.fill_null(False)
              | ((table.ltc_count >= 1) & (table.emergency_12m >= policy.emergency_with_ltc)
                 & (policy.emergency_with_ltc > 0)))
    level1 = table.ltc_count >= policy.min_ltc_level1
    level3 = (by_rules | by_risk | nominated) & ~excluded
    level = ibis.cases((level3, 3), (level2, 2), (level1, 1), else_=0)
    basis = ibis.cases(
        (nominated & ~excluded, "nominated by a clinician"),
        (level3 & by_rules, "case-finding rules met"),
        (level3 & by_risk, f"predicted risk in the top {policy.top_risk_percent:g}%"),
        ((table.ltc_count >= policy.min_ltc_level2) & ~level3,
         f"{policy.min_ltc_level2}+ long term conditions"),
        (table.complex_ltc.fill_null(False) & ~level3, "a complex long term condition"),
        (level2 & ~level3, "a long term condition and an emergency admission"),
        (level1 & ~level3, "a long term condition"),
        else_="",
    )
    return table.mutate(level=level.cast("int64"), level_basis=basis)
