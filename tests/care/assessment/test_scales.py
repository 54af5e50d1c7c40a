"""Assessment instruments (CM-4): published options and points, bands at their edges, flags,
and the messages a person sees for a wrong answer set."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ltc.care.assessment.scales import (
    SCALES,
    SELF_HARM_FLAG,
    Scale,
    barthel_0_20,
    score,
)
from spec_tables import parse

rows = parse  # a spec table (header line, then one line per row) as dicts of strings


def split(row: dict[str, str], scale: Scale) -> dict[str, int]:
    """The answers in a spec row: the columns named for the scale's items."""
    return {item.id: int(row[item.id]) for item in scale.items}


# -- published options ----------------------------------------------------------------------
BARTHEL_OPTIONS = """
item      | values
feeding   | 0 5 10
bathing   | 0 5
grooming  | 0 5
dressing  | 0 5 10
bowels    | 0 5 10
bladder   | 0 5 10
toilet    | 0 5 10
transfers | 0 5 10 15
mobility  | 0 5 10 15
stairs    | 0 5 10
"""

# Lawton & Brody 1969: the 0/1 score of each numbered response, in published order
LAWTON_POINTS = """
item             | points
telephone        | 1 1 1 0
shopping         | 1 0 0 0
food_preparation | 1 0 0 0
housekeeping     | 1 1 1 1 0
laundry          | 1 1 0
transportation   | 1 1 1 0 0
medications      | 1 0 0
finances         | 1 1 0
"""


def test_barthel_items_and_values_as_published() -> None:
    scale = SCALES["barthel"]
    expected = {r["item"]: tuple(int(v) for v in r["values"].split())
                for r in rows(BARTHEL_OPTIONS)}
    assert {item.id: item.values for item in scale.items} == expected
    assert [item.id for item in scale.items] == list(expected)
    for item in scale.items:
        assert all(o.points == o.value for o in item.options), item.id


def test_lawton_domains_and_points_as_published() -> None:
    scale = SCALES["lawton"]
    expected = {r["item"]: tuple(int(p) for p in r["points"].split())
                for r in rows(LAWTON_POINTS)}
    assert {item.id: tuple(o.points for o in item.options) for item in scale.items} == expected
    for item in scale.items:
        assert item.values == tuple(range(1, len(item.options) + 1)), item.id


def test_phq_items_are_0_to_3_and_phq2_is_phq9_items_1_and_2() -> None:
    for scale_id, count in (("phq9", 9), ("phq2", 2)):
        scale = SCALES[scale_id]
        assert len(scale.items) == count
        assert all(item.values == (0, 1, 2, 3) for item in scale.items)
        assert [o.label for o in scale.items[0].options] == [
            "Not at all", "Several days", "More than half the days", "Nearly every day"]
    assert SCALES["phq2"].items == SCALES["phq9"].items[:2]
    assert SCALES["phq9"].items[8].question.startswith("Thoughts that you would be better off")


@pytest.mark.parametrize(("scale_id", "published_max"),
                         [("barthel", 100), ("lawton", 8), ("phq2", 6), ("phq9", 27)])
def test_maximum_total_is_the_published_maximum(scale_id: str, published_max: int) -> None:
    scale = SCALES[scale_id]
    assert scale.max_total == published_max
    assert scale.min_total == 0
    best = {item.id: max(item.options, key=lambda o: o.points).value for item in scale.items}
    assert score(scale_id, best).total == published_max


@pytest.mark.parametrize("scale", list(SCALES.values()), ids=list(SCALES))
def test_every_scale_is_complete_for_a_form(scale: Scale) -> None:
    assert all((scale.source, scale.instructions, scale.title, scale.name))
    ids = [item.id for item in scale.items]
    assert len(ids) == len(set(ids))
    for item in scale.items:
        assert item.question
        assert len(item.values) == len(set(item.values)) >= 2, item.id
        assert all(o.label for o in item.options), item.id
    if scale.bands:  # every total from min to max falls in exactly one band
        for total in range(scale.min_total, scale.max_total + 1):
            assert sum(b.low <= total <= b.high for b in scale.bands) == 1, total


def test_scales_are_keyed_by_their_ids() -> None:
    assert list(SCALES) == ["barthel", "lawton", "phq2", "phq9"]
    assert all(key == scale.id for key, scale in SCALES.items())


# -- Barthel ----------------------------------------------------------------------------------
BARTHEL_CASES = """
feeding | bathing | grooming | dressing | bowels | bladder | toilet | transfers | mobility | stairs | total | band
0       | 0       | 0        | 0        | 0      | 0       | 0      | 0         | 0        | 0      | 0     | total dependency
10      | 0       | 0        | 0        | 10     | 0       | 0      | 0         | 0        | 0      | 20    | total dependency
10      | 5       | 0        | 0        | 10     | 0       | 0      | 0         | 0        | 0      | 25    | severe dependency
10      | 5       | 5        | 10       | 10     | 10      | 10     | 0         | 0        | 0      | 60    | severe dependency
10      | 5       | 5        | 10       | 10     | 10      | 10     | 5         | 0        | 0      | 65    | moderate dependency
10      | 5       | 5        | 10       | 10     | 10      | 10     | 15        | 15       | 0      | 90    | moderate dependency
10      | 5       | 5        | 10       | 10     | 10      | 10     | 15        | 15       | 5      | 95    | slight dependency
10      | 5       | 5        | 10       | 10     | 10      | 10     | 15        | 15       | 10     | 100   | independent
5       | 0       | 5        | 5        | 5      | 5       | 5      | 10        | 5        | 0      | 45    | severe dependency
"""  # noqa: E501

