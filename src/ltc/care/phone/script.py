"""The scripted telephone check (DM-7), built for one person from their condition
protocols (DM-1): each protocol's questions (symptoms and red flags), the readings the
person takes at home that one of their protocols records (blood pressure), and what
every call asks (medicines taken, problems with them, what has changed). The parts every
call shares and the calls' interval are a configuration file: ``ltc/data/phone/
script.toml``, or a health community's ``<data dir>/phone/script.toml`` in its place;
a bad value raises :class:`ScriptError` naming the file, the key and what was expected.

A question's id in a script is ``<section>.<id>`` (the section is the condition, or
``medicines``, ``general`` or ``readings``), unique within the script.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ltc.protocols import Protocol

LOCAL = Path("phone") / "script.toml"
KINDS = ("yes_no", "text", "reading")
SECTIONS = {"medicines": "Medicines", "general": "Since the last call", "readings": "Readings"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ScriptError(ValueError):
    """A script file that cannot be used, naming the file and key."""


@dataclass(frozen=True)
class Question:
    id: str  # <section>.<id>
    section: str
    text: str
    kind: str  # yes_no, text, reading
    red_flag: bool
    source: str
    components: tuple[str, ...] = ()  # a reading's values
    unit: str = ""
    plausible: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Reading:
    item: str
    text: str
    components: tuple[str, ...]
    unit: str
    plausible: tuple[tuple[float, float], ...]
    source: str


@dataclass(frozen=True)
class Config:
    call_interval_months: int
    intervals: dict[str, int]
    questions: tuple[Question, ...]  # asked on every call
    readings: tuple[Reading, ...]
    where: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Script:
    sections: tuple[Section, ...]
    interval_months: int  # the next call's default, in months

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]


class _Checks:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, expected: str, got: object) -> ScriptError:
        return ScriptError(f"{self.where}: {key}: expected {expected}, got {got!r}")

    def text(self, data: dict[str, Any], name: str, key: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key}.{name}", "a non-empty text", value)
        return value.strip()

    def whole(self, value: object, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 24:
            raise self.fail(key, "a whole number of months from 1 to 24", value)
        return value


def _question(c: _Checks, data: object, key: str) -> Question:
    if not isinstance(data, dict):
        raise c.fail(key, "a table", data)
    allowed = {"id", "section", "text", "kind", "red_flag", "source"}
    for name in data:
        if name not in allowed:
            raise c.fail(f"{key}.{name}", f"one of the keys {', '.join(sorted(allowed))}",
                         name)
    ident = c.text(data, "id", key)
    if not _NAME.match(ident):
        raise c.fail(f"{key}.id", "a name of lower-case letters, digits and _", ident)
    section = data.get("section")
    if section not in ("medicines", "general"):
        raise c.fail(f"{key}.section", "medicines or general", section)
    kind = data.get("kind")
    if kind not in ("yes_no", "text"):
        raise c.fail(f"{key}.kind", "yes_no or text", kind)
    flag = data.get("red_flag", False)
    if not isinstance(flag, bool):
        raise c.fail(f"{key}.red_flag", "true or false", flag)
    return Question(f"{section}.{ident}", str(section), c.text(data, "text", key), str(kind),
                    flag, c.text(data, "source", key))


def _reading(c: _Checks, data: object, key: str) -> Reading:
    if not isinstance(data, dict):
        raise c.fail(key, "a table", data)
    components = data.get("components")
    if not isinstance(components, list) or not components or not all(
            isinstance(x, str) and x for x in components):
        raise c.fail(f"{key}.components", "a list of value names", components)
    plausible = data.get("plausible")
    if not isinstance(plausible, list) or len(plausible) != len(components) or not all(
            isinstance(p, list) and len(p) == 2 and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in p)
            and p[0] < p[1] for p in plausible):
        raise c.fail(f"{key}.plausible", f"{len(components)} pairs [lowest, highest]",
                     plausible)
    return Reading(c.text(data, "item", key), c.text(data, "text", key), tuple(components),
                   c.text(data, "unit", key),
                   tuple((float(lo), float(hi)) for lo, hi in plausible),
                   c.text(data, "source", key))


def load(data_dir: Path | None = None) -> Config:
    """The script's shared parts: ``<data_dir>/phone/script.toml`` when there is one,
    else the packaged default."""
    local = data_dir / LOCAL if data_dir is not None else None
    if local is not None and local.is_file():
        where, text = str(local), local.read_text(encoding="utf-8")
    else:
        where = "ltc/data/phone/script.toml"
        text = (resources.files("ltc") / "data" / "phone" / "script.toml").read_text(
            encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScriptError(f"{where}: not valid TOML: {e}") from None
    c = _Checks(where)
    intervals = data.get("intervals", {})
    if not isinstance(intervals, dict):
        raise c.fail("intervals", "a table of condition = months", intervals)
    questions = data.get("questions", [])
    readings = data.get("readings", [])
    if not isinstance(questions, list) or not isinstance(readings, list):
        raise c.fail("questions", "a list of [[questions]] and of [[readings]]",
                     type(questions).__name__)
    asked = tuple(_question(c, q, f"questions[{n}]") for n, q in enumerate(questions, 1))
    seen = [q.id for q in asked]
    if len(seen) != len(set(seen)):
        raise c.fail("questions", "each id once in its section", seen)
    return Config(c.whole(data.get("call_interval_months"), "call_interval_months"),
                  {str(k): c.whole(v, f"intervals.{k}") for k, v in intervals.items()},
                  asked, tuple(_reading(c, r, f"readings[{n}]")
                               for n, r in enumerate(readings, 1)), where)


def build(config: Config, protocols: Mapping[str, Protocol]) -> Script:
    """The script for a person whose conditions' protocols are ``protocols``."""
    sections = [Section(condition, p.label, tuple(
        Question(f"{condition}.{q.id}", condition, q.text, "yes_no", q.red_flag, q.source)
        for q in p.questions)) for condition, p in protocols.items() if p.questions]
    items = {i.id for p in protocols.values() for i in p.items}
    readings = tuple(Question(f"readings.{r.item}", "readings", r.text, "reading", False,
                              r.source, r.components, r.unit, r.plausible)
                     for r in config.readings if r.item in items)
    if readings:
        sections.append(Section("readings", SECTIONS["readings"], readings))
    for part in ("medicines", "general"):
        shared = tuple(q for q in config.questions if q.section == part)
        if shared:
            sections.append(Section(part, SECTIONS[part], shared))
    months = min((config.intervals.get(c, config.call_interval_months) for c in protocols),
                 default=config.call_interval_months)
    return Script(tuple(sections), months)
