"""Who each synthetic person is: name, address, postcode, telephone, ethnic category, main
language, interpreter need and preferred contact method (POP-1).

Names and places come from Faker (``en_GB``, and the locale of the person's main
language where Faker has a romanised one), seeded from the synth seed. Faker is slow per
call, so it fills small pools once per seed and numpy samples them for every person: a
million people cost the same few hundred Faker calls as a thousand.

Calibration (each figure cited where it is defined):

- ethnic category: ONS Census 2021 England, table TS021 (``ethnic_group_england_census2021
  .csv`` in ``ltc/data/reference``, mapped to NHS Data Dictionary ethnic categories);
- main language: ONS "Language, England and Wales: Census 2021" (29 November 2022): 91.1%
  of usual residents aged 3 and over have English as their main language; a further 7.1%
  have another main language but speak English well or very well, so 1.8% cannot speak
  English well or at all. Those 1.8% are the people flagged as needing an interpreter.
- telephone numbers: Ofcom's ranges reserved for drama (mobile 07700 900000-900999,
  landline 01632 960000-960999), so no generated number can ring a real one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker

from ltc.codes import nhs_dd
from ltc.synth.population import reference_rows

ETHNICITY_FILE = "ethnic_group_england_census2021.csv"

#: ONS Language, England and Wales: Census 2021: main language not English 8.9% (100 -
#: 91.1); cannot speak English well or at all 1.8% (8.9 - 7.1 proficient).
NOT_ENGLISH_SHARE = 0.089
INTERPRETER_SHARE = 0.018

#: Main language other than English, by ethnic category: (share of the group whose main
#: language is not English, {ISO 639-1 code: weight}). The shares are chosen so that, with
#: the TS021 group sizes, 8.9% of everyone has a main language other than English; the
#: weights follow the Census 2021 England and Wales main-language counts (TS024: Polish
#: 611,845; Romanian 471,954; Portuguese 224,719; Spanish 215,062; Italian 160,010; French
#: 120,259; Lithuanian 119,656; Bulgarian 111,431; Hungarian 87,356; Greek 76,675; Slovak
#: 49,924; German 46,421; Panjabi 291,000; Urdu 270,000) and, for languages those
#: figures do not list, the 2011 Census ranking (Bengali, Gujarati, Arabic, Chinese,
#: Tamil, Turkish, Somali, Persian, Tagalog).
LANGUAGES: dict[str, tuple[float, dict[str, float]]] = {
    "C": (0.632, {"pl": 611_845, "ro": 471_954, "pt": 224_719, "es": 215_062,
                  "it": 160_010, "fr": 120_259, "lt": 119_656, "bg": 111_431, "hu": 87_356,
                  "el": 76_675, "sk": 49_924, "de": 46_421}),
    "H": (0.30, {"gu": 0.45, "pa": 0.20, "hi": 0.20, "ta": 0.15}),
    "J": (0.30, {"ur": 0.60, "pa": 0.40}),
    "K": (0.40, {"bn": 1.0}),
    "R": (0.50, {"zh": 1.0}),
    "L": (0.45, {"ta": 0.30, "tl": 0.30, "fa": 0.20, "ne": 0.20}),
    "N": (0.23, {"so": 0.40, "ar": 0.20, "fr": 0.20, "pt": 0.20}),
    "S": (0.40, {"ar": 0.45, "tr": 0.25, "ku": 0.15, "fa": 0.15}),
}
#: Faker locales with romanised names, by main language; everyone else takes en_GB names
#: (and Indian-background people en_IN ones).
NAME_LOCALES: dict[str, str] = {"pl": "pl_PL", "ro": "ro_RO", "pt": "pt_PT", "es": "es_ES",
                                "it": "it_IT", "lt": "lt_LT", "hu": "hu_HU", "de": "de_DE",
                                "fr": "fr_FR", "sk": "sk_SK"}
ETHNIC_NAME_LOCALES: dict[str, str] = {"H": "en_IN"}

#: Preferred contact method by age band (project assumption: older people more often
#: choose letters and calls, younger people texts and email; no published figure).
CONTACT_BY_AGE: tuple[tuple[int, dict[str, float]], ...] = (
    (65, {"letter": 0.15, "telephone": 0.25, "sms": 0.40, "email": 0.20}),
    (75, {"letter": 0.30, "telephone": 0.40, "sms": 0.20, "email": 0.10}),
    (200, {"letter": 0.45, "telephone": 0.45, "sms": 0.08, "email": 0.02}),
)
STREET_TYPES = ("Road", "Street", "Lane", "Close", "Avenue", "Drive", "Way", "Crescent",
                "Grove", "Gardens", "Place", "Court", "Terrace", "Walk", "Rise", "View")
TOWN_ENDINGS = ("ton", "ford", "ley", "bury", "ham", "field", "by", "wick", "worth",
                "bridge", "minster", "stead")
#: the second half of a postcode: a digit and two letters, never C, I, K, M, O or V
INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
POOL = 400

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Pools:
    """Drawn once per seed. ``first``: per locale (in ``locales`` order) ``POOL`` male then
    ``POOL`` female given names; ``family``: per locale ``POOL`` family names."""

    locales: tuple[str, ...]
    first: pa.Array
    family: pa.Array
    streets: pa.Array
    towns: pa.Array


@functools.lru_cache(maxsize=4)
def pools(seed: int) -> Pools:
    """Names per locale, street and town names: drawn once per seed, the same every time."""
    locales = tuple(sorted({"en_GB", *NAME_LOCALES.values(), *ETHNIC_NAME_LOCALES.values()}))
    first: list[str] = []
    family: list[str] = []
    for k, locale in enumerate(locales):
        faker = Faker(locale)
        faker.seed_instance(seed * 1_000 + k)
        first += [faker.first_name_male() for _ in range(POOL)]
        first += [faker.first_name_female() for _ in range(POOL)]
        family += [faker.last_name() for _ in range(POOL)]
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    rng = np.random.default_rng([seed, 11])
    streets = sorted({f"{faker.last_name()} {STREET_TYPES[i]}" for i in
                      rng.integers(0, len(STREET_TYPES), 4 * POOL)})
    towns = [f"{faker.last_name()}{TOWN_ENDINGS[i]}" for i in
             rng.integers(0, len(TOWN_ENDINGS), POOL)]
    return Pools(locales, pa.array(first), pa.array(family), pa.array(streets),
                 pa.array(towns))


def ethnicity_shares() -> dict[str, float]:
    """NHS Data Dictionary ethnic category -> share of England's residents (TS021)."""
    shares: dict[str, float] = {}
    for row in reference_rows(ETHNICITY_FILE):
        code = row["ethnic_category"]
        if code not in nhs_dd.ETHNIC_CATEGORIES:
            raise ValueError(f"{ETHNICITY_FILE}: ethnic_category {code!r} of "
                             f"{row['census_group']!r} is not an NHS Data Dictionary code")
        shares[code] = shares.get(code, 0.0) + float(row["percent"]) / 100
    total = sum(shares.values())
    return {code: share / total for code, share in shares.items()}


