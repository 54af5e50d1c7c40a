"""Drawing synthetic events for a chunk of people, and the Arrow columns they fill (POP-2).

Holds :class:`Chunk` (which people), :class:`Draw` (Poisson events per person and year,
bound to one generator, community and latent health) and the column helpers shared by
:mod:`ltc.synth.activity` and :mod:`ltc.synth.clinical` (dates, NHS numbers, text, the
order of rows by person and day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ltc.synth.health import YEARS, Health
from ltc.synth.population import Community

# simulation arrays mix integer, float and boolean rates freely: typed loosely
IntArray = npt.NDArray[Any]
FloatArray = npt.NDArray[Any]
BoolArray = npt.NDArray[Any]


@dataclass
class Chunk:
    """People ``lo`` to ``hi`` (exclusive) of the community."""

    lo: int
    hi: int

    def idx(self) -> IntArray:
        return np.arange(self.lo, self.hi, dtype=np.int64)


class Draw:
    """Event drawing helpers bound to one generator, community and health."""

    def __init__(self, rng: np.random.Generator, community: Community, health: Health,
                 chunk: Chunk) -> None:
        self.rng = rng
        self.c = community
        self.h = health
        self.chunk = chunk
        self.people = chunk.idx()

    def yearly(self, rate: Callable[[int], FloatArray]) -> tuple[IntArray, IntArray]:
        """Poisson events per person per year, uniform in the year, none outside life.

        ``rate(y)`` gives the per-person rate for history year ``y`` (chunk-sized).
        Returns (person index, day).
        """
        persons, days = [], []
        for y in range(YEARS):
            lam = rate(y)
            counts = self.rng.poisson(lam)
            who = np.repeat(self.people, counts)
            start, end = self.h.year_start[y], self.h.year_start[y + 1]
            day = start + (self.rng.random(len(who)) * (end - start)).astype(np.int64)
            keep = (day < self.h.death_day[who]) & (day >= self.c.dob_days[who])
            persons.append(who[keep])
            days.append(day[keep])
        return np.concatenate(persons), np.concatenate(days)

    def pick(self, options: tuple[str, ...], n: int, p: list[float] | None = None
             ) -> npt.NDArray[np.object_]:
        return np.asarray(options, dtype=object)[self.rng.choice(len(options), n, p=p)]

    # per-person arrays restricted to the chunk
    def age(self, y: int) -> IntArray:
        age: IntArray = self.c.age[self.people] - (YEARS - 1 - y)
        return age

    def z(self, y: int) -> FloatArray:
        z: FloatArray = self.h.z[self.people, y]
        return z

    def n_ltc(self, y: int) -> FloatArray:
        count: FloatArray = self.h.n_ltc[self.people, y].astype(np.float64)
        return count


def dates(days: IntArray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())


def nullable_dates(days: IntArray, missing: BoolArray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32(), mask=missing).cast(pa.date32())


def text(values: npt.NDArray[Any]) -> pa.Array:
    """Numpy values as an Arrow string column (numbers converted in Arrow, which is fast)."""
    if values.dtype == object:
        return pa.array(values, pa.string())
    return pa.array(values).cast(pa.string())


def nhs(c: Community, who: IntArray) -> pa.Array:
    return text(c.nhs_number[who])


def ordered(who: IntArray, day: IntArray) -> IntArray:
    order: IntArray = np.lexsort((day, who))
    return order
