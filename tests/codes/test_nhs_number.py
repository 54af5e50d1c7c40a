"""NHS number: the Modulus 11 rule, its vectorised form, and number generation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltc.codes import nhs_number


def _mod11(first_nine: str) -> int | None:
    """The rule written out plainly, independent of the module under test."""
    total = sum(int(d) * w for d, w in zip(first_nine, [10, 9, 8, 7, 6, 5, 4, 3, 2],
                                           strict=True))
    check = 11 - total % 11
    return {11: 0, 10: None}.get(check, check)


def test_worked_example() -> None:
    assert nhs_number.check_digit("943476591") == 9
    assert nhs_number.problem("9434765919") is None
    assert nhs_number.is_valid("9434765919")


def test_check_value_eleven_gives_zero() -> None:
    assert nhs_number.check_digit("010000001") == 0
    assert nhs_number.is_valid("0100000010")
    assert not nhs_number.is_valid("0100000011")


def test_check_value_ten_is_never_valid() -> None:
    # 1*10 + 1*2 = 12; 12 % 11 = 1; 11 - 1 = 10
    assert nhs_number.check_digit("100000001") is None
    for last in "0123456789":
        value = "100000001" + last
        assert not nhs_number.is_valid(value)
        assert "check value 10" in str(nhs_number.problem(value))
    assert not nhs_number.valid_mask(np.array([f"100000001{d}" for d in range(10)])).any()


@pytest.mark.parametrize("value", [
    "9434765919",  # 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 % 11 = 2; 11-2 = 9
    "4010232137",  # 40+0+8+0+12+15+8+3+6 = 92; 92 % 11 = 4; 11-4 = 7
    "0100000010",  # 1*9 + 1*2 = 11; 11 % 11 = 0; 11-0 = 11 -> check digit 0
    "1000000001",  # 1*10 = 10; 10 % 11 = 10; 11-10 = 1
])
def test_known_valid(value: str) -> None:
    assert nhs_number.problem(value) is None
    assert nhs_number.valid_mask(np.array([value])).tolist() == [True]


@pytest.mark.parametrize(("value", "reason"), [
    ("9434765918", "Modulus 11"),        # wrong check digit
    ("9434765910", "Modulus 11"),
    ("4010232138", "Modulus 11"),
    ("943476591", "has 9 characters"),    # too short
    ("94347659190", "has 11 characters"),  # too long
    ("", "has 0 characters"),
    ("943476591X", "not a digit"),
    ("943 476591", "not a digit"),
    ("-943476591", "not a digit"),
    ("٩٤٣٤٧٦٥٩١٩", "not a digit"),  # Arabic-Indic digits: str.isdigit() accepts them
    ("943476591²", "not a digit"),   # superscript two: also str.isdigit()
])
def test_known_invalid(value: str, reason: str) -> None:
    message = nhs_number.problem(value)
    assert message is not None
    assert reason in message
    assert not nhs_number.is_valid(value)
    assert nhs_number.valid_mask(np.array([value])).tolist() == [False]
    assert nhs_number.valid_mask([value]).tolist() == [False]  # type: ignore[arg-type]


def test_wrong_check_digit_names_the_right_one() -> None:
    assert "should be 9" in str(nhs_number.problem("9434765918"))


def test_check_digit_refuses_non_digits() -> None:
    with pytest.raises(ValueError, match="nine digits"):
        nhs_number.check_digit("94347659")
    with pytest.raises(ValueError, match="nine digits"):
        nhs_number.check_digit("٩٤٣٤٧٦٥٩١")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_check_digit_matches_the_rule(first_nine: str) -> None:
    assert nhs_number.check_digit(first_nine) == _mod11(first_nine)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 9),
       st.integers(1, 9))
def test_every_single_digit_error_is_caught(first_nine: str, position: int, shift: int) -> None:
    check = nhs_number.check_digit(first_nine)
    if check is None:
        return
    value = first_nine + str(check)
    assert nhs_number.is_valid(value)
    wrong = value[:position] + str((int(value[position]) + shift) % 10) + value[position + 1:]
    assert not nhs_number.is_valid(wrong)
    assert not nhs_number.valid_mask(np.array([wrong]))[0]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8))
def test_adjacent_transpositions_are_caught(first_nine: str, position: int) -> None:
    check = nhs_number.check_digit(first_nine)
    if check is None:
        return
    value = first_nine + str(check)
    if value[position] == value[position + 1]:
        return
    swapped = value[:position] + value[position + 1] + value[position] + value[position + 2:]
    assert not nhs_number.is_valid(swapped)


def _near_valid() -> st.SearchStrategy[str]:
    """Ten ASCII digits with the right check digit about half the time."""
    def finish(first_nine: str, last: int, fix: bool) -> str:
        check = nhs_number.check_digit(first_nine)
        return first_nine + str(check if fix and check is not None else last)
    return st.builds(finish, st.text(alphabet="0123456789", min_size=9, max_size=9),
                     st.integers(0, 9), st.booleans())


STRINGS = st.one_of(
    _near_valid(),
    st.text(alphabet="0123456789", min_size=8, max_size=12),
    st.text(alphabet="0123456789 +-.x٣²\x00", min_size=9, max_size=11),
    st.text(max_size=12),
)


@settings(max_examples=150)
@given(st.lists(STRINGS, min_size=1, max_size=40))
def test_valid_mask_agrees_with_problem(values: list[str]) -> None:
    expected = [nhs_number.problem(v) is None for v in values]
    assert nhs_number.valid_mask(values).tolist() == expected  # type: ignore[arg-type]
    assert nhs_number.valid_mask(np.array(values, dtype=object)).tolist() == expected
    # A NumPy string array drops trailing NULs, so compare it on values without them.
    plain = [v for v in values if not v.endswith("\x00")]
    if plain:
        assert nhs_number.valid_mask(np.array(plain)).tolist() == [
            nhs_number.problem(v) is None for v in plain]


def test_valid_mask_on_a_large_random_sample() -> None:
    rng = np.random.default_rng(20240301)
    digits = rng.integers(0, 10, size=(5000, 10))
    values = ["".join(map(str, row)) for row in digits]
    mask = nhs_number.valid_mask(np.array(values))
    assert mask.tolist() == [nhs_number.is_valid(v) for v in values]
    # about one random ten-digit string in eleven passes
    assert 0.05 < mask.mean() < 0.15


def test_valid_mask_empty() -> None:
    assert nhs_number.valid_mask(np.array([], dtype=str)).shape == (0,)
    assert nhs_number.valid_mask([]).shape == (0,)  # type: ignore[arg-type]


def test_trailing_nul_is_not_a_valid_number() -> None:
    assert not nhs_number.valid_mask(["9434765919\x00"])[0]  # type: ignore[arg-type]
    assert nhs_number.problem("9434765919\x00") is not None


def test_from_serials_valid_and_unique() -> None:
    serials = np.arange(0, 20_000, dtype=np.int64)
    numbers = nhs_number.from_serials(serials)
    assert numbers.shape == serials.shape
    text = np.array([f"{n:010d}" for n in numbers])
    assert nhs_number.valid_mask(text).all()
    assert len(set(numbers.tolist())) == len(numbers)
    assert all(t.startswith("9") for t in text)
    # serials whose number would have check value 10 were replaced, the rest kept
    unusable = [s for s in range(20_000) if nhs_number.check_digit(f"9{s:08d}") is None]
    assert unusable
    kept = numbers // 10 - 9 * 10**8
    assert np.array_equal(np.delete(kept, unusable), np.delete(serials, unusable))
    assert (kept[unusable] >= 20_000).all()


def test_from_serials_sparse_deterministic_and_other_prefix() -> None:
    rng = np.random.default_rng(7)
    serials = rng.choice(10**8 - 1000, size=5000, replace=False).astype(np.int64)
    first = nhs_number.from_serials(serials, prefix=4)
    assert np.array_equal(first, nhs_number.from_serials(serials, prefix=4))
    text = [f"{n:010d}" for n in first]
    assert all(nhs_number.is_valid(t) and t[0] == "4" for t in text)
    assert len(set(text)) == len(text)


def test_from_serials_refuses_serials_out_of_range() -> None:
    with pytest.raises(ValueError, match="serials"):
        nhs_number.from_serials(np.array([10**8], dtype=np.int64))
    with pytest.raises(ValueError, match="serials"):
        nhs_number.from_serials(np.array([-1], dtype=np.int64))
    with pytest.raises(ValueError, match="prefix"):
        nhs_number.from_serials(np.array([1], dtype=np.int64), prefix=10)


def test_from_serials_never_overflows_into_an_eleventh_digit() -> None:
    top = next(s for s in range(10**8 - 1, 0, -1)
               if nhs_number.check_digit(f"9{s:08d}") is None)
    ok_above = [s for s in range(top + 1, 10**8) if nhs_number.check_digit(f"9{s:08d}")
                is not None]
    if not ok_above:
        with pytest.raises(ValueError, match="no serials left"):
            nhs_number.from_serials(np.array([top], dtype=np.int64))
    else:
        numbers = nhs_number.from_serials(np.array([top], dtype=np.int64))
        assert numbers[0] < 10**10
        assert nhs_number.is_valid(f"{numbers[0]:010d}")
    last = 10**8 - 1
    bad_last = nhs_number.check_digit(f"9{last:08d}") is None
    if bad_last:
        with pytest.raises(ValueError, match="no serials left"):
            nhs_number.from_serials(np.array([last], dtype=np.int64))


def test_from_serials_empty() -> None:
    assert nhs_number.from_serials(np.array([], dtype=np.int64)).shape == (0,)


def test_from_key_stable_and_valid() -> None:
    first = nhs_number.from_key("synthea:abc-123")
    assert first == nhs_number.from_key("synthea:abc-123")
    assert nhs_number.is_valid(first)
    assert first.startswith("9")
    others = {nhs_number.from_key(f"synthea:{i}") for i in range(2000)}
    assert len(others) == 2000
    assert all(nhs_number.is_valid(n) for n in others)


def test_from_key_avoids_taken() -> None:
    first = nhs_number.from_key("patient-42")
    second = nhs_number.from_key("patient-42", taken={first})
    assert second != first
    assert nhs_number.is_valid(second)
    assert second == nhs_number.from_key("patient-42", taken={first})
    third = nhs_number.from_key("patient-42", taken={first, second})
    assert third not in {first, second}
    assert nhs_number.is_valid(third)


def test_from_key_gives_distinct_numbers_when_taken_is_kept() -> None:
    taken: set[str] = set()
    for i in range(3000):
        number = nhs_number.from_key(f"k{i % 50}", taken=taken)
        assert number not in taken
        taken.add(number)
    assert len(taken) == 3000