# Shah et al. 1989 band edges; 21, 61, 91 and 99 are not multiples of 5, so no answer set
# reaches them and the band is checked on the total itself
BARTHEL_BANDS = """
total | band
20    | total dependency
21    | severe dependency
60    | severe dependency
61    | moderate dependency
90    | moderate dependency
91    | slight dependency
99    | slight dependency
100   | independent
"""


@pytest.mark.parametrize("row", rows(BARTHEL_CASES), ids=lambda r: r["total"])
def test_barthel_total_and_band(row: dict[str, str]) -> None:
    result = score("barthel", split(row, SCALES["barthel"]))
    assert (result.total, result.band, result.flags) == (int(row["total"]), row["band"], ())
    assert result.max_total == 100


@pytest.mark.parametrize("row", rows(BARTHEL_BANDS), ids=lambda r: r["total"])
def test_barthel_band_edges(row: dict[str, str]) -> None:
    assert SCALES["barthel"].band(int(row["total"])) == row["band"]


@pytest.mark.parametrize(("total", "on_20"), [(0, 0), (5, 1), (45, 9), (100, 20)])
def test_barthel_on_the_0_20_scale(total: int, on_20: int) -> None:
    assert barthel_0_20(total) == on_20


@pytest.mark.parametrize("total", [-5, 7, 101, 105])
def test_barthel_0_20_refuses_an_impossible_total(total: int) -> None:
    with pytest.raises(ValueError, match="multiple of 5 from 0 to 100"):
        barthel_0_20(total)


# -- Lawton -----------------------------------------------------------------------------------
LAWTON_CASES = """
name               | telephone | shopping | food_preparation | housekeeping | laundry | transportation | medications | finances | total
all dependent      | 4         | 4        | 4                | 5            | 3       | 5              | 3           | 3        | 0
all independent    | 1         | 1        | 1                | 1            | 1       | 1              | 1           | 1        | 8
mixed              | 3         | 2        | 4                | 4            | 2       | 3              | 2           | 2        | 5
lowest scoring 1s  | 3         | 1        | 1                | 4            | 2       | 3              | 1           | 2        | 8
highest scoring 0s | 4         | 2        | 2                | 5            | 3       | 4              | 2           | 3        | 0
"""  # noqa: E501


@pytest.mark.parametrize("row", rows(LAWTON_CASES), ids=lambda r: r["name"])
def test_lawton_total(row: dict[str, str]) -> None:
    result = score("lawton", split(row, SCALES["lawton"]))
    assert (result.total, result.max_total, result.band, result.flags) == (
        int(row["total"]), 8, None, ())


# -- PHQ-9 and PHQ-2 --------------------------------------------------------------------------
PHQ9_CASES = """
item1 | item2 | item3 | item4 | item5 | item6 | item7 | item8 | item9 | total | band              | flagged
0     | 0     | 0     | 0     | 0     | 0     | 0     | 0     | 0     | 0     | none-minimal      | no
3     | 1     | 0     | 0     | 0     | 0     | 0     | 0     | 0     | 4     | none-minimal      | no
3     | 2     | 0     | 0     | 0     | 0     | 0     | 0     | 0     | 5     | mild              | no
3     | 3     | 3     | 0     | 0     | 0     | 0     | 0     | 0     | 9     | mild              | no
3     | 3     | 3     | 1     | 0     | 0     | 0     | 0     | 0     | 10    | moderate          | no
3     | 3     | 3     | 3     | 2     | 0     | 0     | 0     | 0     | 14    | moderate          | no
3     | 3     | 3     | 3     | 3     | 0     | 0     | 0     | 0     | 15    | moderately severe | no
3     | 3     | 3     | 3     | 3     | 3     | 1     | 0     | 0     | 19    | moderately severe | no
3     | 3     | 3     | 3     | 3     | 3     | 2     | 0     | 0     | 20    | severe            | no
3     | 3     | 3     | 3     | 3     | 3     | 3     | 3     | 0     | 24    | severe            | no
3     | 3     | 3     | 3     | 3     | 3     | 3     | 3     | 3     | 27    | severe            | yes
0     | 0     | 0     | 0     | 0     | 0     | 0     | 0     | 1     | 1     | none-minimal      | yes
3     | 1     | 0     | 0     | 0     | 0     | 0     | 0     | 1     | 5     | mild              | yes
"""  # noqa: E501

