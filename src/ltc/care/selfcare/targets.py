"""What can be self-monitored and the targets a reading is judged against (SC-2).

The measures (blood pressure, capillary glucose, INR, peak flow, weight) and the targets
are configuration: ``ltc/data/selfcare/targets.toml`` (every target with its source), or a
health community's own file. A reading's target is the person's own one when a clinician
has set it (:class:`~ltc.care.selfcare.models.PersonalTarget`), else the first target of
the file that applies to the person (their disease registers and age on the day) and the
reading (where and when it was taken). :func:`judge` says whether the reading is in
range and in which way it is not, in words a clinician and the person can read.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ltc.care.selfcare.config import ConfigError, Entry, source_text, toml
from ltc.records.registers import REGISTERS

#: where a reading can be taken
PLACES = {"home": "At home", "pharmacy": "At a pharmacy", "practice": "At the practice"}
#: who took or reported it
REPORTERS = {"person": "The person", "carer": "A carer or family member",
             "pharmacist": "A pharmacist", "clinician": "A clinician"}

MEASURE_KEYS = {"label", "unit", "components", "plausible", "decimals", "timings"}
TARGET_KEYS = {"measure", "conditions", "places", "timings", "min_age", "max_age",
               "at_least", "at_most", "below", "of_best", "rise_at_most", "rise_days",
               "source"}
LIMITS = ("at_least", "at_most", "below", "of_best", "rise_at_most")

Numbers = tuple[float | None, ...]


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    unit: str
    components: tuple[str, ...]
    plausible: tuple[tuple[float, float], ...]
    decimals: int
    timings: dict[str, str] = field(default_factory=dict)

    def number(self, value: float) -> str:
        return f"{value:.{self.decimals}f}"

    def show(self, values: Numbers | list[float]) -> str:
        """``140/90 mmHg``, ``6.2 mmol/L``, ``2.4``."""
        text = "/".join(self.number(v) if v is not None else "–" for v in values)
        return f"{text} {self.unit}".strip()


@dataclass(frozen=True)
class Target:
    """Limits per component; ``None`` where a component has no such limit."""

    measure: str
    source: str
    at_least: Numbers = ()
    at_most: Numbers = ()
    below: Numbers = ()
    of_best: Numbers = ()
    rise_at_most: Numbers = ()
    rise_days: int | None = None
    conditions: frozenset[str] | None = None
    places: frozenset[str] | None = None
    timings: frozenset[str] | None = None
    min_age: int | None = None
    max_age: int | None = None
    personal: bool = False

    def applies(self, who: Who, place: str, timing: str | None) -> bool:
        if self.conditions is not None and not (self.conditions & who.registers):
            return False
        if self.places is not None and place not in self.places:
            return False
        if self.timings is not None and timing not in self.timings:
            return False
        if self.min_age is not None or self.max_age is not None:
            if who.age is None:
                return False
            if self.min_age is not None and who.age < self.min_age:
                return False
            if self.max_age is not None and who.age > self.max_age:
                return False
        return True


@dataclass(frozen=True)
class Who:
    """What of the person decides their target: disease registers and age on the day."""

    registers: frozenset[str]
    age: int | None


@dataclass(frozen=True)
class History:
    """What a target needs of the person's earlier readings of the measure: the highest
    value of each component before this reading, and the lowest in the days a rise is
    measured over (None: no such reading)."""

    best: Numbers = ()
    lowest_recent: Numbers = ()


@dataclass(frozen=True)
class Targets:
    measures: dict[str, Measure]
    targets: tuple[Target, ...]
    where: str  # the file they were read from
    #: the condition protocols' targets (``ltc.care.selfcare.protocol_targets``)
    protocol: tuple[Target, ...] = ()

    def measure(self, measure_id: str) -> Measure:
        return self.measures[measure_id]

    def for_reading(self, measure: str, who: Who, place: str, timing: str | None,
                    personal: Target | None = None) -> Target | None:
        """The person's own target; else the strictest of their protocols' targets that
        apply; else the first of the file that applies."""
        if personal is not None:
            return personal
        found = [t for t in self.protocol
                 if t.measure == measure and t.applies(who, place, timing)]
        if found:
            return strictest(found)
        return next((t for t in self.targets
                     if t.measure == measure and t.applies(who, place, timing)), None)


def strictest(found: Sequence[Target]) -> Target:
    """One target with the lowest upper limit of each component of ``found`` (targets of
    one measure with upper limits only), naming every source."""
    if len(found) == 1:
        return found[0]
    limits = []
    for i in range(len(found[0].at_most)):
        given = [v for t in found if (v := _at(t.at_most, i)) is not None]
        limits.append(min(given) if given else None)
    return Target(measure=found[0].measure, at_most=tuple(limits),
                  source="; ".join(dict.fromkeys(t.source for t in found)))


@dataclass(frozen=True)
class Judgement:
    in_range: bool | None  # None: no target, or nothing to judge it by yet
    target: str  # the target in words ("" when none)
    source: str
    verdict: str  # how the reading stands against it, in words
    limits: list[list[float | None]]  # per component [lowest, highest] in range


def age_on(born: date | None, day: date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _at(values: Numbers, i: int) -> float | None:
    return values[i] if i < len(values) else None


def _words(m: Measure, t: Target, history: History) -> str:
    n = len(m.components)

    def joined(values: Numbers) -> str | None:
        if not values or any(v is None for v in values):
            return None
        return m.show(values)

    parts = []
    low, high = joined(t.at_least), joined(t.at_most)
    if low and high:
        parts.append(f"{low.removesuffix(m.unit).strip()} to {high}")
    elif high:
        parts.append(f"{high} or less")
    elif low:
        parts.append(f"{low} or more")
    if below := joined(t.below):
        parts.append(f"below {below}")
    for i in range(n):
        share = _at(t.of_best, i)
        if share is not None:
            best = _at(history.best, i)
            parts.append(f"at least {share:.0%} of the best reading" + (
                f" ({m.show([best])}): {m.show([share * best])} or more" if best is not None
                else " (no reading yet to know the best)"))
        rise = _at(t.rise_at_most, i)
        if rise is not None:
            parts.append(f"no rise of more than {m.number(rise)} {m.unit} in "
                         f"{t.rise_days} days".replace("  ", " "))
    return "; ".join(parts)


def judge(m: Measure, target: Target | None, values: Sequence[float],
          history: History = History()) -> Judgement:
    """Whether ``values`` are in range of ``target`` (all components must be)."""
    n = len(m.components)
    if target is None:
        return Judgement(None, "", "", "No target for this reading", [[None, None]] * n)
    problems: list[str] = []
    limits: list[list[float | None]] = []
    unknown = False
    for i, value in enumerate(values):
        name = m.components[i] if n > 1 else ""
        lows = [v for v in (_at(target.at_least, i),) if v is not None]
        highs = [v for v in (_at(target.at_most, i), _at(target.below, i)) if v is not None]
        share = _at(target.of_best, i)
        if share is not None:
            best = _at(history.best, i)
            if best is None:
                unknown = True
            else:
                lows.append(share * best)
        rise = _at(target.rise_at_most, i)
        if rise is not None:
            lowest = _at(history.lowest_recent, i)
            if lowest is None:
                unknown = True
            else:
                highs.append(lowest + rise)
                if value > lowest + rise:
                    problems.append(f"{name} rose by {m.show([value - lowest])} in "
                                    f"{target.rise_days} days".strip())
        low, high = (max(lows) if lows else None), (min(highs) if highs else None)
        limits.append([low, high])
        if low is not None and value < low:
            problems.append(f"{name} {m.show([value])} is below {m.show([low])}".strip())
        upper = _at(target.at_most, i)
        if upper is not None and value > upper:
            problems.append(f"{name} {m.show([value])} is above {m.show([upper])}".strip())
        strict = _at(target.below, i)
        if strict is not None and value >= strict:
            problems.append(f"{name} {m.show([value])} is not below {m.show([strict])}"
                            .strip())
    words = _words(m, target, history)
    if problems:
        verdict = "Out of range: " + "; ".join(problems)
        return Judgement(False, words, target.source, verdict, limits)
    if unknown:
        return Judgement(None, words, target.source,
                         "Not judged: no earlier reading to compare it with", limits)
    return Judgement(True, words, target.source, "In range", limits)


# -- reading the file ------------------------------------------------------------------
def _measure(where: str, key: str, data: object) -> Measure:
    e = Entry(where, f"measures.{key}", data, MEASURE_KEYS)
    components = e.data.get("components")
    if not isinstance(components, list) or not components or not all(
            isinstance(c, str) and c.strip() for c in components):
        raise e.fail("components", "a list of component names", components)
    plausible = e.data.get("plausible")
    if not isinstance(plausible, list) or len(plausible) != len(components) or not all(
            isinstance(p, list) and len(p) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
            and p[0] < p[1] for p in plausible):
        raise e.fail("plausible", "one [lowest, highest] pair per component", plausible)
    timings = e.data.get("timings", {})
    if not isinstance(timings, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in timings.items()):
        raise e.fail("timings", "a table of timing = label", timings)
    unit = e.data.get("unit")
    if not isinstance(unit, str):
        raise e.fail("unit", "a text (empty for none)", unit)
    decimals = e.whole("decimals", low=0)
    assert decimals is not None
    return Measure(key, e.text("label"), unit.strip(), tuple(c.strip() for c in components),
                   tuple((float(a), float(b)) for a, b in plausible), decimals,
                   dict(timings))


def _target(where: str, i: int, data: object, measures: dict[str, Measure]) -> Target:
    e = Entry(where, f"targets[{i}]", data, TARGET_KEYS)
    measure = e.name("measure")
    if measure not in measures:
        raise e.fail("measure", f"one of the measures {', '.join(measures)}", measure)
    m = measures[measure]
    n = len(m.components)
    limits = {k: e.numbers(k, n) or () for k in LIMITS}
    if not any(limits.values()):
        raise ConfigError(f"{where}: targets[{i}]: expected at least one of "
                          f"{', '.join(LIMITS)}")
    rise_days = e.whole("rise_days", low=1, required=bool(limits["rise_at_most"]))
    timings = e.names("timings", set(m.timings))
    return Target(measure=measure, source=e.text("source"),
                  conditions=e.names("conditions", set(REGISTERS)),
                  places=e.names("places", set(PLACES)), timings=timings,
                  min_age=e.whole("min_age", low=0, required=False),
                  max_age=e.whole("max_age", low=0, required=False),
                  rise_days=rise_days, at_least=limits["at_least"],
                  at_most=limits["at_most"], below=limits["below"], of_best=limits["of_best"],
                  rise_at_most=limits["rise_at_most"])


def parse(text: str, where: str) -> Targets:
    data = toml(text, where)
    for key in data:
        if key not in ("measures", "targets"):
            raise ConfigError(f"{where}: {key}: not a section; expected [measures.<id>] and "
                              "[[targets]]")
    raw = data.get("measures")
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{where}: measures: expected at least one [measures.<id>] table")
    measures = {k: _measure(where, k, v) for k, v in raw.items()}
    listed = data.get("targets", [])
    if not isinstance(listed, list):
        raise ConfigError(f"{where}: targets: expected [[targets]] tables")
    return Targets(measures, tuple(_target(where, i + 1, t, measures)
                                   for i, t in enumerate(listed)), where)


@functools.cache
def _packaged() -> Targets:
    return parse(*source_text("selfcare", "targets.toml"))


def load(path: Path | None = None) -> Targets:
    """The targets of ``path``, else the packaged ones."""
    return parse(*source_text("selfcare", "targets.toml", path)) if path else _packaged()
