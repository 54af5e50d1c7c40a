"""The people of a synthetic health community: ages, practices, localities, deprivation
(POP-1).

Age and sex follow ONS mid-2023 England; practice sizes follow the NHS Digital
January 2021 list-size distribution, kept within 3,000 to 20,000; deprivation (IMD
decile) clusters by practice. Everything is drawn from one seeded generator, in
vectorised form, so the same seed gives the same community.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

import numpy as np
import numpy.typing as npt

from ltc.codes import nhs_number

MIN_PRACTICE, MAX_PRACTICE = 3_000, 20_000
PEOPLE_PER_LOCALITY = 25_000

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def reference_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("ltc.data.reference").joinpath(name).read_text()
    return list(csv.DictReader(text.splitlines()))


def age_sex_distribution() -> tuple[IntArray, IntArray, FloatArray]:
    """(lower age of band, sex 0=F 1=M, probability) for each ONS mid-2023 band."""
    rows = reference_rows("population_england_mid2023.csv")
    lower = np.array([int(r["age_band"].split("-")[0].rstrip("+")) for r in rows])
    sex = np.array([1 if r["sex"] == "male" else 0 for r in rows])
    pop = np.array([float(r["population"]) for r in rows])
    return lower, sex, pop / pop.sum()


def list_size_quantiles() -> FloatArray:
    rows = reference_rows("practice_list_size_quantiles_2021_01.csv")
    return np.array([float(r["registered_patients"]) for r in rows])


@dataclass
class Community:
    """Person-level arrays (index = person) and the practice/locality structure."""

    end: date
    nhs_number: IntArray
    age: IntArray  # completed years at ``end``
    dob_days: IntArray  # days since 1970-01-01
    male: npt.NDArray[np.bool_]
    practice: IntArray  # index into practice arrays
    deprivation: FloatArray  # latent, standard normal; higher = more deprived
    imd_decile: IntArray  # 1 = most deprived
    practice_sizes: IntArray
    practice_locality: IntArray
    practice_deprivation: FloatArray
    n_localities: int
    # social circumstances, set once health is known (see ltc.synth.generate)
    lives_alone: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    has_carer: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    is_carer: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))

    @property
    def size(self) -> int:
        return len(self.age)


def practice_sizes(rng: np.random.Generator, people: int) -> IntArray:
    """Practice list sizes summing to ``people``, each 3,000-20,000 where possible."""
    if people <= MAX_PRACTICE:
        # a small community: a few practices when it can hold them, else one
        count = max(1, people // 6_000)
        cuts = np.sort(rng.choice(np.arange(1, people), count - 1, replace=False)) \
            if count > 1 else np.array([], dtype=np.int64)
        sizes = np.diff(np.concatenate([[0], cuts, [people]]))
        if count > 1 and sizes.min() < MIN_PRACTICE:
            sizes = np.full(count, people // count)
            sizes[: people - sizes.sum()] += 1
        return sizes.astype(np.int64)
    q = list_size_quantiles()
    drawn: list[int] = []
    remaining = people
    while remaining > 0:
        draw = float(np.interp(rng.random() * 100, np.arange(101), q))
        size = int(np.clip(draw, MIN_PRACTICE, MAX_PRACTICE))
        if remaining - size < MIN_PRACTICE:
            size = remaining if remaining <= MAX_PRACTICE else remaining - MIN_PRACTICE
        drawn.append(size)
        remaining -= size
    return np.array(drawn, dtype=np.int64)


def nhs_numbers(count: int, first_serial: int = 10_000_000) -> IntArray:
    """``count`` distinct valid NHS numbers in increasing order, beginning with 9."""
    serials = np.arange(first_serial, first_serial + count, dtype=np.int64)
    return np.sort(nhs_number.from_serials(serials))


def build(rng: np.random.Generator, people: int, end: date) -> Community:
    lower, sex, prob = age_sex_distribution()
    band = rng.choice(len(prob), size=people, p=prob)
    width = np.where(lower[band] >= 90, 0, 5)
    age = lower[band] + (rng.random(people) * width).astype(np.int64)
    old = lower[band] >= 90
    age[old] = 90 + np.minimum(rng.geometric(0.22, old.sum()) - 1, 14)
    end_days = (np.datetime64(end, "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    dob_days = end_days - np.floor((age + rng.random(people)) * 365.25).astype(np.int64)

    sizes = practice_sizes(rng, people)
    n_practices = len(sizes)
    n_localities = max(1, min(n_practices, round(people / PEOPLE_PER_LOCALITY)))
    if n_practices >= 4:
        n_localities = max(2, n_localities)
    practice_locality = np.sort(rng.permutation(np.arange(n_practices) % n_localities))
    practice_dep = rng.standard_normal(n_practices)
    practice = rng.permutation(np.repeat(np.arange(n_practices), sizes))
    deprivation = 0.75 * practice_dep[practice] + np.sqrt(1 - 0.75**2) * \
        rng.standard_normal(people)
    # deciles by rank: exactly a tenth of people in each, most deprived = 1
    rank = np.empty(people, dtype=np.int64)
    rank[np.argsort(-deprivation, kind="stable")] = np.arange(people)
    imd_decile = (rank * 10 // people + 1).astype(np.int64)

    return Community(
        end=end, nhs_number=nhs_numbers(people), age=age, dob_days=dob_days,
        male=sex[band] == 1, practice=practice, deprivation=deprivation,
        imd_decile=imd_decile, practice_sizes=sizes, practice_locality=practice_locality,
        practice_deprivation=practice_dep, n_localities=n_localities,
    )
