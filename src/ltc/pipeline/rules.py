"""Rule sets for case finding, as configuration (STRAT-1, STRAT-2).

A rule set is a TOML file: criteria, each a comparison of one feature (see
:data:`ltc.pipeline.features.FEATURE_KINDS`) with a value or the conjunction of other
criteria, and a ``[logic]`` table saying how they combine:

- ``all``: every listed criterion must be met;
- ``at_least = { count = N, of = [...] }``: at least N of the listed criteria;
- ``any``: at least one of the listed criteria.

Each person gets, per criterion, whether it is met and the value behind it, so the
reasons are always shown. The built-in sets (``castlefields``, ``evercare``) are in
``ltc/data/rules/``; a health community writes its own in the same format (see
``docs/rules.md``). A malformed file is refused with the line and the problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from ltc.pipeline.features import FEATURE_KINDS

OPS = {">=", ">", "<=", "<", "==", "!=", "is"}
BUILT_IN = ("castlefields", "evercare")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class RuleError(ValueError):
    """A rule file that cannot be used: names the file, the line and the problem."""


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    feature: str | None = None
    op: str | None = None
    value: Any = None
    all_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    id: str
    name: str
    source: str
    criteria: dict[str, Criterion]
    all: tuple[str, ...] = ()
    at_least: int = 0
    at_least_of: tuple[str, ...] = ()
    any: tuple[str, ...] = ()

    @property
    def shown(self) -> list[str]:
        """Criteria that the logic names, in the order they are written."""
        named = set(self.all) | set(self.at_least_of) | set(self.any)
        return [c for c in self.criteria if c in named]


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def parse(text: str, where: str = "rule file") -> RuleSet:
    """A rule set from TOML text; :class:`RuleError` naming the line and problem if bad."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RuleError(f"{where}: not valid TOML: {err}") from None

    def fail(needle: str, message: str) -> RuleError:
        return RuleError(f"{where}, line {_line_of(text, needle)}: {message}")

    for key in ("id", "name", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(key, f"'{key}' is missing or empty; expected a text value, e.g. "
                       f'{key} = "..."')
    if not _ID.match(data["id"]):
        raise fail("id", f"id {data['id']!r} must be lower-case letters, digits and _")
    raw = data.get("criterion")
    if not isinstance(raw, list) or not raw:
        raise fail("[[criterion]]", "no [[criterion]] tables; expected at least one")
    criteria: dict[str, Criterion] = {}
    for item in raw:
        cid = item.get("id")
        if not isinstance(cid, str) or not _ID.match(cid):
            raise fail("[[criterion]]", f"a criterion has a missing or bad id ({cid!r}); "
                       "expected lower-case letters, digits and _")
        anchor = f'"{cid}"'
        if cid in criteria:
            raise fail(anchor, f"criterion {cid!r} is defined twice")
        unknown = set(item) - {"id", "label", "feature", "op", "value", "all"}
        if unknown:
            raise fail(anchor, f"criterion {cid!r} has unknown keys {sorted(unknown)}; "
                       "expected id, label, feature, op, value (or all)")
        label = item.get("label", cid)
        if "all" in item:
            parts = item["all"]
            if not isinstance(parts, list) or not parts:
                raise fail(anchor, f"criterion {cid!r}: 'all' must list criterion ids")
            criteria[cid] = Criterion(cid, label, all_of=tuple(parts))
            continue
        feature, op = item.get("feature"), item.get("op")
        if feature not in FEATURE_KINDS:
            raise fail(anchor, f"criterion {cid!r}: unknown feature {feature!r}; expected "
                       f"one of: {', '.join(sorted(FEATURE_KINDS))}")
        if op not in OPS:
            raise fail(anchor, f"criterion {cid!r}: unknown op {op!r}; expected one of: "
                       f"{', '.join(sorted(OPS))}")
        if "value" not in item:
            raise fail(anchor, f"criterion {cid!r}: 'value' is missing")
        value = item["value"]
        kind = FEATURE_KINDS[feature]
        if kind == "flag" and (op not in ("is", "==", "!=") or not isinstance(value, bool)):
            raise fail(anchor, f"criterion {cid!r}: {feature} is a yes/no feature; expected "
                       "op = \"is\" and value = true or false")
        if kind == "number" and (op == "is" or isinstance(value, bool)
                                 or not isinstance(value, int | float)):
            raise fail(anchor, f"criterion {cid!r}: {feature} is a number; expected a "
                       "comparison such as op = \">=\" with a number value")
        if kind == "text" and (op not in ("==", "!=") or not isinstance(value, str)):
            raise fail(anchor, f"criterion {cid!r}: {feature} is text; expected op = \"==\" "
                       "or \"!=\" with a text value")
        criteria[cid] = Criterion(cid, label, feature, op, value)
    for c in criteria.values():
        for part in c.all_of:
            if part not in criteria or part == c.id:
                raise fail(f'"{c.id}"', f"criterion {c.id!r} combines unknown criterion "
                           f"{part!r}")
            if criteria[part].all_of:
                raise fail(f'"{c.id}"', f"criterion {c.id!r} combines {part!r}, which is "
                           "itself combined; expected plain criteria")
    logic = data.get("logic")
    if not isinstance(logic, dict):
        raise fail("[logic]", "[logic] is missing; expected all, at_least and/or any")
    unknown = set(logic) - {"all", "at_least", "any"}
    if unknown:
        raise fail("[logic]", f"[logic] has unknown keys {sorted(unknown)}; expected all, "
                   "at_least, any")
    all_ids = tuple(logic.get("all", ()))
    any_ids = tuple(logic.get("any", ()))
    least = logic.get("at_least", {"count": 0, "of": []})
    if not isinstance(least, dict) or not isinstance(least.get("count"), int) or \
            not isinstance(least.get("of"), list):
        raise fail("at_least", "at_least must be { count = N, of = [criterion ids] }")
    of_ids = tuple(least["of"])
    if least["count"] < 0 or least["count"] > len(of_ids):
        raise fail("at_least", f"at_least count {least['count']} must be between 0 and the "
                   f"{len(of_ids)} criteria listed")
    for cid in (*all_ids, *any_ids, *of_ids):
        if cid not in criteria:
            raise fail(f'"{cid}"', f"[logic] names unknown criterion {cid!r}; defined: "
                       f"{', '.join(criteria)}")
    if not (all_ids or any_ids or of_ids):
        raise fail("[logic]", "[logic] names no criteria")
    return RuleSet(data["id"], data["name"], data["source"], criteria, all_ids,
                   least["count"], of_ids, any_ids)


def load(name_or_path: str | Path) -> RuleSet:
    """A built-in rule set by name, or a rule file by path."""
    if isinstance(name_or_path, str) and name_or_path in BUILT_IN:
        text = resources.files("ltc.data.rules").joinpath(f"{name_or_path}.toml").read_text()
        return parse(text, f"built-in rule set {name_or_path}")
    path = Path(name_or_path)
    if not path.exists():
        raise RuleError(f"{path}: no such rule file; built-in rule sets are: "
                        f"{', '.join(BUILT_IN)}")
    return parse(path.read_text(), str(path))


def _compare(column: ir.Value, op: str, value: Any) -> ir.BooleanValue:
    if op == "is":
        result: ir.BooleanValue = column == value
    elif op == ">=":
        result = column >= value
    elif op == ">":
        result = column > value
    elif op == "<=":
        result = column <= value
    elif op == "<":
        result = column < value
    elif op == "==":
        result = column == value
    else:
        result = column != value
    return result.fill_null(False)


def evaluate(rules: RuleSet, features: ir.Table) -> ir.Table:
    """Per person: each shown criterion met (``<set>__<criterion>``), the value behind it
    (``<set>__<criterion>__value``), and whether the rule set is met (``<set>``)."""
    met: dict[str, ir.BooleanValue] = {}
    for c in rules.criteria.values():
        if not c.all_of:
            assert c.feature is not None
            assert c.op is not None
            met[c.id] = _compare(features[c.feature], c.op, c.value)
    for c in rules.criteria.values():
        if c.all_of:
            combined = met[c.all_of[0]]
            for part in c.all_of[1:]:
                combined = combined & met[part]
            met[c.id] = combined
    overall: ir.BooleanValue = ibis.literal(True)
    for cid in rules.all:
        overall = overall & met[cid]
    if rules.at_least_of:
        count = sum((met[c].ifelse(1, 0) for c in rules.at_least_of), ibis.literal(0))
        overall = overall & (count >= rules.at_least)
    if rules.any:
        anyone: ir.BooleanValue = ibis.literal(False)
        for cid in rules.any:
            anyone = anyone | met[cid]
        overall = overall & anyone
    columns: dict[str, ir.Value] = {}
    for cid in rules.shown:
        c = rules.criteria[cid]
        columns[f"{rules.id}__{cid}"] = met[cid]
        if c.feature is not None:
            columns[f"{rules.id}__{cid}__value"] = features[c.feature]
    if rules.at_least_of:
        columns[f"{rules.id}__count"] = sum(
            (met[c].ifelse(1, 0) for c in rules.at_least_of), ibis.literal(0))
    columns[rules.id] = overall
    return features.select("nhs_number", **columns)