def _pick(rng: np.random.Generator, options: dict[str, float], n: int) -> np.ndarray:
    """Indices into ``list(options)``, drawn with the options' weights."""
    weights = np.array(list(options.values()), dtype=float)
    return rng.choice(len(weights), n, p=weights / weights.sum())


def _join(*parts: pa.Array, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _text(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string())


def generate(rng: np.random.Generator, seed: int, male: BoolArray, age: np.ndarray,
             district: np.ndarray, district_number: np.ndarray) -> dict[str, pa.Array]:
    """The identifying and equality fields of the ``person`` table for these people:
    ``district`` is each one's postcode district (e.g. ``LT7``), ``district_number`` a
    number that tells the districts apart (neighbours share a town)."""
    n = len(male)
    pool = pools(seed)
    shares = ethnicity_shares()
    ethnic_codes = list(shares)
    ethnic = _pick(rng, shares, n)

    languages = ["en", *sorted({lang for _, langs in LANGUAGES.values() for lang in langs})]
    language = np.zeros(n, dtype=np.int64)
    for code, (share, langs) in LANGUAGES.items():
        group = np.flatnonzero(ethnic == ethnic_codes.index(code))
        other = group[rng.random(len(group)) < share]
        lookup = np.array([languages.index(lang) for lang in langs])
        language[other] = lookup[_pick(rng, langs, len(other))]
    not_english = language != 0
    interpreter = not_english & (rng.random(n) < INTERPRETER_SHARE / NOT_ENGLISH_SHARE)

    locale = np.full(n, pool.locales.index("en_GB"), dtype=np.int64)
    for code, loc in ETHNIC_NAME_LOCALES.items():
        locale[ethnic == ethnic_codes.index(code)] = pool.locales.index(loc)
    for lang, loc in NAME_LOCALES.items():
        if lang in languages:
            locale[language == languages.index(lang)] = pool.locales.index(loc)
    given = pool.first.take(pa.array(locale * 2 * POOL + np.where(male, 0, POOL)
                                     + rng.integers(0, POOL, n)))
    family = pool.family.take(pa.array(locale * POOL + rng.integers(0, POOL, n)))

    town = pool.towns.take(pa.array(np.asarray(district_number) % len(pool.towns)))
    street = pool.streets.take(pa.array(rng.integers(0, len(pool.streets), n)))
    address = _join(_join(_text(rng.integers(1, 180, n)), street, sep=" "), town, sep=", ")
    letters = pa.array(INWARD_LETTERS)
    inward = _join(_text(rng.integers(0, 10, n)),
                   letters.take(pa.array(rng.integers(0, len(INWARD_LETTERS), n))),
                   letters.take(pa.array(rng.integers(0, len(INWARD_LETTERS), n))))
    postcode = _join(pa.array(district, pa.string()), inward, sep=" ")
    mobile = rng.random(n) < np.where(age >= 75, 0.4, 0.85)
    telephone = _join(pa.array(["01632 960", "07700 900"]).take(pa.array(mobile.astype(int))),
                      pc.utf8_lpad(_text(rng.integers(0, 1000, n)), 3, "0"))

    contact = np.zeros(n, dtype=np.int64)
    methods = list(nhs_dd.CONTACT_METHOD_CODES)
    lower = 0
    for upper, options in CONTACT_BY_AGE:
        band = np.flatnonzero((age >= lower) & (age < upper))
        lookup = np.array([methods.index(m) for m in options])
        contact[band] = lookup[_pick(rng, options, len(band))]
        lower = upper
    return {
        "given_name": given,
        "family_name": family,
        "address": address,
        "postcode": postcode,
        "telephone": telephone,
        "ethnic_category": pa.array(ethnic_codes).take(pa.array(ethnic)),
        "main_language": pa.array(languages).take(pa.array(language)),
        "interpreter_required": pa.array(interpreter),
        "preferred_contact": pa.array(methods).take(pa.array(contact)),
    }
