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


class _Lines:
    """Where things are in a rule file: top-level keys, [logic] keys, criterion keys."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.blocks = [n for n, line in enumerate(self.lines, start=1)
                       if line.strip() == "[[criterion]]"]
        self.logic = next((n for n, line in enumerate(self.lines, start=1)
                           if line.strip() == "[logic]"), 0)

    def _find(self, key: str, start: int, end: int) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start, min(end, len(self.lines) + 1)):
            if pattern.match(self.lines[n - 1]):
                return n
        return None

    def top(self, key: str) -> int:
        first_table = min([*self.blocks, self.logic or len(self.lines) + 1])
        return self._find(key, 1, first_table) or 1

    def in_logic(self, key: str) -> int:
        if not self.logic:
            return 1
        following = [b for b in self.blocks if b > self.logic]
        return self._find(key, self.logic, min(following, default=len(self.lines) + 1)) \
            or self.logic

    def in_criterion(self, index: int, key: str = "id") -> int:
        if index >= len(self.blocks):
            return 1
        end = self.blocks[index + 1] if index + 1 < len(self.blocks) else len(self.lines) + 1
        ends = [n for n in (self.logic,) if n > self.blocks[index]]
        return self._find(key, self.blocks[index], min([end, *ends])) or self.blocks[index]


def parse(text: str, where: str = "rule file") -> RuleSet:
    """A rule set from TOML text; :class:`RuleError` naming the line and problem if bad."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RuleError(f"{where}: not valid TOML: {err}") from None
    at = _Lines(text)

    def fail(line: int, message: str) -> RuleError:
        return RuleError(f"{where}, line {line}: {message}")

    for key in ("id", "name", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(at.top(key), f"'{key}' is missing or empty; expected a text value, "
                       f'e.g. {key} = "..."')
    if not _ID.match(data["id"]):
        raise fail(at.top("id"), f"id {data['id']!r} must be lower-case letters, digits and _")
    raw = data.get("criterion")
    if not isinstance(raw, list) or not raw:
        raise fail(1, "no [[criterion]] tables; expected at least one")
    criteria: dict[str, Criterion] = {}
    index_of: dict[str, int] = {}
    for k, item in enumerate(raw):
        cid = item.get("id")
        if not isinstance(cid, str) or not _ID.match(cid):
            raise fail(at.in_criterion(k), f"a criterion has a missing or bad id ({cid!r}); "
                       "expected lower-case letters, digits and _")
        if cid in criteria:
            raise fail(at.in_criterion(k), f"criterion {cid!r} is defined twice")
        index_of[cid] = k
        unknown = set(item) - {"id", "label", "feature", "op", "value", "all"}
        if unknown:
            raise fail(at.in_criterion(k, sorted(unknown)[0]), f"criterion {cid!r} has "
                       f"unknown keys {sorted(unknown)}; expected id, label, feature, op, "
                       "value (or all)")
        label = item.get("label", cid)
        if "all" in item:
            parts = item["all"]
            if not isinstance(parts, list) or not parts:
                raise fail(at.in_criterion(k, "all"),
                           f"criterion {cid!r}: 'all' must list criterion ids")
            criteria[cid] = Criterion(cid, label, all_of=tuple(parts))
            continue
        feature, op = item.get("feature"), item.get("op")
        if feature not in FEATURE_KINDS:
            raise fail(at.in_criterion(k, "feature"), f"criterion {cid!r}: unknown feature "
                       f"{feature!r}; expected one of: {', '.join(sorted(FEATURE_KINDS))}")
        if op not in OPS:
            raise fail(at.in_criterion(k, "op"), f"criterion {cid!r}: unknown op {op!r}; "
                       f"expected one of: {', '.join(sorted(OPS))}")
        if "value" not in item:
            raise fail(at.in_criterion(k), f"criterion {cid!r}: 'value' is missing")
        value = item["value"]
        kind = FEATURE_KINDS[feature]
        line = at.in_criterion(k, "value")
        if kind == "flag" and (op not in ("is", "==", "!=") or not isinstance(value, bool)):
            raise fail(line, f"criterion {cid!r}: {feature} is a yes/no feature; expected "
                       "op = \"is\" and value = true or false")
        if kind == "number" and (op == "is" or isinstance(value, bool)
                                 or not isinstance(value, int | float)):
            raise fail(line, f"criterion {cid!r}: {feature} is a number; expected a "
                       "comparison such as op = \">=\" with a number value")
        if kind == "text" and (op not in ("==", "!=") or not isinstance(value, str)):
            raise fail(line, f"criterion {cid!r}: {feature} is text; expected op = \"==\" "
                       "or \"!=\" with a text value")
        criteria[cid] = Criterion(cid, label, feature, op, value)
    for c in criteria.values():
        for part in c.all_of:
            line = at.in_criterion(index_of[c.id], "all")
            if part not in criteria or part == c.id:
                raise fail(line, f"criterion {c.id!r} combines unknown criterion {part!r}")
            if criteria[part].all_of:
                raise fail(line, f"criterion {c.id!r} combines {part!r}, which is itself "
                           "combined; expected plain criteria")
    logic = data.get("logic")
    if not isinstance(logic, dict):
        raise fail(1, "[logic] is missing; expected all, at_least and/or any")
    unknown = set(logic) - {"all", "at_least", "any"}
    if unknown:
        raise fail(at.in_logic(sorted(unknown)[0]), f"[logic] has unknown keys "
                   f"{sorted(unknown)}; expected all, at_least, any")
    all_ids = tuple(logic.get("all", ()))
    any_ids = tuple(logic.get("any", ()))
    least = logic.get("at_least", {"count": 0, "of": []})
    if not isinstance(least, dict) or not isinstance(least.get("count"), int) or \
            not isinstance(least.get("of"), list):
        raise fail(at.in_logic("at_least"),
                   "at_least must be { count = N, of = [criterion ids] }")
    of_ids = tuple(least["of"])
    if least["count"] < 0 or least["count"] > len(of_ids):
        raise fail(at.in_logic("at_least"), f"at_least count {least['count']} must be "
                   f"between 0 and the {len(of_ids)} criteria listed")
    for key, ids in (("all", all_ids), ("any", any_ids), ("at_least", of_ids)):
        for cid in ids:
            if cid not in criteria:
                raise fail(at.in_logic(key), f"[logic] names unknown criterion {cid!r}; "
                           f"defined: {', '.join(criteria)}")
    if not (all_ids or any_ids or of_ids):
        raise fail(at.logic or 1, "[logic] names no criteria")
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
