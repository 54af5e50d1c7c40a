"""Spec tests for the built-in rule sets and the rule-file format (STRAT-1).

Every Castlefields and Evercare criterion is shown on a table of feature rows with its
boundary: the row just meeting it and the row just missing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from ltc.pipeline import rules
from ltc.pipeline.engine import connection, put_table
from ltc.pipeline.features import FEATURE_KINDS

DEFAULTS: dict[str, Any] = {
    name: {"number": 0, "flag": False, "text": None}[kind]
    for name, kind in FEATURE_KINDS.items()
}
DEFAULTS.update(age=70, monthly_cost=0.0, gp_percentile_65=0.0, sex="F",
                practice_code="P1", locality_code="L1")


TYPES = {"number": pa.float64(), "flag": pa.bool_(), "text": pa.string()}
SCHEMA = pa.schema([("nhs_number", pa.string())]
                   + [(n, TYPES[k]) for n, k in FEATURE_KINDS.items()])


def features_table(engine: str, rows: list[dict[str, Any]]) -> ibis.Table:
    """A features table held by ``engine`` (as :func:`ltc.pipeline.features.features`
    returns it there)."""
    return put_table(connection(engine), "f", pa.Table.from_pylist(rows, schema=SCHEMA))


def evaluate(engine: str, rule_set: str, *people: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"nhs_number": str(i), **DEFAULTS, **p} for i, p in enumerate(people)]
    out = rules.evaluate(rules.load(rule_set), features_table(engine, rows))
    result: list[dict[str, Any]] = out.to_pyarrow().to_pylist()
    return sorted(result, key=lambda r: int(r["nhs_number"]))


# Castlefields: (criterion, feature values just meeting it, just missing it)
CASTLEFIELDS = [
    ("ltc_4", {"ltc_count": 4}, {"ltc_count": 3}),
    ("medicines_4", {"long_term_medicines": 4}, {"long_term_medicines": 3}),
    ("admissions_2", {"admissions_12m": 2}, {"admissions_12m": 1}),
    ("ae_2", {"ae_12m": 2}, {"ae_12m": 1}),
    ("adl", {"adl_impaired": True}, {"adl_impaired": False}),
    ("iadl", {"iadl_impaired": True}, {"iadl_impaired": False}),
    ("frequent_gp", {"gp_percentile_65": 97.0}, {"gp_percentile_65": 96.9}),
    ("outpatient_2", {"outpatient_12m": 2}, {"outpatient_12m": 1}),
    ("stay_4_weeks", {"bed_days_12m": 29}, {"bed_days_12m": 28}),
    ("social_work_visits", {"social_assessments_min_q": 5}, {"social_assessments_min_q": 4}),
    ("prescribing_cost", {"monthly_cost": 100.01}, {"monthly_cost": 100.0}),
]


@pytest.mark.parametrize(("criterion", "meets", "misses"), CASTLEFIELDS,
                         ids=[c[0] for c in CASTLEFIELDS])
def test_each_castlefields_criterion_and_its_boundary(
        engine: str, criterion: str, meets: dict[str, Any], misses: dict[str, Any]) -> None:
    yes, no = evaluate(engine, "castlefields", meets, misses)
    assert yes[f"castlefields__{criterion}"] is True
    assert no[f"castlefields__{criterion}"] is False
    feature = next(iter(meets))
    assert yes[f"castlefields__{criterion}__value"] == meets[feature]  # the value behind it


def test_castlefields_needs_age_65_and_three_of_eleven(engine: str) -> None:
    three = {"ltc_count": 4, "ae_12m": 2, "adl_impaired": True}
    two = {"ltc_count": 4, "ae_12m": 2}
    out = evaluate(engine, "castlefields", {**three, "age": 65}, {**three, "age": 64},
                   {**two, "age": 80})
    assert [r["castlefields"] for r in out] == [True, False, False]
    assert [r["castlefields__count"] for r in out] == [3, 3, 2]
    assert out[1]["castlefields__age_65"] is False


# Evercare (DH 2005, "NHS Evercare Pilots"): aged 65 or over AND (2 or more unplanned
# admissions in the last 13 months OR any one of the four nominations). Each way in alone:
EVERCARE_WAYS_IN = [
    ("unplanned_2", {"emergency_13m": 2}, {"emergency_13m": 1}),
    ("exacerbation", {"exacerbation_90d": True}, {"exacerbation_90d": False}),
    ("falls", {"falls_2m": 3}, {"falls_2m": 2}),
    ("bereavement", {"bereaved_6m": True}, {"bereaved_6m": False}),
    ("vulnerable_alone",
     {"cognitive_impairment": True, "lives_alone": True, "medically_unstable": True,
      "care_package_intensity": "high"},
     {"cognitive_impairment": True, "lives_alone": True, "medically_unstable": False,
      "care_package_intensity": "high"}),
]


@pytest.mark.parametrize(("way_in", "meets", "misses"), EVERCARE_WAYS_IN,
                         ids=[w[0] for w in EVERCARE_WAYS_IN])
def test_each_evercare_way_in_alone_qualifies_a_person_aged_65(
        engine: str, way_in: str, meets: dict[str, Any], misses: dict[str, Any]) -> None:
    yes, no, young = evaluate(engine, "evercare", {"age": 65, **meets}, {"age": 65, **misses},
                              {"age": 64, **meets})
    assert yes[f"evercare__{way_in}"] is True
    assert yes["evercare"] is True  # no admission (or no nomination) needed besides
    others = {w[0] for w in EVERCARE_WAYS_IN} - {way_in}
    assert not any(yes[f"evercare__{o}"] for o in others)  # it came in by this way alone
    assert no[f"evercare__{way_in}"] is False
    assert no["evercare"] is False
    assert young["evercare"] is False


def test_evercare_none_of_the_ways_in_and_under_65_with_everything(engine: str) -> None:
    everything = {"emergency_13m": 5, "exacerbation_90d": True, "falls_2m": 9,
                  "bereaved_6m": True, "cognitive_impairment": True, "lives_alone": True,
                  "medically_unstable": True, "care_package_intensity": "high"}
    none, young, old = evaluate(engine, "evercare", {"age": 90}, {"age": 64, **everything},
                                {"age": 65, **everything})
    assert none["evercare"] is False
    assert young["evercare"] is False
    assert old["evercare"] is True


def test_medically_unstable_is_not_an_exacerbation(engine: str) -> None:
    (row,) = evaluate(engine, "evercare", {"medically_unstable": True})
    assert row["evercare__exacerbation"] is False
    assert row["evercare__vulnerable_alone"] is False  # needs the other three facts too
    assert row["evercare"] is False


def test_vulnerable_alone_needs_a_high_intensity_package(engine: str) -> None:
    (row,) = evaluate(engine, "evercare", {"cognitive_impairment": True, "lives_alone": True,
                                           "medically_unstable": True,
                                           "care_package_intensity": "medium"})
    assert row["evercare__vulnerable_alone"] is False
    assert row["evercare"] is False


def test_each_evercare_way_in_is_labelled_as_a_way_in() -> None:
    evercare = rules.load("evercare")
    assert evercare.all == ("age_65",)
    labels = [evercare.criteria[c].label for c in evercare.any]
    assert labels[0].startswith("In by admissions: ")
    assert all(label.startswith("Nominated: ") for label in labels[1:])


def test_a_missing_value_never_meets_a_criterion(engine: str) -> None:
    (row,) = evaluate(engine, "castlefields", {"gp_percentile_65": None, "age": 66})
    assert row["castlefields__frequent_gp"] is False


LOCAL = '''
id = "local_frailty"
name = "Local frailty"
source = "Example health community, 2026"

[logic]
all = ["age_75"]
any = ["falls", "carer"]

[[criterion]]
id = "age_75"
label = "Aged 75 or over"
feature = "age"
op = ">="
value = 75

[[criterion]]
id = "falls"
label = "A fall in the last 2 months"
feature = "falls_2m"
op = ">="
value = 1

[[criterion]]
id = "carer"
label = "Carer died in the last year"
feature = "carer_died_12m"
op = "is"
value = true
'''


def test_a_local_rule_file_is_evaluated_without_code(engine: str, tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(LOCAL)
    rule_set = rules.load(path)
    rows = [{"nhs_number": "1", **DEFAULTS, "age": 80, "carer_died_12m": True},
            {"nhs_number": "2", **DEFAULTS, "age": 74, "falls_2m": 1}]
    out = rules.evaluate(rule_set, features_table(engine, rows))
    result = {r["nhs_number"]: r for r in out.to_pyarrow().to_pylist()}
    assert result["1"]["local_frailty"] is True
    assert result["2"]["local_frailty"] is False


@pytest.mark.parametrize(("broken", "line", "says"), [
    (LOCAL.replace('feature = "falls_2m"', 'feature = "falls_in_2m"'), 20,
     "unknown feature 'falls_in_2m'"),
    (LOCAL.replace('op = "is"', 'op = "=>"'), 28, "unknown op '=>'"),
    (LOCAL.replace('all = ["age_75"]', 'all = ["age_70"]'), 7,
     "names unknown criterion 'age_70'"),
    (LOCAL.replace('value = true', 'value = 1'), 29, "yes/no feature"),
    (LOCAL.replace('value = 75', 'value = "75"'), 15, "is a number"),
    (LOCAL.replace('name = "Local frailty"\n', ''), 1, "'name' is missing"),
    (LOCAL.replace('[logic]', '[logic'), 6, "not valid TOML"),
    (LOCAL.replace('id = "carer"', 'id = "falls"'), 25, "defined twice"),
    (LOCAL.replace('[[criterion]]\nid = "age_75"', '[[criterion]]\nid = "age_75"\nweight = 2'),
     12, "unknown keys ['weight']"),
])
def test_a_malformed_rule_file_names_the_line_and_the_problem(
        tmp_path: Path, broken: str, line: int, says: str) -> None:
    path = tmp_path / "local.toml"
    path.write_text(broken)
    with pytest.raises(rules.RuleError) as caught:
        rules.load(path)
    message = str(caught.value)
    assert str(path) in message
    assert says in message
    if "TOML" not in says:
        assert f"line {line}:" in message


def test_an_unknown_rule_set_name_lists_the_built_in_ones() -> None:
    with pytest.raises(rules.RuleError, match="castlefields, evercare"):
        rules.load("kings-fund")