PHQ2_CASES = """
item1 | item2 | total | band
0     | 0     | 0     | negative screen
1     | 1     | 2     | negative screen
2     | 0     | 2     | negative screen
0     | 3     | 3     | positive screen
2     | 1     | 3     | positive screen
3     | 3     | 6     | positive screen
"""


@pytest.mark.parametrize("row", rows(PHQ9_CASES), ids=lambda r: f"{r['total']}-{r['item9']}")
def test_phq9_total_band_and_self_harm_flag(row: dict[str, str]) -> None:
    result = score("phq9", split(row, SCALES["phq9"]))
    flags = (SELF_HARM_FLAG,) if row["flagged"] == "yes" else ()
    assert (result.total, result.band, result.flags) == (int(row["total"]), row["band"], flags)


def test_self_harm_flag_asks_for_same_day_review() -> None:
    assert "same-day clinical review" in SELF_HARM_FLAG
    assert SCALES["phq9"].items[8].flag == SELF_HARM_FLAG


@pytest.mark.parametrize("row", rows(PHQ2_CASES), ids=lambda r: f"{r['item1']}+{r['item2']}")
def test_phq2_screen(row: dict[str, str]) -> None:
    result = score("phq2", split(row, SCALES["phq2"]))
    assert (result.total, result.band, result.flags) == (int(row["total"]), row["band"], ())


# -- messages for a wrong answer set ----------------------------------------------------------
BARTHEL_ALL_INDEPENDENT = {"feeding": 10, "bathing": 5, "grooming": 5, "dressing": 10,
                           "bowels": 10, "bladder": 10, "toilet": 10, "transfers": 15,
                           "mobility": 15, "stairs": 10}
LAWTON_ALL_INDEPENDENT = {item.id: 1 for item in SCALES["lawton"].items}


def message(scale_id: str, answers: Mapping[str, object]) -> str:
    with pytest.raises(ValueError, match=r"\S") as raised:
        score(scale_id, answers)  # type: ignore[arg-type]
    return str(raised.value)


def test_disallowed_value_names_the_item_and_the_allowed_values() -> None:
    answers = {**BARTHEL_ALL_INDEPENDENT, "transfers": 7}
    assert message("barthel", answers) == \
        "Barthel: item 'transfers' must be one of 0, 5, 10, 15; got 7"


def test_missing_item() -> None:
    answers = {k: v for k, v in BARTHEL_ALL_INDEPENDENT.items() if k != "transfers"}
    assert message("barthel", answers) == \
        "Barthel: item 'transfers' is missing; it must be one of 0, 5, 10, 15"


def test_unknown_item() -> None:
    answers = {**BARTHEL_ALL_INDEPENDENT, "walking": 15}
    assert message("barthel", answers) == (
        "Barthel: unknown item 'walking'; the items are feeding, bathing, grooming, dressing, "
        "bowels, bladder, toilet, transfers, mobility, stairs")


def test_lawton_takes_the_response_number_not_the_score() -> None:
    answers = {**LAWTON_ALL_INDEPENDENT, "telephone": 0}
    assert message("lawton", answers) == \
        "Lawton IADL: item 'telephone' must be one of 1, 2, 3, 4; got 0"


@pytest.mark.parametrize(("value", "shown"), [(True, "True"), ("2", "'2'"), (2.0, "2.0"),
                                              (-1, "-1"), (4, "4")])
def test_phq_answer_that_is_not_an_allowed_integer(value: object, shown: str) -> None:
    answers: dict[str, object] = {"item1": 0, "item2": value}
    assert message("phq2", answers) == \
        f"PHQ-2: item 'item2' must be one of 0, 1, 2, 3; got {shown}"


def test_every_problem_is_reported_at_once() -> None:
    answers = {"item1": 9, "item9": 0, "mood": 1}
    assert message("phq2", answers).splitlines() == [
        "PHQ-2: unknown item 'item9'; the items are item1, item2",
        "PHQ-2: unknown item 'mood'; the items are item1, item2",
        "PHQ-2: item 'item1' must be one of 0, 1, 2, 3; got 9",
        "PHQ-2: item 'item2' is missing; it must be one of 0, 1, 2, 3",
    ]


def test_unknown_scale() -> None:
    assert message("gds", {}) == "unknown scale 'gds'; the scales are barthel, lawton, phq2, phq9"


# -- any valid answer set ---------------------------------------------------------------------
@st.composite
def answer_sets(draw: st.DrawFn) -> tuple[Scale, dict[str, int]]:
    scale = draw(st.sampled_from(list(SCALES.values())))
    return scale, {item.id: draw(st.sampled_from(item.values)) for item in scale.items}


@given(answer_sets())
def test_any_valid_answer_set_scores_within_the_scale(case: tuple[Scale, dict[str, int]]) -> None:
    scale, answers = case
    result = score(scale.id, answers)
    points = {item.id: {o.value: o.points for o in item.options} for item in scale.items}
    assert result.total == sum(points[key][value] for key, value in answers.items())
    assert scale.min_total <= result.total <= scale.max_total
    assert (result.band is None) == (not scale.bands)
    assert result.flags == ((SELF_HARM_FLAG,) if answers.get("item9", 0) > 0 else ())
