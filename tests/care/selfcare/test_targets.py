"""Self-monitoring targets (SC-2): which target a reading is judged against (the person's
own, else the first of the file for their registers, age, where and when it was taken),
the verdict at each edge, and a targets file that cannot be used named with its entry and
key."""

from __future__ import annotations

import pytest

from ltc.care.selfcare import setup, targets
from ltc.care.selfcare.config import ConfigError
from ltc.care.selfcare.targets import History, Target, Who, judge

T = targets.load()


def verdict(measure: str, values: list[float], registers: set[str], age: int | None,
            place: str = "home", timing: str | None = None,
            history: History | None = None, personal: Target | None = None
            ) -> tuple[bool | None, str]:
    target = T.for_reading(measure, Who(frozenset(registers), age), place, timing, personal)
    j = judge(T.measure(measure), target, values, history or History())
    return j.in_range, j.target


# (reading, registers, age, place) -> (in range, the target in words)
BLOOD_PRESSURE = [
    # home readings: NICE NG136 home targets, strictly below
    ([134, 84], set(), 79, "home", True, "below 135/85 mmHg"),
    ([135, 84], set(), 79, "home", False, "below 135/85 mmHg"),
    ([134, 85], set(), 79, "home", False, "below 135/85 mmHg"),
    ([144, 84], set(), 80, "home", True, "below 145/85 mmHg"),
    ([145, 80], set(), 80, "home", False, "below 145/85 mmHg"),
    # pharmacy and practice readings: the clinic targets, "or less" (QOF HYP008, HYP009)
    ([140, 90], {"hypertension"}, 79, "pharmacy", True, "140/90 mmHg or less"),
    ([141, 90], {"hypertension"}, 79, "pharmacy", False, "140/90 mmHg or less"),
    ([140, 91], {"hypertension"}, 79, "practice", False, "140/90 mmHg or less"),
    ([150, 90], set(), 80, "practice", True, "150/90 mmHg or less"),
    ([151, 70], set(), 80, "practice", False, "150/90 mmHg or less"),
]


@pytest.mark.parametrize(("values", "registers", "age", "place", "ok", "words"),
                         BLOOD_PRESSURE)
def test_blood_pressure_at_the_edges(values: list[float], registers: set[str], age: int,
                                     place: str, ok: bool, words: str) -> None:
    assert verdict("blood_pressure", values, registers, age, place) == (ok, words)


def test_blood_pressure_without_an_age_has_no_target() -> None:
    assert verdict("blood_pressure", [190, 100], set(), None) == (None, "")


@pytest.mark.parametrize(("timing", "value", "ok"), [
    ("waking", 4.9, False), ("waking", 5.0, True), ("waking", 7.0, True),
    ("waking", 7.1, False), ("before_meal", 3.9, False), ("before_meal", 4.0, True),
    ("after_meal", 9.0, True), ("after_meal", 9.1, False)])
def test_glucose_by_when_it_was_taken(timing: str, value: float, ok: bool) -> None:
    assert verdict("glucose", [value], {"diabetes"}, 50, timing=timing)[0] is ok


def test_glucose_of_someone_without_diabetes_has_no_target() -> None:
    assert verdict("glucose", [2.0], {"copd"}, 50, timing="before_meal") == (None, "")


@pytest.mark.parametrize(("value", "ok"), [(1.9, False), (2.0, True), (3.0, True),
                                           (3.1, False)])
def test_inr_range(value: float, ok: bool) -> None:
    assert verdict("inr", [value], set(), 70) == (ok, "2.0 to 3.0")


def test_a_personal_target_comes_first() -> None:
    own = Target("inr", "Set for this person: mechanical mitral valve", at_least=(3.0,),
                 at_most=(4.0,), personal=True)
    assert verdict("inr", [2.5], set(), 70, personal=own) == (False, "3.0 to 4.0")
    assert verdict("inr", [3.5], set(), 70, personal=own) == (True, "3.0 to 4.0")


def test_peak_flow_against_the_best_reading() -> None:
    best = History(best=(400.0,))
    assert verdict("peak_flow", [320], {"asthma"}, 30, history=best) == (
        True, "at least 80% of the best reading (400 L/min): 320 L/min or more")
    assert verdict("peak_flow", [319], {"asthma"}, 30, history=best)[0] is False
    # the first reading has nothing to be compared with
    assert verdict("peak_flow", [150], {"asthma"}, 30)[0] is None


