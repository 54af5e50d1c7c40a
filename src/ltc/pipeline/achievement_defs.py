"""The QOF v46 indicator definitions, read from ``ltc/data/qof`` and checked (DM-6).

Three files, each described in ``ltc/data/qof/SOURCE.md``:

- ``clusters/index.csv`` and one ``clusters/<cluster>.csv`` per cluster whose members the
  project carries (``system,code,term``); a cluster marked ``project`` is one of the
  project's own code lists (:mod:`ltc.codes.codelists`), one marked ``unavailable`` has no
  members here and never matches;
- ``fields_v46.toml``: the patient-level fields (``DM_DAT``, ``IFCCHBA_VAL``...);
- ``indicators_v46.toml``: each indicator's register, wording, denominator rules in order
  (each with its action if true and if false) and numerator, and the reasons a rule takes
  a person out (a PCA, which excepts them, or an exclusion).

A file that breaks a rule is refused with :class:`DefinitionError`, naming the file, the
line and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from ltc.pipeline.achievement_clusters import Cluster, DefinitionError, folder, load_clusters
from ltc.pipeline.achievement_rules import (
    QUALIFYING,
    Expr,
    Kind,
    Operand,
    RuleSyntaxError,
    check,
    names,
    parse,
    parse_operand,
)
from ltc.records.registers import REGISTERS

FIELDS_FILE = "fields_v46.toml"
INDICATORS_FILE = "indicators_v46.toml"
ACTIONS = ("select", "reject", "next")
_VALUE = re.compile(r"^\s*(<=|>=|<|>|=)\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Field:
    """One patient-level field of ``fields_v46.toml``."""

    name: str
    text: str
    cluster: str | None = None
    pick: str | None = None  # earliest | latest
    after: Operand | None = None
    from_: Operand | None = None
    until: Operand | None = None
    value: tuple[str, float] | None = None
    value_on: str | None = None
    pair: tuple[str, str] | None = None
    greatest: tuple[str, ...] = ()
    missing: str | None = None

    @property
    def kind(self) -> Kind:
        return "number" if self.value_on else "date"

    @property
    def depends(self) -> set[str]:
        found = {n for b in (self.after, self.from_, self.until) if b is not None
                 for n in names(b) if n not in QUALIFYING}
        if self.value_on:
            found.add(self.value_on)
        return found | set(self.greatest)


@dataclass(frozen=True)
class Rule:
    """One row of a denominator: the condition and the action if true and if false."""

    text: str
    expr: Expr
    if_true: str
    if_false: str
    reason: str | None


@dataclass(frozen=True)
class Indicator:
    id: str
    kind: str  # register | percentage
    register: str
    age_band: str
    wording: str
    source: str
    simplified: str
    numerator: Expr | None
    numerator_text: str
    denominator: tuple[Rule, ...]


@dataclass(frozen=True)
class Reason:
    """Why a rule takes a person out: ``exception`` (a PCA) or ``exclusion``."""

    name: str
    type: str
    text: str
    project: bool


@dataclass(frozen=True)
class Definitions:
    version: str
    source: str
    clusters: dict[str, Cluster]
    fields: dict[str, Field]
    indicators: tuple[Indicator, ...]
    reasons: dict[str, Reason]

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(f"no indicator {indicator_id!r}; indicators are: "
                       f"{', '.join(i.id for i in self.indicators)}")


# -- where things are in a TOML file ---------------------------------------------------------
def _line(text: str, needle: str, after: int = 0) -> int:
    """The first line at or after line ``after`` that holds ``needle`` (1 if none)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= after and needle in line:
            return number
    return max(after, 1)


