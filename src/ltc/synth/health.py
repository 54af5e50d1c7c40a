"""Latent health of each synthetic person, year by year: the risk that drives outcomes.

Each person has a persistent ill-health factor (``frailty``) and a yearly acute risk
``z`` that follows an AR(1) process (correlation ``RHO`` from one year to the next).
Deaths, conditions and every kind of service use are drawn from these, so history
predicts the future about as well as it does in real populations. The emergency
admission rate of person *i* in year *y* is ``exp(alpha + risk[i, y])``; the true
probability of at least one emergency admission in the 12 months from the start of
year *y* is therefore ``1 - exp(-rate)``: the oracle written to the ground-truth file, that
the predictive model (STRAT-3) is judged against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from ltc.synth.conditions import assign
from ltc.synth.population import Community

RHO = 0.9
#: Weight of the yearly acute risk z in the log emergency admission rate.
Z_WEIGHT = 1.0
YEARS = 3
#: Emergency admissions per person-year in England: about 110 per 1,000 (2024,
#: NHS England monthly activity; see the project's reference data).
EMERGENCY_RATE = 0.11
#: Crude death rate per year (England, about 9 per 1,000).
DEATH_RATE = 0.009

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

HEAVY = {"heart_failure": 0.5, "copd": 0.5, "dementia": 0.35, "palliative_care": 0.9,
         "ckd": 0.2, "af": 0.15, "cancer": 0.3, "diabetes": 0.15}


@dataclass
class Health:
    frailty: FloatArray
    z: FloatArray  # (people, YEARS)
    year_start: IntArray  # day number of the start of each year, length YEARS + 1
    death_day: IntArray  # day of death, or a large number
    death_prob: FloatArray  # (people, YEARS): chance of dying in each year (uniformly in it)
    conditions: dict[str, BoolArray]
    onset: dict[str, IntArray]  # onset day per person (meaningful where the condition is)
    n_ltc: IntArray  # (people, YEARS): conditions begun before the start of each year
    risk: FloatArray  # (people, YEARS)
    alpha: float
    percentile: FloatArray  # (people, YEARS): rank of risk in the community, 0 to 1

    @property
    def emergency_rate(self) -> FloatArray:
        rate: FloatArray = np.exp(self.alpha + self.risk)
        return rate

    def admission_probability(self, year: int) -> FloatArray:
        """True P(at least one emergency admission in history year ``year``), as known at
        the start of that year (``year`` >= 1).

        At the start of the year the person's state is known (age, conditions, the
        previous year's acute risk z); this year's z is not: it is
        ``RHO * z_prev + sqrt(1 - RHO^2) * e`` with e standard normal, integrated out
        here by Gauss-Hermite quadrature. Given z, admissions are Poisson with rate r over
        the year and death comes with probability q, on a day uniform in the year, ending
        the chance of admission: P(none | z) = (1 - q) e^-r + q (1 - e^-r) / r.
        """
        if year < 1:
            raise ValueError("the probability is defined from the second history year")
        known = self.alpha + self.risk[:, year] - Z_WEIGHT * self.z[:, year]
        mean_z = RHO * self.z[:, year - 1]
        nodes, weights = np.polynomial.hermite_e.hermegauss(24)
        weights = weights / weights.sum()
        q = self.death_prob[:, year]
        none = np.zeros(len(known))
        for node, weight in zip(nodes, weights, strict=True):
            z = mean_z + np.sqrt(1 - RHO**2) * node
            r = np.exp(known + Z_WEIGHT * z)
            none += weight * ((1 - q) * np.exp(-r) + q * (-np.expm1(-r)) / r)
        p: FloatArray = 1 - none
        return p


NEVER = 10**6


def _day(d: np.datetime64) -> int:
    return int((d - np.datetime64("1970-01-01", "D")).astype(np.int64))


def year_starts(community: Community) -> IntArray:
    """Day numbers of the start of each history year and of the day after the history."""
    after = community.end + timedelta(days=1)
    days = []
    for k in range(YEARS, -1, -1):
        try:
            start = after.replace(year=after.year - k)
        except ValueError:  # 29 February
            start = after.replace(year=after.year - k, day=28)
        days.append((start - date(1970, 1, 1)).days)
    return np.array(days, dtype=np.int64)


def build(rng: np.random.Generator, community: Community) -> Health:
    n = community.size
    starts = year_starts(community)
    frailty = rng.standard_normal(n)
    z = np.empty((n, YEARS))
    previous = 0.6 * frailty + 0.8 * rng.standard_normal(n)
    for y in range(YEARS):
        previous = RHO * previous + np.sqrt(1 - RHO**2) * rng.standard_normal(n)
        z[:, y] = previous

    # deaths: Gompertz in age, raised by ill health; calibrated to the crude rate
    death_day = np.full(n, NEVER, dtype=np.int64)
    death_prob = np.zeros((n, YEARS))
    for y in range(YEARS):
        age = community.age - (YEARS - 1 - y)
        log_h = 0.095 * (age - 60) + 0.4 * frailty + 0.5 * z[:, y] + 0.1 * community.deprivation
        h = np.exp(log_h)
        h *= DEATH_RATE / h.mean()
        alive = (death_day == NEVER) & (community.dob_days < starts[y + 1] - 1)
        death_prob[:, y] = np.where(alive, np.minimum(h, 0.9), 0.0)
        dies = rng.random(n) < death_prob[:, y]
        first = np.maximum(starts[y], community.dob_days[dies] + 1)
        death_day[dies] = first + (rng.random(dies.sum()) * (starts[y + 1] - first)
                                   ).astype(np.int64)
    alive_end = death_day == NEVER

    age_now = community.age
    conditions = assign(rng, age_now, community.male, community.deprivation, frailty,
                        alive_end)
    onset: dict[str, IntArray] = {}
    depression_from = _day(np.datetime64("2006-04-01"))
    for register, has in conditions.items():
        lower = np.maximum(community.dob_days + 365 * _min_onset_age(register),
                           starts[-1] - 20 * 365)
        if register == "depression":
            lower = np.maximum(lower, depression_from)
        upper = np.minimum(starts[-1] - 1, death_day - 1)
        lower = np.minimum(lower, upper)
        onset[register] = lower + (rng.random(n) * (upper - lower)).astype(np.int64)
        onset[register][~has] = NEVER

    n_ltc = np.zeros((n, YEARS), dtype=np.int64)
    heavy = np.zeros((n, YEARS))
    for register, days in onset.items():
        for y in range(YEARS):
            present = days < starts[y]
            n_ltc[:, y] += present
            heavy[:, y] += HEAVY.get(register, 0.0) * present
    risk = np.empty((n, YEARS))
    for y in range(YEARS):
        age = community.age - (YEARS - 1 - y)
        risk[:, y] = (age_effect(age) + 0.12 * n_ltc[:, y] + 0.6 * heavy[:, y]
                      + 0.12 * community.deprivation + Z_WEIGHT * z[:, y])
    # calibrate over the person-years actually lived (born, not yet dead)
    lived = np.stack([(community.dob_days < starts[y]) & (death_day >= starts[y + 1])
                      for y in range(YEARS)], axis=1)
    alpha = float(np.log(EMERGENCY_RATE / np.exp(risk[lived]).mean()))
    percentile = np.empty_like(risk)
    for y in range(YEARS):
        percentile[np.argsort(risk[:, y], kind="stable"), y] = np.arange(n) / max(n - 1, 1)
    return Health(frailty, z, starts, death_day, death_prob, conditions, onset, n_ltc, risk,
                  alpha, percentile)


#: Log relative emergency admission rate by age before conditions are counted: the
#: familiar J shape (infants high, lowest in young adults, rising steeply after 65;
#: HES emergency admissions by age), scaled overall by ``alpha``.
AGE_KNOTS = np.array([0, 1, 5, 18, 45, 65, 75, 85, 95])
AGE_LOG_RATE = np.log(np.array([0.25, 0.09, 0.05, 0.05, 0.05, 0.075, 0.11, 0.13, 0.16]))


def age_effect(age: IntArray) -> FloatArray:
    effect: FloatArray = np.interp(age, AGE_KNOTS, AGE_LOG_RATE)
    return effect


def _min_onset_age(register: str) -> int:
    from ltc.synth.conditions import EPIDEMIOLOGY

    return EPIDEMIOLOGY[register].min_age
