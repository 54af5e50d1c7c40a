"""Does case management make a difference? Emergency admissions of people taken onto a
caseload, before and after, against a matched comparison group, by difference in
differences (COM-5).

People picked out for case management are picked *because* they were admitted a lot
lately, and their admissions fall afterwards whether or not anything is done: regression
to the mean, the known trap of case-management evaluation (the Evercare evaluation found
no fall in admissions against a comparison group; Gravelle H et al., *BMJ* 2007;334:31).
So the fall of the case-managed is set against the fall of similar people who were not.

- **Comparison group**: people of the same stratification run, matched on the run's risk
  score within the same level (a prognostic score match): the case-managed are taken in
  order of score, highest first (NHS number breaking ties), and each takes the nearest
  unmatched person of the same level who was not case-managed, without replacement,
  provided the scores differ by no more than the **caliper** (default 0.2 standard
  deviations of the score over everyone offered for matching: Austin PC, Optimal caliper
  widths for propensity-score matching, *Pharmaceutical Statistics* 2011;10:150-161).
  Equal distances go to the lower NHS number, so a match is the same every time. A
  case-managed person with no one inside the caliper is left out and counted
  (``unmatched``).
- **Index date**: the day the person was taken onto the caseload; their match takes the
  same index date.
- **Before and after**: emergency admissions (:data:`ltc.codes.nhs_dd.EMERGENCY_ADMISSION_METHODS`)
  admitted in the 12 calendar months before the index date (from the same day 12 months
  earlier to the day before) and in the 12 after (from the day after to the same day 12
  months later; :func:`ltc.windows.months_before` clamps month ends). An admission on the
  index date itself is in neither: it is often why the person was taken on. Or their
  emergency **bed days**: the nights of emergency spells falling in each window (split as
  :mod:`ltc.analytics.beddays` splits them; a spell still open counts to the end of the
  after window).
- **Difference in differences (DiD)**: the mean change (after less before) of the
  case-managed less the mean change of their matches, i.e. the mean over pairs of the
  pair's difference in change. Negative: fewer admissions than the comparison suggests.
- **Its 95% confidence interval**: DiD +/- 1.96 standard errors, the standard error being
  the standard deviation of the pair differences over the square root of the number of
  pairs (the standard error of the DiD coefficient in a regression of change on treatment
  with a term for each pair), by the normal approximation, which wants enough pairs: with
  fewer than 30 (a common rule of thumb) no interval is given.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ltc.codes.nhs_dd import EMERGENCY_ADMISSION_METHODS
from ltc.windows import months_before

#: Caliper as a multiple of the standard deviation of the score (Austin 2011).
CALIPER_SDS = 0.2
#: Months before and after the index date compared.
MONTHS = 12
#: Fewest pairs for an interval by the normal approximation.
MIN_PAIRS_FOR_INTERVAL = 30
Z95 = 1.959964


@dataclass(frozen=True)
class Candidate:
    """A person of one stratification run: their score and level, and when they were taken
    onto a caseload (None: not case-managed, so available as a comparison)."""

    nhs_number: str
    score: float
    level: str
    taken_on: date | None = None


@dataclass(frozen=True)
class Pair:
    treated: str
    comparison: str
    index_date: date
    distance: float  # difference in score


@dataclass(frozen=True)
class Matching:
    pairs: tuple[Pair, ...]
    unmatched: int  # case-managed people with no comparison inside the caliper
    caliper: float


def match(candidates: Sequence[Candidate], caliper: float | None = None) -> Matching:
    """Nearest-neighbour matching on the score within level, without replacement."""
    if caliper is None:
        scores = [c.score for c in candidates]
        caliper = CALIPER_SDS * statistics.pstdev(scores) if len(scores) > 1 else 0.0
    if caliper < 0:
        raise ValueError(f"caliper: {caliper}; expected a score difference of 0 or more")
    pool: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.taken_on is None:
            pool[c.level].append(c)
    treated = sorted(((c, c.taken_on) for c in candidates if c.taken_on is not None),
                     key=lambda ct: (-ct[0].score, ct[0].nhs_number))
    pairs, unmatched = [], 0
    for person, taken_on in treated:
        options = [c for c in pool[person.level] if abs(c.score - person.score) <= caliper]
        if not options:
            unmatched += 1
            continue
        best = min(options, key=lambda c: (abs(c.score - person.score), c.nhs_number))
        pool[person.level].remove(best)
        pairs.append(Pair(person.nhs_number, best.nhs_number, taken_on,
                          abs(best.score - person.score)))
    return Matching(tuple(pairs), unmatched, caliper)


def windows(index_date: date) -> tuple[date, date, date, date]:
    """First and last day of the before window, then of the after window."""
    return (months_before(index_date, MONTHS), index_date - timedelta(days=1),
            index_date + timedelta(days=1), months_before(index_date, -MONTHS))


def _spells_around(con: ibis.BaseBackend, keys: list[tuple[str, date]]) -> ir.Table:
    """Each (person, index date) with its windows (``b_from`` to ``b_end`` and ``a_from``
    to ``a_end``, the ends the day after the last day) and its emergency spells (none:
    one row with no spell)."""
    edges = [windows(day) for _, day in keys]
    one_day = timedelta(days=1)
    table = ibis.memtable(pa.table({
        "who": pa.array([k[0] for k in keys], pa.string()),
        "index_date": pa.array([k[1] for k in keys], pa.date32()),
        "b_from": pa.array([e[0] for e in edges], pa.date32()),
        "b_end": pa.array([e[1] + one_day for e in edges], pa.date32()),
        "a_from": pa.array([e[2] for e in edges], pa.date32()),
        "a_end": pa.array([e[3] + one_day for e in edges], pa.date32())}))
    s = con.table("inpatient_spell")
    s = s.filter(s.admission_method.isin(sorted(EMERGENCY_ADMISSION_METHODS)))
    return table.left_join(s, table.who == s.nhs_number)


def _counted(table: ir.Table, before: ir.IntegerValue, after: ir.IntegerValue
             ) -> dict[tuple[str, date], tuple[int, int]]:
    counts = table.group_by("who", "index_date").aggregate(
        before=before.fill_null(0).sum(), after=after.fill_null(0).sum())
    rows = counts.to_pyarrow().to_pylist()
    return {(r["who"], r["index_date"]): (int(r["before"]), int(r["after"])) for r in rows}


def admissions_around(con: ibis.BaseBackend, people: Iterable[tuple[str, date]]
                      ) -> dict[tuple[str, date], tuple[int, int]]:
    """Emergency admissions of each (NHS number, index date) in the 12 months before and
    after the index date, as one query on DuckDB or Spark."""
    keys = sorted(set(people))
    if not keys:
        return {}
    t = _spells_around(con, keys)
    day = t.admission_date
    return _counted(t, ((day >= t.b_from) & (day < t.b_end)).ifelse(1, 0),
                    ((day >= t.a_from) & (day < t.a_end)).ifelse(1, 0))


def bed_days_around(con: ibis.BaseBackend, people: Iterable[tuple[str, date]]
                    ) -> dict[tuple[str, date], tuple[int, int]]:
    """Emergency bed days of each (NHS number, index date) in the 12 months before and
    after the index date: the nights of emergency spells falling in each window (a spell
    still open counts to the end of the after window)."""
    keys = sorted(set(people))
    if not keys:
        return {}
    t = _spells_around(con, keys)
    discharged = t.discharge_date.fill_null(t.a_end)

    def nights(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
        inside = (ibis.least(discharged, end) - ibis.greatest(t.admission_date, start))
        return ibis.greatest(inside.cast("int64"), 0)

    return _counted(t, nights(t.b_from, t.b_end), nights(t.a_from, t.a_end))


#: What the DiD can be taken of: each a count per person before and after.
OUTCOMES = {"admissions": admissions_around, "bed_days": bed_days_around}


@dataclass(frozen=True)
class Evaluation:
    """Mean emergency admissions per person before and after, and the DiD."""

    pairs: int
    unmatched: int
    treated_before: float
    treated_after: float
    comparison_before: float
    comparison_after: float
    did: float
    lower: float | None  # 95% interval; None with fewer than 30 pairs
    upper: float | None


def difference_in_differences(
        pairs: Sequence[Pair],
        outcomes: Mapping[tuple[str, date], tuple[int, int]],
        unmatched: int = 0) -> Evaluation:
    """The DiD over matched ``pairs`` given each person's (before, after) admissions."""
    if not pairs:
        raise ValueError("pairs: none; expected at least one case-managed person with a "
                         "match (widen the caliper or check the run's levels)")
    missing = [p for p in pairs for who in (p.treated, p.comparison)
               if (who, p.index_date) not in outcomes]
    if missing:
        raise ValueError(f"outcomes: {len(missing)} matched person(s) have no before and "
                         "after counts; expected one for each person of each pair")
    t = [outcomes[(p.treated, p.index_date)] for p in pairs]
    c = [outcomes[(p.comparison, p.index_date)] for p in pairs]
    differences = [(ta - tb) - (ca - cb) for (tb, ta), (cb, ca) in zip(t, c, strict=True)]
    n = len(pairs)
    did = sum(differences) / n
    lower = upper = None
    if n >= MIN_PAIRS_FOR_INTERVAL:
        error = statistics.stdev(differences) / math.sqrt(n)
        lower, upper = did - Z95 * error, did + Z95 * error
    return Evaluation(n, unmatched, sum(b for b, _ in t) / n, sum(a for _, a in t) / n,
                      sum(b for b, _ in c) / n, sum(a for _, a in c) / n, did, lower, upper)


def evaluate(con: ibis.BaseBackend, candidates: Sequence[Candidate],
             caliper: float | None = None, outcome: str = "admissions") -> Evaluation:
    """Match, count the ``outcome`` (emergency ``admissions`` or ``bed_days``) around each
    index date, and take the DiD."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome: {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    matching = match(candidates, caliper)
    people = [(who, p.index_date) for p in matching.pairs for who in (p.treated, p.comparison)]
    return difference_in_differences(matching.pairs, OUTCOMES[outcome](con, people),
                                     matching.unmatched)
