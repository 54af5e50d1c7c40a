"""What a person can be referred or signposted to (SC-1, SC-5): the self-care programmes
(``ltc/data/selfcare/programmes.toml``) and the directory of community and voluntary
resources (``ltc/data/directory/default.csv``), or a health community's own files, read
and checked here; searching the directory by need and place.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ltc.care.selfcare.config import NAME, ConfigError, Entry, source_text, toml
from ltc.records.registers import REGISTERS

#: a programme's ``conditions`` value meaning every long term condition
ANY = "any"
PROGRAMME_KEYS = {"id", "name", "conditions", "sessions", "description", "source"}
COLUMNS = ("id", "name", "needs", "localities", "contact", "opening", "description")
#: a directory row's ``localities`` value meaning everywhere
EVERYWHERE = "*"


@dataclass(frozen=True)
class Programme:
    id: str
    name: str
    conditions: frozenset[str]  # register ids, or {ANY}
    sessions: int
    description: str
    source: str

    def serves(self, registers: frozenset[str]) -> bool:
        return ANY in self.conditions or bool(self.conditions & registers)

    @property
    def for_whom(self) -> str:
        if ANY in self.conditions:
            return "Any long term condition"
        return ", ".join(REGISTERS[c].name for c in sorted(self.conditions))


def parse_programmes(text: str, where: str) -> dict[str, Programme]:
    data = toml(text, where)
    for key in data:
        if key != "programmes":
            raise ConfigError(f"{where}: {key}: not a setting; expected [[programmes]]")
    listed = data.get("programmes")
    if not isinstance(listed, list) or not listed:
        raise ConfigError(f"{where}: programmes: expected one or more [[programmes]]")
    out: dict[str, Programme] = {}
    for i, item in enumerate(listed, start=1):
        e = Entry(where, f"programmes[{i}]", item, PROGRAMME_KEYS)
        ident = e.name("id")
        if ident in out:
            raise e.fail("id", "an id not used by an earlier programme", ident)
        conditions = e.names("conditions", set(REGISTERS) | {ANY})
        if conditions is None:
            raise e.fail("conditions", f"a list of register ids (or [\"{ANY}\"])", None)
        sessions = e.whole("sessions", low=1)
        assert sessions is not None
        out[ident] = Programme(ident, e.text("name"), conditions, sessions,
                               e.text("description"), e.text("source"))
    return out


@dataclass(frozen=True)
class Resource:
    id: str
    name: str
    needs: tuple[str, ...]
    localities: tuple[str, ...]  # (EVERYWHERE,) for everywhere
    contact: str
    opening: str
    description: str

    @property
    def everywhere(self) -> bool:
        return EVERYWHERE in self.localities


@dataclass(frozen=True)
class Directory:
    resources: tuple[Resource, ...]
    where: str

    @functools.cached_property
    def by_id(self) -> dict[str, Resource]:
        return {r.id: r for r in self.resources}

    @functools.cached_property
    def needs(self) -> tuple[str, ...]:
        """Every need some resource meets, in order."""
        return tuple(sorted({n for r in self.resources for n in r.needs}))

    @functools.cached_property
    def places(self) -> tuple[str, ...]:
        """Every locality some resource names, in order."""
        return tuple(sorted({p for r in self.resources for p in r.localities
                             if p != EVERYWHERE}))

    def search(self, need: str = "", place: str = "", words: str = "") -> list[Resource]:
        """Resources meeting ``need`` (a tag; "" for any) in ``place`` (a locality; those
        serving everywhere too; "" for any) whose name or description holds every one of
        ``words``: those of the place itself first, then by name."""
        terms = words.lower().split()
        found = [r for r in self.resources
                 if (not need or need in r.needs)
                 and (not place or place in r.localities or r.everywhere)
                 and all(t in f"{r.name} {r.description} {' '.join(r.needs)}".lower()
                         for t in terms)]
        return sorted(found, key=lambda r: (not (place and place in r.localities),
                                            r.name.lower()))


#: a locality code (the record plane's, e.g. LOC01)
LOCALITY = re.compile(r"^[A-Za-z0-9_]+$")


def _tags(value: str, where: str, line: int, column: str) -> tuple[str, ...]:
    """The ``;``-separated values of a cell: needs are names; localities are locality
    codes or ``*``."""
    tags = tuple(t.strip() for t in value.split(";") if t.strip())
    for tag in tags:
        if column == "needs" and not NAME.match(tag):
            raise ConfigError(f"{where}, line {line}, column needs: {tag!r} is not a need; "
                              "expected lower-case letters, digits and _ (e.g. carers), "
                              "separated by ;")
        if column == "localities" and not (tag == EVERYWHERE or LOCALITY.match(tag)):
            raise ConfigError(f"{where}, line {line}, column localities: {tag!r} is not a "
                              "locality code; expected letters, digits and _ (e.g. LOC01), "
                              "separated by ;, or * for everywhere")
    if not tags:
        raise ConfigError(f"{where}, line {line}, column {column}: empty; expected one or "
                          "more values separated by ;")
    return tags


def parse_directory(text: str, where: str) -> Directory:
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ConfigError(f"{where}, line 1: the header lacks {', '.join(missing)}; "
                          f"expected the columns {', '.join(COLUMNS)}")
    resources: list[Resource] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if None in row:
            raise ConfigError(f"{where}, line {line}: more values than columns (put a "
                              "value holding a comma in double quotes)")
        values = {c: (row.get(c) or "").strip() for c in COLUMNS}
        for column in ("id", "name", "contact"):
            if not values[column]:
                raise ConfigError(f"{where}, line {line}, column {column}: empty; expected "
                                  "a value")
        if not NAME.match(values["id"]):
            raise ConfigError(f"{where}, line {line}, column id: {values['id']!r} is not "
                              "an id; expected lower-case letters, digits and _")
        if values["id"] in seen:
            raise ConfigError(f"{where}, line {line}, column id: {values['id']!r} is used "
                              "by an earlier row; expected a new id")
        seen.add(values["id"])
        resources.append(Resource(
            values["id"], values["name"], _tags(values["needs"], where, line, "needs"),
            _tags(values["localities"], where, line, "localities"),
            values["contact"], values["opening"], values["description"]))
    if not resources:
        raise ConfigError(f"{where}: no resources; expected one row per resource after the "
                          "header")
    return Directory(tuple(resources), where)


@functools.cache
def _packaged_programmes() -> dict[str, Programme]:
    return parse_programmes(*source_text("selfcare", "programmes.toml"))


@functools.cache
def _packaged_directory() -> Directory:
    return parse_directory(*source_text("directory", "default.csv"))


def programmes(path: Path | None = None) -> dict[str, Programme]:
    """The programmes of ``path``, else the packaged ones."""
    if path is None:
        return _packaged_programmes()
    return parse_programmes(*source_text("selfcare", "programmes.toml", path))


def directory(path: Path | None = None) -> Directory:
    """The directory of ``path``, else the packaged one."""
    if path is None:
        return _packaged_directory()
    return parse_directory(*source_text("directory", "default.csv", path))
