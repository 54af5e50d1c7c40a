"""Condition protocols (DM-1): the defaults, local overrides file by file and item by item,
and an error naming the file, the key and the expected value for each kind of mistake."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ltc.codes import codelists
from ltc.protocols import ProtocolError, Season, load
from ltc.records.registers import REGISTERS

CONDITIONS = ["af", "asthma", "chd", "ckd", "copd", "dementia", "diabetes", "epilepsy",
              "heart_failure", "hypertension", "smi", "stroke_tia"]
#: the smallest complete protocol of a condition without a default
NEW = """
label = "Osteoporosis"
register = "osteoporosis"
version = "local.1"
sources = ["Local formulary"]

[[items]]
id = "medication_review"
label = "Medication review"
codelists = ["medrvw_cod"]
interval_months = 12
source = "Local policy"
"""


def _local(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path


def _error(tmp_path: Path, name: str, text: str) -> str:
    with pytest.raises(ProtocolError) as caught:
        load(_local(tmp_path, name, text))
    return str(caught.value)


def test_the_defaults_cover_the_twelve_conditions_each_on_its_register() -> None:
    protocols = load()
    assert list(protocols) == CONDITIONS
    for condition, p in protocols.items():
        assert p.register in REGISTERS
        assert p.items
        assert p.sources
        assert p.version
        assert p.questions
        assert any(q.red_flag for q in p.questions), condition
        assert not p.local
        assert p.files == (f"default:{condition}.toml",)
        for item in p.items:
            assert item.source
            assert item.codes
            assert (item.interval_months is None) != (item.season is None)
            for name in item.codelists + item.value_codelists + item.exception_codelists:
                assert codelists.load(name).system == "snomed"
            for target in item.targets:
                assert target.source
                assert len(target.at_most) == len(item.values)


def test_the_diabetes_protocol_follows_qof() -> None:
    dm = load()["diabetes"]
    assert [i.id for i in dm.items] == ["hba1c", "blood_pressure", "cholesterol",
                                        "urine_acr", "foot_check", "retinal_screening",
                                        "flu_vaccination"]
    hba1c = dm.item("hba1c")
    assert hba1c.interval_months == 12
    assert hba1c.overdue_after_months == 3
    assert hba1c.targets[0].at_most == (58.0,)
    assert "DM020" in hba1c.targets[0].source
    bp = dm.item("blood_pressure")
    assert bp.targets[0].at_most == (140.0, 80.0)
    assert "413123006" in bp.exception_codes  # blood pressure refused (BPDEC_COD)
    assert dm.item("flu_vaccination").season == Season((8, 1), (9, 1), (3, 31))
    hyp = load()["hypertension"]
    assert hyp.item("blood_pressure").target_for(79).at_most == (140.0, 90.0)  # type: ignore[union-attr]
    assert hyp.item("blood_pressure").target_for(80).at_most == (150.0, 90.0)  # type: ignore[union-attr]
    assert "716771000000106" in hyp.exception_codes  # informed dissent (HYPPCADEC_COD)
    with pytest.raises(KeyError, match="items are: hba1c, blood_pressure"):
        dm.item("nothing")


def test_a_local_file_changes_only_the_keys_and_items_it_gives(tmp_path: Path) -> None:
    local = _local(tmp_path, "diabetes", """
        version = "2025.1-local"
        overdue_after_months = 1

        [[items]]
        id = "hba1c"
        interval_months = 6
        codes = ["1234567"]

        [[items]]
        id = "retinal_screening"
        enabled = false

        [[items]]
        id = "weight"
        label = "Weight"
        codelists = ["bmi_tests"]
        interval_months = 12
        source = "Local policy"
        """)
    default, changed = load()["diabetes"], load(local)["diabetes"]
    assert changed.local
    assert changed.files == ("default:diabetes.toml",
                                               str(local / "diabetes.toml"))
    assert changed.version == "2025.1-local"
    assert changed.label == default.label
    hba1c = changed.item("hba1c")
    assert hba1c.interval_months == 6
    assert hba1c.overdue_after_months == 1
    assert hba1c.codes == default.item("hba1c").codes | {"1234567"}
    assert hba1c.targets == default.item("hba1c").targets
    assert [i.id for i in changed.items] == ["hba1c", "blood_pressure", "cholesterol",
                                             "urine_acr", "foot_check", "flu_vaccination",
                                             "weight"]
    assert changed.item("blood_pressure") == default.item("blood_pressure").__class__(
        **{**default.item("blood_pressure").__dict__, "overdue_after_months": 1})
    assert changed.questions == default.questions
    others = load(local)
    assert all(others[c] == load()[c] for c in CONDITIONS if c != "diabetes")


def test_a_local_file_for_a_new_condition_adds_a_protocol(tmp_path: Path) -> None:
    protocols = load(_local(tmp_path, "osteoporosis", NEW))
    assert protocols["osteoporosis"].register == "osteoporosis"
    assert protocols["osteoporosis"].files == (str(tmp_path / "osteoporosis.toml"),)
    assert protocols["osteoporosis"].local


@pytest.mark.parametrize(("text", "key", "expected"), [
    ('interval_months = "twelve"', "items[hba1c].interval_months",
     "expected a whole number of months from 1 to 120, got 'twelve'"),
    ("interval_months = 0", "items[hba1c].interval_months", "from 1 to 120, got 0"),
    ('codelists = ["no_such_list"]', "items[hba1c].codelists",
     "expected names of the project's code lists"),
    ('codelists = ["dementia_icd10"]', "items[hba1c].codelists",
     "expected SNOMED CT code lists, got 'dementia_icd10'"),
    ('codes = ["E11"]', "items[hba1c].codes", "expected SNOMED CT concept ids"),
    ('season = { counts_from = "08-01", due_from = "09-01", ends = "03-31" }',
     "items[hba1c]", "expected either interval_months (due every N months) or season"),
    ("colour = 'red'", "items[hba1c].colour", "expected one of the keys"),
    ("overdue_after_months = -1", "items[hba1c].overdue_after_months", "from 0 to 24"),
    ('exceptions = "bpdec_cod"', "items[hba1c].exceptions", "expected a list of texts"),
])
def test_an_item_mistake_names_the_file_key_and_expected_value(
        tmp_path: Path, text: str, key: str, expected: str) -> None:
    message = _error(tmp_path, "diabetes", f'[[items]]\nid = "hba1c"\n{text}\n')
    assert message.startswith(f"{tmp_path / 'diabetes.toml'}: {key}: ")
    assert expected in message


@pytest.mark.parametrize(("text", "key", "expected"), [
    ('register = "gout"', "register", "expected one of the registers"),
    ('condition = "asthma"', "condition", "expected 'diabetes', the file's name"),
    ("exception_months = 100", "exception_months", "from 1 to 60, got 100"),
    ("sources = []", "sources", "expected a list of the guidance"),
    ('label = ""', "label", "expected a non-empty text"),
    ("items = 3", "items", "expected a list of tables ([[items]])"),
    ('register = "hypertension"', "register", "expected a register no other protocol names"),
])
def test_a_protocol_mistake_names_the_file_key_and_expected_value(
        tmp_path: Path, text: str, key: str, expected: str) -> None:
    message = _error(tmp_path, "diabetes", text + "\n")
    assert f": {key}: " in message
    assert str(tmp_path) in message
    assert expected in message


@pytest.mark.parametrize(("item", "key", "expected"), [
    ('id = "Weight"', "items[0].id", "expected a name of lower-case letters"),
    ('id = "w"\nlabel = "W"\ninterval_months = 12\nsource = "x"', "items[w].codelists",
     "at least one code list or code"),
    ('id = "w"\nlabel = "W"\ncodelists = ["bmi_tests"]\nsource = "x"\n'
     'season = { counts_from = "08-01", due_from = "13-01", ends = "03-31" }',
     "items[w].season.due_from", "expected a month and day as MM-DD, e.g. 09-01, got '13-01'"),
    ('id = "w"\nlabel = "W"\ncodelists = ["bmi_tests"]\nsource = "x"\n'
     'season = { counts_from = "10-01", due_from = "09-01", ends = "03-31" }',
     "items[w].season.due_from", "a day on or after counts_from"),
    ('id = "w"\nlabel = "W"\ncodelists = ["bmi_tests"]\nsource = "x"\ninterval_months = 12\n'
     'values = ["bmi_tests"]\ntargets = [{ at_most = [30, 2], unit = "kg/m2", source = "x" }]',
     "items[w].targets[0].at_most", "expected a list of 1 numbers, one per value"),
    ('id = "w"\nlabel = "W"\ncodelists = ["bmi_tests"]\nsource = "x"\ninterval_months = 12\n'
     'values = ["bmi_tests"]\ntargets = [{ at_most = [30], unit = "kg/m2", source = "x" },'
     ' { at_most = [32], unit = "kg/m2", source = "x", min_age = 70 }]',
     "items[w].targets", "age bands that do not overlap (age 70 is in two)"),
    ('id = "w"\nlabel = "W"\ncodelists = ["bmi_tests"]\nsource = "x"\ninterval_months = 12\n'
     'targets = [{ at_most = [30], unit = "kg/m2", source = "x" }]',
     "items[w].targets", "no targets: the item has no values"),
    ('id = "w"\nlabel = "W"\ncodelists = ["bmi_tests"]\ninterval_months = 12',
     "items[w].source", "expected a non-empty text, got None"),
])
def test_a_new_item_mistake_names_the_key(tmp_path: Path, item: str, key: str,
                                         expected: str) -> None:
    message = _error(tmp_path, "diabetes", f"[[items]]\n{item}\n")
    assert f"diabetes.toml: {key}: " in message
    assert expected in message


def test_duplicate_ids_and_missing_keys_of_a_new_protocol(tmp_path: Path) -> None:
    twice = NEW + NEW[NEW.index("[[items]]"):]
    assert "items[1].id: expected an id used once in the file, got 'medication_review'" \
        in _error(tmp_path, "osteoporosis", twice)
    assert "osteoporosis.toml: version: expected a non-empty text, got None" in _error(
        tmp_path, "osteoporosis", NEW.replace('version = "local.1"', ""))
    question = '\n[[questions]]\nid = "q"\ntext = "How are you?"\nred_flag = "no"\nsource = "x"\n'
    assert "questions[0].red_flag: expected true or false, got 'no'" in _error(
        tmp_path, "osteoporosis", NEW + question)


def test_bad_toml_and_bad_folders_are_named(tmp_path: Path) -> None:
    message = _error(tmp_path, "asthma", "label = \n")
    assert message.startswith(f"{tmp_path / 'asthma.toml'}: not valid TOML:")
    assert "line 1" in message
    with pytest.raises(ProtocolError, match="no such folder of local protocols"):
        load(tmp_path / "missing")
    (tmp_path / "asthma.toml").unlink()
    assert "the file name must be the condition's name" in _error(tmp_path, "Asthma-local",
                                                                  NEW)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_a_season_holds_every_day_once(day: date) -> None:
    """The flu season of any day: it started counting on or before the day, within a year;
    its due day and end follow in order, and the next season's due day is a year on."""
    season = Season((8, 1), (9, 1), (3, 31)).on(day)
    assert season.counts_from <= day < season.counts_from.replace(
        year=season.counts_from.year + 1)
    assert season.counts_from < season.due_on < season.ends < season.next_due_on
    assert season.next_due_on == season.due_on.replace(year=season.due_on.year + 1)
    assert Season((8, 1), (9, 1), (3, 31)).on(day + timedelta(days=366)).counts_from > \
        season.counts_from


def test_a_season_of_29_february_in_other_years() -> None:
    season = Season((2, 29), (2, 29), (12, 31))
    assert season.on(date(2025, 3, 1)).counts_from == date(2025, 2, 28)
    assert season.on(date(2024, 3, 1)).counts_from == date(2024, 2, 29)
