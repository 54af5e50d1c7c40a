"""Who the synthetic people are: names, addresses, ethnicity, language, contact (POP-1)."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ltc.codes import nhs_dd
from ltc.records.schema import IDENTIFYING_FIELDS, TABLES
from ltc.synth import identity
from ltc.synth.generate import Options, community_tables
from ltc.synth.population import reference_rows

from .conftest import Built

N = 50_000
People = tuple[dict[str, pa.Array], np.ndarray, np.ndarray]
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$")


def _people(seed: int, n: int = N) -> People:
    rng = np.random.default_rng([seed, 99])
    male = rng.random(n) < 0.49
    age = rng.integers(0, 100, n)
    number = rng.integers(1, 40, n)
    district = np.char.add("LT", number.astype(str))
    return identity.generate(np.random.default_rng(seed), seed, male, age, district,
                             number), male, age


@pytest.fixture(scope="module")
def people() -> People:
    return _people(7)


def _share(column: pa.Array, value: object) -> float:
    return float(pc.sum(pc.equal(column, value)).as_py() or 0) / len(column)


def test_the_same_seed_gives_the_same_identities_and_another_seed_does_not() -> None:
    a, _, _ = _people(3, 2_000)
    b, _, _ = _people(3, 2_000)
    c, _, _ = _people(4, 2_000)
    assert pa.table(a).equals(pa.table(b))
    assert a["family_name"] != c["family_name"]
    assert a["address"] != c["address"]


def test_the_synthetic_person_table_carries_identities_deterministically() -> None:
    def person(seed: int) -> pa.Table:
        return pa.concat_tables(data for _, name, data in
                                community_tables(Options(1_500, seed=seed))
                                if name == "person")

    first, again = person(5), person(5)
    assert first.equals(again)
    assert first.schema == TABLES["person"].arrow_schema
    for name in (*IDENTIFYING_FIELDS, "ethnic_category", "main_language",
                 "interpreter_required", "preferred_contact"):
        assert first[name].null_count == 0, name
    # the postcode is in the person's postcode district
    district = first["postcode_district"].to_pylist()
    postcode = first["postcode"].to_pylist()
    assert all(p.split(" ")[0] == d for p, d in zip(postcode, district, strict=True))


def test_reference_file_maps_every_census_group_to_an_nhs_ethnic_category() -> None:
    rows = reference_rows(identity.ETHNICITY_FILE)
    assert len(rows) == 19  # the 19 groups of Census 2021
    assert abs(sum(float(r["percent"]) for r in rows) - 100) < 0.15
    assert {r["ethnic_category"] for r in rows} <= set(nhs_dd.ETHNIC_CATEGORIES)
    shares = identity.ethnicity_shares()
    assert shares["A"] == pytest.approx(0.735, abs=0.001)  # White British, England 73.5%


def test_ethnic_categories_follow_census_2021_england(people: People) -> None:
    fields, _, _ = people
    for code, expected in identity.ethnicity_shares().items():
        observed = _share(fields["ethnic_category"], code)
        tolerance = 4 * np.sqrt(expected * (1 - expected) / N) + 0.0005
        assert abs(observed - expected) <= tolerance, (code, observed, expected)
    assert set(fields["ethnic_category"].to_pylist()) <= set(nhs_dd.ETHNIC_CATEGORIES)


def test_main_language_and_interpreter_follow_census_2021(people: People) -> None:
    fields, _, _ = people
    language = fields["main_language"]
    interpreter = fields["interpreter_required"]
    not_english = 1 - _share(language, "en")
    assert abs(not_english - 0.089) < 0.006, not_english  # 91.1% English main language
    assert abs(_share(interpreter, True) - 0.018) < 0.003  # cannot speak English well/at all
    # only people whose main language is not English need an interpreter
    english = pc.equal(language, "en")
    assert not pc.any(pc.and_(english, interpreter)).as_py()
    # the White British speak English; Polish and Romanian are the commonest others
    white_british = pc.equal(fields["ethnic_category"], "A")
    assert pc.all(pc.filter(english, white_british)).as_py()
    counts = pc.value_counts(pc.filter(language, pc.invert(english))).to_pylist()
    top = [c["values"] for c in sorted(counts, key=lambda c: -c["counts"])[:2]]
    assert top == ["pl", "ro"]
    assert all(re.fullmatch(r"[a-z]{2}", x) for x in pc.unique(language).to_pylist())


def test_names_fit_the_sex_and_addresses_postcodes_and_telephones_are_uk_shaped(
        people: People) -> None:
    fields, male, age = people
    pool = identity.pools(7)
    first = pool.first.to_pylist()
    per = 2 * identity.POOL
    male_names = {x for k in range(len(pool.locales)) for x in
                  first[k * per: k * per + identity.POOL]}
    female_names = {x for k in range(len(pool.locales)) for x in
                    first[k * per + identity.POOL: (k + 1) * per]}
    given = np.array(fields["given_name"].to_pylist())
    assert set(given[male]) <= male_names
    assert set(given[~male]) <= female_names
    assert len(set(given[~male]) - male_names) > 100  # most women's names are not men's
    assert len(set(fields["family_name"].to_pylist())) > 500
    postcodes = fields["postcode"].to_pylist()
    assert all(POSTCODE.match(p) for p in postcodes), [p for p in postcodes
                                                       if not POSTCODE.match(p)][:5]
    address = fields["address"].to_pylist()
    assert all(re.fullmatch(r"\d{1,3} [^,]+, [^,]+", a) for a in address[:1000])
    phones = fields["telephone"].to_pylist()
    # Ofcom's drama ranges: no generated number belongs to anyone
    assert all(re.fullmatch(r"(07700 900|01632 960)\d{3}", p) for p in phones)
    contact = fields["preferred_contact"]
    assert set(contact.to_pylist()) == set(nhs_dd.CONTACT_METHODS)
    old, young = age >= 75, age < 65
    letter = np.array(pc.equal(contact, "letter").to_pylist())
    assert letter[old].mean() > letter[young].mean()


def test_an_ingested_community_keeps_its_identities(community: Built) -> None:
    person = community.store.arrow("person")
    assert person["family_name"].null_count == 0
    assert person["ethnic_category"].null_count == 0
    assert 0.70 < _share(person["ethnic_category"], "A") < 0.77
