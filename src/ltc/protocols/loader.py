"""Reading condition protocols from TOML, with local overrides (DM-1).

The defaults are the files of ``ltc/protocols/defaults/`` (one per condition, named after
it). A local folder overrides them without code changes, **file by file and item by
item**: a local ``<condition>.toml`` changes the keys it gives of its namesake; its
``[[items]]`` are matched to the default's by ``id`` and change the keys they give (an item
with ``enabled = false`` is dropped; an unknown id is added); its ``[[questions]]``, when
given, replace the default's. A local file for a condition without a default is a new
protocol and must give every required key. Every value is checked: a bad one raises
:class:`ProtocolError` naming the file, the key and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from ltc.codes import codelists
from ltc.protocols.model import Item, Protocol, Question, Season, Target

DEFAULTS_PACKAGE = "ltc.protocols.defaults"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SNOMED = re.compile(r"^[0-9]{6,18}$")
_MONTH_DAY = re.compile(r"^([0-9]{2})-([0-9]{2})$")

TOP_KEYS = {"condition", "label", "register", "version", "sources", "exceptions",
            "exception_codes", "exception_months", "overdue_after_months", "items",
            "questions"}
ITEM_KEYS = {"id", "label", "codelists", "codes", "interval_months", "season",
             "overdue_after_months", "values", "targets", "exceptions", "exception_codes",
             "source", "enabled"}
TARGET_KEYS = {"at_most", "unit", "min_age", "max_age", "source"}
SEASON_KEYS = {"counts_from", "due_from", "ends"}
QUESTION_KEYS = {"id", "text", "red_flag", "source"}


class ProtocolError(ValueError):
    """A protocol file that cannot be used; the message names the file, the key and what
    was expected."""


class _File:
    """Checks the values of one protocol file, naming the file and key in every error."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, expected: str, got: object = None, *, show: bool = True
             ) -> ProtocolError:
        found = f", got {got!r}" if show else ""
        return ProtocolError(f"{self.where}: {key}: expected {expected}{found}")

    def table(self, value: object, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "a table", value)
        return value

    def keys(self, data: dict[str, Any], allowed: set[str], key: str) -> None:
        for name in data:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                raise self.fail(where, "one of the keys " + ", ".join(sorted(allowed)),
                                show=False)

    def text(self, data: dict[str, Any], name: str, key: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "a non-empty text", value)
        return value.strip()

    def name(self, data: dict[str, Any], name: str, key: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not _NAME.match(value):
            raise self.fail(key, "a name of lower-case letters, digits and _ (e.g. hba1c)",
                            value)
        return value

    def whole(self, data: dict[str, Any], name: str, key: str, low: int, high: int,
              unit: str) -> int:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"a whole number of {unit} from {low} to {high}", value)
        return value

    def flag(self, data: dict[str, Any], name: str, key: str) -> bool:
        value = data.get(name)
        if not isinstance(value, bool):
            raise self.fail(key, "true or false", value)
        return value

    def texts(self, data: dict[str, Any], name: str, key: str) -> tuple[str, ...]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            raise self.fail(key, "a list of texts", value)
        return tuple(v.strip() for v in value)

    def lists(self, data: dict[str, Any], name: str, key: str) -> tuple[str, ...]:
        """Names of the project's code lists, each checked to exist."""
        found = self.texts(data, name, key)
        known = set(codelists.names())
        for entry in found:
            if entry not in known:
                raise self.fail(key, "names of the project's code lists "
                                "(ltc/data/codelists/index.csv), e.g. hba1c_tests", entry)
            if codelists.load(entry).system != "snomed":
                raise self.fail(key, "SNOMED CT code lists", entry)
        return found

    def codes(self, data: dict[str, Any], name: str, key: str) -> frozenset[str]:
        found = self.texts(data, name, key)
        for code in found:
            if not _SNOMED.match(code):
                raise self.fail(key, "SNOMED CT concept ids (6 to 18 digits, as text)", code)
        return frozenset(found)

    def month_day(self, data: dict[str, Any], name: str, key: str) -> tuple[int, int]:
        value = data.get(name)
        match = _MONTH_DAY.match(value) if isinstance(value, str) else None
        if match is not None:
            month, day = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12 and 1 <= day <= (29 if month == 2 else 30 if month in
                                                 (4, 6, 9, 11) else 31):
                return month, day
        raise self.fail(key, "a month and day as MM-DD, e.g. 09-01", value)


def _union(names: Iterable[str]) -> frozenset[str]:
    codes: set[str] = set()
    for name in names:
        codes |= codelists.load(name).codes
    return frozenset(codes)