def _toml(name: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DefinitionError(f"qof/{name}: not valid TOML: {err}") from None


# -- fields ----------------------------------------------------------------------------------
_FIELD_KEYS = {"text", "cluster", "pick", "after", "from", "until", "value", "value_on",
               "pair", "greatest", "missing"}


def load_fields(text: str, clusters: dict[str, Cluster], name: str = FIELDS_FILE
                ) -> dict[str, Field]:
    """The fields of ``fields_v46.toml`` text, checked against the clusters."""
    raw = _toml(name, text).get("fields")
    if not isinstance(raw, dict) or not raw:
        raise DefinitionError(f"qof/{name}, line 1: no [fields.NAME] tables")
    out: dict[str, Field] = {}
    for fname, item in raw.items():
        at = _line(text, f"[fields.{fname}]")

        def fail(message: str, key: str | None = None, *, _at: int = at,
                 _name: str = fname) -> DefinitionError:
            line = _line(text, f"{key} =", _at) if key else _at
            return DefinitionError(f"qof/{name}, line {line}: field {_name}: {message}")

        unknown = set(item) - _FIELD_KEYS
        if unknown:
            raise fail(f"unknown keys {sorted(unknown)}; expected {sorted(_FIELD_KEYS)}")
        if not isinstance(item.get("text"), str):
            raise fail("'text' is missing; say what the field holds")
        shapes = [k for k in ("pick", "value_on", "pair", "greatest", "missing") if k in item]
        if len(shapes) != 1:
            raise fail("give exactly one of pick, value_on, pair, greatest or missing")
        cluster = item.get("cluster")
        if ("pick" in item or "value_on" in item) and cluster not in clusters:
            raise fail(f"cluster {cluster!r} is not in qof/clusters/index.csv", "cluster")
        if item.get("pick", "latest") not in ("earliest", "latest"):
            raise fail("pick must be earliest or latest", "pick")
        bounds: dict[str, Operand | None] = {}
        for key in ("after", "from", "until"):
            try:
                bounds[key] = parse_operand(item[key]) if key in item else None
            except RuleSyntaxError as err:
                raise fail(str(err), key) from None
        value = None
        if "value" in item:
            match = _VALUE.match(str(item["value"]))
            if match is None:
                raise fail("value must be a comparison with a number, e.g. \"< 10\"", "value")
            value = (match.group(1), float(match.group(2)))
        pair = item.get("pair")
        if pair is not None and (len(pair) != 2 or any(c not in clusters for c in pair)):
            raise fail("pair must name two clusters of qof/clusters/index.csv", "pair")
        out[fname] = Field(
            name=fname, text=item["text"], cluster=cluster, pick=item.get("pick"),
            after=bounds["after"], from_=bounds["from"], until=bounds["until"], value=value,
            value_on=item.get("value_on"), pair=tuple(pair) if pair else None,
            greatest=tuple(item.get("greatest", ())), missing=item.get("missing"))
    for field in out.values():
        for dep in sorted(field.depends):
            if dep not in out and dep != "PAT_AGE":
                raise DefinitionError(f"qof/{name}, line {_line(text, f'[fields.{field.name}]')}"
                                      f": field {field.name} refers to {dep}, which is not a "
                                      "field")
    _check_no_cycle(out, name, text)
    return out


def _check_no_cycle(fields: dict[str, Field], name: str, text: str) -> None:
    state: dict[str, int] = {}

    def visit(fname: str, path: tuple[str, ...]) -> None:
        if state.get(fname) == 2:
            return
        if state.get(fname) == 1:
            raise DefinitionError(f"qof/{name}, line {_line(text, f'[fields.{fname}]')}: "
                                  f"fields refer to each other in a circle: "
                                  f"{' -> '.join((*path, fname))}")
        state[fname] = 1
        for dep in sorted(fields[fname].depends):
            visit(dep, (*path, fname))
        state[fname] = 2

    for fname in fields:
        visit(fname, ())


# -- indicators ------------------------------------------------------------------------------
_INDICATOR_KEYS = {"id", "kind", "register", "age_band", "wording", "source", "simplified",
                   "numerator", "denominator"}
_RULE_KEYS = {"rule", "if_true", "if_false", "reason"}


def load_indicators(text: str, fields: dict[str, Field], name: str = INDICATORS_FILE
                    ) -> tuple[str, str, tuple[Indicator, ...], dict[str, Reason]]:
    """Version, source, indicators and reasons of ``indicators_v46.toml`` text, checked."""
    data = _toml(name, text)
    for key in ("version", "source"):
        if not isinstance(data.get(key), str):
            raise DefinitionError(f"qof/{name}, line 1: '{key}' is missing; expected text")
    reasons: dict[str, Reason] = {}
    for rname, item in (data.get("reasons") or {}).items():
        if item.get("type") not in ("exception", "exclusion") or not item.get("text"):
            raise DefinitionError(f"qof/{name}, line {_line(text, f'[reasons.{rname}]')}: "
                                  f"reason {rname} needs type = \"exception\" or \"exclusion\" "
                                  "and a text")
        reasons[rname] = Reason(rname, item["type"], item["text"], bool(item.get("project")))

    def kinds(ref: str) -> Kind:
        if ref in QUALIFYING:
            return "date"
        if ref == "PAT_AGE":
            return "number"
        if ref not in fields:
            raise RuleSyntaxError(f"unknown field {ref}; expected a field of {FIELDS_FILE}, "
                                  "ACHV_DAT, PPED, QSSD or PAT_AGE")
        return fields[ref].kind

    indicators: list[Indicator] = []
    for item in data.get("indicator") or []:
        indicators.append(_indicator(item, text, name, kinds, reasons, indicators))
    if not indicators:
        raise DefinitionError(f"qof/{name}, line 1: no [[indicator]] tables")
    return data["version"], data["source"], tuple(indicators), reasons


def _indicator(item: dict[str, Any], text: str, name: str, kinds: Any,
               reasons: dict[str, Reason], seen: list[Indicator]) -> Indicator:
    iid = item.get("id")
    at = _line(text, f'id = "{iid}"')

    def fail(message: str, line: int = at) -> DefinitionError:
        return DefinitionError(f"qof/{name}, line {line}: indicator {iid}: {message}")

    if not isinstance(iid, str) or any(i.id == iid for i in seen):
        raise fail("a missing or repeated id")
    unknown = set(item) - _INDICATOR_KEYS
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}; expected {sorted(_INDICATOR_KEYS)}")
    for key in ("kind", "register", "age_band", "wording", "source"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise fail(f"'{key}' is missing or empty; expected text")
    if item["kind"] not in ("register", "percentage"):
        raise fail(f"kind {item['kind']!r}; expected register or percentage")
    if item["register"] not in REGISTERS:
        raise fail(f"register {item['register']!r} is not one of {sorted(REGISTERS)}")

    def read(rule_text: Any) -> Expr:
        line = _line(text, str(rule_text), at)
        if not isinstance(rule_text, str):
            raise fail("a rule must be text", line)
        try:
            expr = parse(rule_text)
            check(expr, kinds)  # also refuses a name that is not a field
        except RuleSyntaxError as err:
            raise fail(str(err), line) from None
        return expr

    rules: list[Rule] = []
    if item["kind"] == "percentage":
        raw_rules = item.get("denominator") or []
        if "numerator" not in item or not raw_rules:
            raise fail("a percentage indicator needs a numerator and denominator rules")
        for number, raw in enumerate(raw_rules, start=1):
            line = _line(text, str(raw.get("rule")), at)
            extra = set(raw) - _RULE_KEYS
            actions = (raw.get("if_true"), raw.get("if_false"))
            if extra or any(a not in ACTIONS for a in actions):
                raise fail(f"denominator rule {number} needs rule, if_true and if_false "
                           f"(select, reject or next) and, when it rejects, a reason", line)
            rejects = "reject" in actions
            if rejects != (raw.get("reason") is not None):
                raise fail(f"denominator rule {number}: give a reason exactly when it "
                           "rejects", line)
            if rejects and raw["reason"] not in reasons:
                raise fail(f"denominator rule {number}: reason {raw['reason']!r} is not in "
                           "[reasons]", line)
            rules.append(Rule(raw["rule"], read(raw["rule"]), raw["if_true"], raw["if_false"],
                              raw.get("reason")))
        if "next" in (rules[-1].if_true, rules[-1].if_false):
            raise fail("the last denominator rule must select or reject either way")
    elif "numerator" in item or "denominator" in item:
        raise fail("a register indicator has no numerator or denominator rules")
    numerator = read(item["numerator"]) if "numerator" in item else None
    return Indicator(id=iid, kind=item["kind"], register=item["register"],
                     age_band=item["age_band"], wording=item["wording"],
                     source=item["source"], simplified=item.get("simplified", ""),
                     numerator=numerator, numerator_text=item.get("numerator", ""),
                     denominator=tuple(rules))


@cache
def definitions() -> Definitions:
    """The built-in QOF v46 definitions (read and checked once)."""
    base = folder()
    clusters = load_clusters(base / "clusters")
    fields = load_fields((base / FIELDS_FILE).read_text(encoding="utf-8"), clusters)
    version, source, indicators, reasons = load_indicators(
        (base / INDICATORS_FILE).read_text(encoding="utf-8"), fields)
    return Definitions(version=version, source=source, clusters=clusters, fields=fields,
                       indicators=indicators, reasons=reasons)