def test_weight_rise_in_heart_failure() -> None:
    recent = History(lowest_recent=(80.0,))
    assert verdict("weight", [82.0], {"heart_failure"}, 80, history=recent)[0] is True
    j = judge(T.measure("weight"), T.for_reading("weight", Who(frozenset({"heart_failure"}),
                                                              80), "home", None),
              [82.1], recent)
    assert j.in_range is False
    assert j.verdict == "Out of range: rose by 2.1 kg in 3 days"
    assert j.limits == [[None, 82.0]]
    assert verdict("weight", [95.0], set(), 80) == (None, "")


def test_every_target_cites_its_source() -> None:
    assert T.targets
    for t in T.targets:
        assert any(s in t.source for s in ("NICE", "QOF", "BTS", "ESC", "Haematology")), t


BAD = [
    ('[measures.x]\nlabel = "X"\nunit = ""\ncomponents = ["x"]\nplausible = [[1, 2]]\n'
     'decimals = 0\n[[targets]]\nmeasure = "x"\nat_most = [1, 2]\nsource = "s"\n',
     "targets[1].at_most: expected a list of 1 number (one per component)"),
    ('[measures.x]\nlabel = "X"\nunit = ""\ncomponents = ["x"]\nplausible = [[1, 2]]\n'
     'decimals = 0\n[[targets]]\nmeasure = "y"\nat_most = [1]\nsource = "s"\n',
     "targets[1].measure: expected one of the measures x, got 'y'"),
    ('[measures.x]\nlabel = "X"\nunit = ""\ncomponents = ["x"]\nplausible = [[1, 2]]\n'
     'decimals = 0\n[[targets]]\nmeasure = "x"\nconditions = ["gout"]\nat_most = [1]\n'
     'source = "s"\n', "targets[1].conditions: expected names from"),
    ('[measures.x]\nlabel = "X"\nunit = ""\ncomponents = ["x"]\nplausible = [[2, 1]]\n'
     'decimals = 0\n', "measures.x.plausible: expected one [lowest, highest] pair"),
    ('[measures.x]\nlabel = "X"\nunit = ""\ncomponents = ["x"]\nplausible = [[1, 2]]\n'
     'decimals = 0\ncolour = "red"\n', "measures.x.colour: not a setting"),
    ('[measures.x]\nlabel = "X"\nunit = ""\ncomponents = ["x"]\nplausible = [[1, 2]]\n'
     'decimals = 0\n[[targets]]\nmeasure = "x"\nsource = "s"\n',
     "targets[1]: expected at least one of at_least"),
    ("measures = 3 =", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_targets_file_is_named_with_the_entry_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"local/targets\.toml: ") as caught:
        targets.parse(text, "local/targets.toml")
    assert message in str(caught.value)


# clinic readings (pharmacy, practice) of people on a register take their protocol's
# targets, the strictest when several apply; home readings keep the NICE NG136 home ones
WITH_PROTOCOLS = setup.load().targets
PROTOCOL_BP = [
    ({"hypertension"}, 70, "pharmacy", "140/90 mmHg or less", ["Hypertension protocol"]),
    ({"hypertension"}, 85, "practice", "150/90 mmHg or less", ["Hypertension protocol"]),
    ({"hypertension", "diabetes"}, 85, "pharmacy", "140/80 mmHg or less",
     ["Hypertension protocol", "Diabetes protocol"]),
    ({"ckd"}, 60, "practice", "139/89 mmHg or less", ["Chronic kidney disease"]),
    ({"hypertension", "diabetes"}, 70, "home", "below 135/85 mmHg", ["NICE NG136"]),
    (set(), 70, "pharmacy", "140/90 mmHg or less", ["QOF 2023-24 HYP008"]),
]


@pytest.mark.parametrize(("registers", "age", "place", "words", "sources"), PROTOCOL_BP)
def test_clinic_blood_pressure_targets_come_from_the_condition_protocols(
        registers: set[str], age: int, place: str, words: str, sources: list[str]) -> None:
    target = WITH_PROTOCOLS.for_reading("blood_pressure", Who(frozenset(registers), age),
                                        place, None)
    j = judge(WITH_PROTOCOLS.measure("blood_pressure"), target, [120, 70])
    assert (j.in_range, j.target) == (True, words)
    assert all(s in j.source for s in sources), j.source


def test_a_protocol_target_in_other_units_is_refused() -> None:
    from dataclasses import replace

    from ltc import protocols
    from ltc.care.selfcare.protocol_targets import from_protocols

    found = protocols.load()
    item = found["hypertension"].item("blood_pressure")
    odd = replace(found["hypertension"], items=(replace(item, targets=(
        replace(item.targets[0], unit="kPa"),)),))
    with pytest.raises(ConfigError, match="item blood_pressure: a target of 2 value"):
        from_protocols({"hypertension": odd}, T.measures)