def _season(f: _File, data: object, key: str) -> Season:
    table = f.table(data, key)
    f.keys(table, SEASON_KEYS, key)
    season = Season(counts_from=f.month_day(table, "counts_from", f"{key}.counts_from"),
                    due_from=f.month_day(table, "due_from", f"{key}.due_from"),
                    ends=f.month_day(table, "ends", f"{key}.ends"))
    if season.counts_from > season.due_from:
        raise f.fail(f"{key}.due_from", "a day on or after counts_from in the same year",
                     table["due_from"])
    if season.ends == season.due_from:
        raise f.fail(f"{key}.ends", "a day other than due_from", table["ends"])
    return season


def _targets(f: _File, data: object, key: str, components: int) -> tuple[Target, ...]:
    if not isinstance(data, list):
        raise f.fail(key, "a list of tables ([[items.targets]])", data)
    if data and not components:
        raise f.fail(key, "no targets: the item has no values to compare (add values = "
                     "[...])", show=False)
    found = []
    for n, raw in enumerate(data):
        where = f"{key}[{n}]"
        table = f.table(raw, where)
        f.keys(table, TARGET_KEYS, where)
        limits = table.get("at_most")
        if (not isinstance(limits, list) or len(limits) != components
                or not all(isinstance(v, int | float) and not isinstance(v, bool)
                           for v in limits)):
            raise f.fail(f"{where}.at_most", f"a list of {components} numbers, one per "
                         "value of the item", limits)
        low = f.whole(table, "min_age", f"{where}.min_age", 0, 150, "years") \
            if "min_age" in table else None
        high = f.whole(table, "max_age", f"{where}.max_age", 0, 150, "years") \
            if "max_age" in table else None
        found.append(Target(at_most=tuple(float(v) for v in limits),
                            unit=f.text(table, "unit", f"{where}.unit"),
                            source=f.text(table, "source", f"{where}.source"),
                            min_age=low, max_age=high))
    for age in range(0, 151):
        bands = [t for t in found if t.applies(age)]
        if len(bands) > 1:
            raise f.fail(key, f"age bands that do not overlap (age {age} is in two)",
                         show=False)
    return tuple(found)


def _item(f: _File, data: dict[str, Any], key: str, defaults: dict[str, Any]) -> Item:
    f.keys(data, ITEM_KEYS, key)
    item_id = f.name(data, "id", f"{key}.id")
    lists = f.lists(data, "codelists", f"{key}.codelists")
    extra = f.codes(data, "codes", f"{key}.codes")
    codes = _union(lists) | extra
    if not codes:
        raise f.fail(f"{key}.codelists", "at least one code list or code (codes = [...]) "
                     "saying how the item is recorded", show=False)
    has_interval, has_season = "interval_months" in data, "season" in data
    if has_interval == has_season:
        raise f.fail(key, "either interval_months (due every N months) or season "
                     "(due once a season), not both or neither", show=False)
    interval = f.whole(data, "interval_months", f"{key}.interval_months", 1, 120,
                       "months") if has_interval else None
    season = _season(f, data["season"], f"{key}.season") if has_season else None
    grace_data = data if "overdue_after_months" in data else defaults
    grace = f.whole(grace_data, "overdue_after_months", f"{key}.overdue_after_months", 0,
                    24, "months")
    value_lists = f.lists(data, "values", f"{key}.values")
    if len(value_lists) > 2:
        raise f.fail(f"{key}.values", "at most 2 code lists (e.g. systolic, diastolic)",
                     list(value_lists))
    exceptions = f.lists(data, "exceptions", f"{key}.exceptions")
    return Item(
        id=item_id, label=f.text(data, "label", f"{key}.label"), codes=codes,
        codelists=lists, source=f.text(data, "source", f"{key}.source"),
        interval_months=interval, season=season, overdue_after_months=grace,
        values=tuple(codelists.load(n).codes for n in value_lists),
        value_codelists=value_lists,
        targets=_targets(f, data.get("targets", []), f"{key}.targets", len(value_lists)),
        exception_codes=_union(exceptions) | f.codes(data, "exception_codes",
                                                     f"{key}.exception_codes"),
        exception_codelists=exceptions)


def _question(f: _File, data: object, key: str) -> Question:
    table = f.table(data, key)
    f.keys(table, QUESTION_KEYS, key)
    return Question(id=f.name(table, "id", f"{key}.id"),
                    text=f.text(table, "text", f"{key}.text"),
                    red_flag=f.flag(table, "red_flag", f"{key}.red_flag"),
                    source=f.text(table, "source", f"{key}.source"))


