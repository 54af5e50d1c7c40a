"""Long term conditions of the synthetic community, calibrated to QOF England (POP-3).

For each register the number of people on it is set exactly to the QOF England
2019-20 prevalence times the register's denominator (people alive at the end of the
history, of the QOF minimum age). *Who* has it is a weighted draw without replacement
(Efraimidis-Spirakis keys): weights rise with age as each condition's epidemiology
does, with deprivation, and with a shared latent ill-health factor, so multimorbidity
clusters in older and more deprived people as it does in England (Barnett et al., 2012).
The age curves are modelling choices that reproduce the familiar shapes; they are not
published constants.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Epidemiology:
    """How one condition's risk varies: exp(slope * (age - pivot)) from ``min_age``."""

    min_age: int
    slope: float
    pivot: float
    female: float = 1.0  # relative weight for women
    deprivation: float = 0.15  # log relative weight per SD of deprivation
    frailty: float = 0.6  # log relative weight per SD of shared ill health
    max_weight: float = 50.0


EPIDEMIOLOGY: dict[str, Epidemiology] = {
    "hypertension": Epidemiology(18, 0.075, 60, max_weight=20),
    "depression": Epidemiology(18, -0.005, 45, female=1.8, deprivation=0.35, frailty=0.3),
    "diabetes": Epidemiology(17, 0.05, 62, female=0.8, deprivation=0.3),
    # QOF v46: the asthma register is 6+, so asthma is given (and begins) from age 6
    "asthma": Epidemiology(6, -0.004, 30, female=1.1, deprivation=0.15, frailty=0.3),
    "ckd": Epidemiology(30, 0.10, 78),
    "chd": Epidemiology(35, 0.075, 72, female=0.5, deprivation=0.25),
    "af": Epidemiology(40, 0.10, 78, female=0.7),
    "copd": Epidemiology(40, 0.06, 70, deprivation=0.5),
    "stroke_tia": Epidemiology(30, 0.08, 75),
    "heart_failure": Epidemiology(45, 0.09, 80, female=0.8),
    "dementia": Epidemiology(60, 0.16, 85, female=1.3, frailty=0.8),
    "epilepsy": Epidemiology(18, 0.0, 45, deprivation=0.3, frailty=0.3),
    "smi": Epidemiology(18, -0.01, 45, deprivation=0.6, frailty=0.3),
    "learning_disability": Epidemiology(0, -0.02, 30, female=0.7, deprivation=0.2,
                                        frailty=0.3),
    "cancer": Epidemiology(20, 0.06, 70),
    "osteoporosis": Epidemiology(50, 0.08, 78, female=4.0, deprivation=0.05),
    "rheumatoid_arthritis": Epidemiology(16, 0.035, 62, female=2.5, deprivation=0.1),
    "palliative_care": Epidemiology(18, 0.07, 82, frailty=1.2),
    "pad": Epidemiology(40, 0.07, 72, female=0.7, deprivation=0.4),
}


@dataclass(frozen=True)
class Target:
    register: str
    min_age: int
    percent: float


def targets() -> dict[str, Target]:
    """QOF England 2019-20 prevalence per register (the project's reference file)."""
    text = resources.files("ltc.data.reference").joinpath(
        "qof_prevalence_england_2019_20.csv").read_text()
    return {r["register"]: Target(r["register"], int(r["min_age"]), float(r["prevalence_percent"]))
            for r in csv.DictReader(text.splitlines())}


def weights(epi: Epidemiology, age: npt.NDArray[np.int64], male: BoolArray,
            deprivation: FloatArray, frailty: FloatArray) -> FloatArray:
    w = np.minimum(np.exp(epi.slope * (age - epi.pivot)), epi.max_weight)
    w = w * np.where(male, 1.0, epi.female)
    w = w * np.exp(epi.deprivation * deprivation + epi.frailty * frailty)
    return np.where(age >= epi.min_age, w, 0.0)


def draw_exact(rng: np.random.Generator, w: FloatArray, k: int) -> BoolArray:
    """Choose exactly ``k`` of the positive-weight items, with probability rising with weight."""
    chosen = np.zeros(len(w), dtype=bool)
    eligible = np.flatnonzero(w > 0)
    k = min(k, len(eligible))
    if k <= 0:
        return chosen
    keys = np.log(rng.random(len(eligible))) / w[eligible]
    top = np.argpartition(-keys, k - 1)[:k]
    chosen[eligible[top]] = True
    return chosen


def assign(rng: np.random.Generator, age: npt.NDArray[np.int64], male: BoolArray,
           deprivation: FloatArray, frailty: FloatArray, alive: BoolArray
           ) -> dict[str, BoolArray]:
    """Who has each condition. Counts among the living match QOF exactly (rounded)."""
    result: dict[str, BoolArray] = {}
    goals = targets()
    for register, epi in EPIDEMIOLOGY.items():
        goal = goals[register]
        w = weights(epi, age, male, deprivation, frailty)
        denominator = int((alive & (age >= goal.min_age)).sum())
        k = round(goal.percent / 100 * denominator)
        living = draw_exact(rng, np.where(alive, w, 0.0), k)
        # people who died during the history carry the same risk, drawn independently;
        # they are more often ill, so their chance is doubled
        scale = k / max(float(w[alive].sum()), 1e-12)
        dead = ~alive & (rng.random(len(w)) < np.minimum(1.0, 2 * scale * w))
        result[register] = living | dead
    return result