def _entries(f: _File, data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise f.fail(name, f"a list of tables ([[{name}]])", value)
    return [f.table(entry, f"{name}[{n}]") for n, entry in enumerate(value)]


def build(data: dict[str, Any], condition: str, where: str, files: tuple[str, ...]
          ) -> Protocol:
    """A checked :class:`Protocol` from the (merged) contents of a protocol file."""
    from ltc.records.registers import REGISTERS

    f = _File(where)
    f.keys(data, TOP_KEYS, "")
    if "condition" in data and data["condition"] != condition:
        raise f.fail("condition", f"{condition!r}, the file's name", data["condition"])
    register = data.get("register")
    if register not in REGISTERS:
        raise f.fail("register", "one of the registers " + ", ".join(REGISTERS), register)
    defaults = {"overdue_after_months": data.get("overdue_after_months", 3)}
    items: list[Item] = []
    for n, entry in enumerate(_entries(f, data, "items")):
        if entry.get("enabled", True) is False:
            continue
        if "enabled" in entry:
            f.flag(entry, "enabled", f"items[{n}].enabled")
        label = entry.get("id") if isinstance(entry.get("id"), str) else n
        item = _item(f, entry, f"items[{label}]", defaults)
        if any(i.id == item.id for i in items):
            raise f.fail(f"items[{n}].id", "an id used once in the file", item.id)
        items.append(item)
    if not items:
        raise f.fail("items", "at least one review item ([[items]])", show=False)
    questions = tuple(_question(f, q, f"questions[{n}]")
                      for n, q in enumerate(_entries(f, data, "questions")))
    if len({q.id for q in questions}) != len(questions):
        raise f.fail("questions", "each question id used once", show=False)
    sources = f.texts(data, "sources", "sources")
    if not sources:
        raise f.fail("sources", "a list of the guidance the protocol follows (e.g. "
                     "'QOF v46 business rules')", data.get("sources"))
    exceptions = f.lists(data, "exceptions", "exceptions")
    return Protocol(
        condition=condition, label=f.text(data, "label", "label"), register=register,
        version=f.text(data, "version", "version"), sources=sources, items=tuple(items),
        exception_codes=_union(exceptions) | f.codes(data, "exception_codes",
                                                     "exception_codes"),
        exception_codelists=exceptions,
        exception_months=f.whole({"m": data.get("exception_months", 12)}, "m",
                                 "exception_months", 1, 60, "months"),
        questions=questions, files=files)


def _read(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProtocolError(f"{where}: not valid TOML: {err}") from None


def merge(default: dict[str, Any], local: dict[str, Any], where: str) -> dict[str, Any]:
    """A default protocol's contents with a local file's changes (module docstring)."""
    f = _File(where)
    f.keys(local, TOP_KEYS, "")
    merged = {**default, **{k: v for k, v in local.items() if k != "items"}}
    items = [dict(i) for i in default.get("items", [])]
    for n, change in enumerate(_entries(f, local, "items")):
        item_id = f.name(change, "id", f"items[{n}].id")
        same = [i for i in items if i.get("id") == item_id]
        if same:
            same[0].update(change)
        else:
            items.append(dict(change))
    merged["items"] = items
    return merged


def _defaults() -> dict[str, str]:
    folder = resources.files(DEFAULTS_PACKAGE)
    return {entry.name[:-5]: entry.read_text(encoding="utf-8")
            for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".toml")}


def load(local_dir: Path | None = None) -> dict[str, Protocol]:
    """Every condition's protocol: the defaults, changed and added to by the ``*.toml``
    files of ``local_dir`` (module docstring). Keyed and ordered by condition."""
    texts = _defaults()
    local: dict[str, Path] = {}
    if local_dir is not None:
        folder = Path(local_dir)
        if not folder.is_dir():
            raise ProtocolError(f"{folder}: no such folder of local protocols")
        local = {p.stem: p for p in sorted(folder.glob("*.toml"))}
    protocols: dict[str, Protocol] = {}
    for condition in sorted(set(texts) | set(local)):
        if not _NAME.match(condition):
            raise ProtocolError(f"{local.get(condition, condition)}: the file name must be "
                                "the condition's name in lower-case letters, digits and _")
        files: tuple[str, ...] = ()
        data: dict[str, Any] = {}
        where = f"default protocol {condition}.toml"
        if condition in texts:
            data = _read(texts[condition], where)
            files = (f"default:{condition}.toml",)
        if condition in local:
            path = local[condition]
            where = str(path)
            changes = _read(path.read_text(encoding="utf-8"), where)
            data = merge(data, changes, where) if data else changes
            files = (*files, str(path))
        protocols[condition] = build(data, condition, where, files)
    registers = [p.register for p in protocols.values()]
    for p in protocols.values():
        if registers.count(p.register) > 1:
            others = [q.condition for q in protocols.values() if q.register == p.register]
            raise ProtocolError(f"{p.files[-1]}: register: expected a register no other "
                                f"protocol names; {p.register!r} is named by "
                                f"{', '.join(others)}")
    return protocols
