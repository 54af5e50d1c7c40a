"""Secondary suppression (COM-7): a table with totals gives away no withheld cell.

By hand, ``[[3, 20, 30], [40, 50, 60]]``: the 3 is withheld; it could be recovered as 53 -
20 - 30, so the cheapest rectangle through it is withheld too (20, 40 and 50: 110 people,
against 130 for 20, 40, 60 ...). The rest are rounded to 5 (53 -> 55, 43 -> 45, 203 -> 205).

The property test checks every table Hypothesis draws against an independent criterion: a
withheld cell can be worked out from what is shown exactly when the equations "each row
and each column adds up to its total", with the shown values put in, fix its value, i.e.
when its unit vector lies in the row space of the equations' coefficients on the withheld
cells (a rank test with numpy).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltc.analytics.suppression import Table, table


def test_a_small_count_and_its_complements_are_withheld() -> None:
    got = table([[3, 20, 30], [40, 50, 60]])
    assert got.cells == ((None, None, 30), (None, None, 60))
    assert got.row_totals == (55, 150)
    assert got.column_totals == (45, 70, 90)
    assert got.total == 205


def test_a_single_row_hides_its_cells_and_the_column_totals_with_them() -> None:
    got = table([[5, 100]])
    assert (got.cells, got.row_totals, got.column_totals, got.total) == (
        ((None, None),), (105,), (None, None), 105)


def test_a_table_without_small_counts_is_only_rounded() -> None:
    got = table([[0, 12], [23, 8]])
    assert got == Table(((0, 10), (25, 10)), (10, 30), (25, 20), 45)


def test_bad_tables_are_refused_naming_the_cell() -> None:
    with pytest.raises(ValueError, match=r"counts row 2: 1 cells; expected 2"):
        table([[1, 2], [3]])
    with pytest.raises(ValueError, match=r"counts row 1, column 2: -4; expected a whole"):
        table([[1, -4]])
    with pytest.raises(ValueError, match=r"counts: empty"):
        table([])


def _grid(got: Table) -> list[list[int | None]]:
    rows = [[*cells, total] for cells, total in zip(got.cells, got.row_totals, strict=True)]
    return [*rows, [*got.column_totals, got.total]]


def _derivable(shown: list[list[int | None]]) -> list[tuple[int, int]]:
    """Withheld cells whose value the row and column sums fix."""
    unknown = [(r, c) for r, row in enumerate(shown) for c, v in enumerate(row) if v is None]
    if not unknown:
        return []
    rows, cols = len(shown), len(shown[0])
    index = {cell: i for i, cell in enumerate(unknown)}
    equations = []
    for line in [[(r, c) for c in range(cols)] for r in range(rows)] + [
            [(r, c) for r in range(rows)] for c in range(cols)]:
        coefficients = np.zeros(len(unknown))
        for position, cell in enumerate(line):
            if cell in index:  # the line's last cell is its total: the others add up to it
                coefficients[index[cell]] = -1.0 if position == len(line) - 1 else 1.0
        equations.append(coefficients)
    a = np.array(equations)
    rank = np.linalg.matrix_rank(a)
    return [cell for cell, i in index.items()
            if np.linalg.matrix_rank(np.vstack([a, np.eye(len(unknown))[i]])) == rank]


COUNTS = st.one_of(st.integers(0, 9), st.integers(0, 60))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda width: st.lists(
    st.lists(COUNTS, min_size=width, max_size=width), min_size=1, max_size=4)))
def test_no_cell_shows_a_small_or_unrounded_count_and_none_is_derivable(
        counts: list[list[int]]) -> None:
    shown = _grid(table(counts))
    for row in shown:
        for value in row:
            assert value is None or (value % 5 == 0 and not 0 < value <= 7)
    assert _derivable(shown) == []
    # everything small is withheld (the exact values, with their totals)
    exact = [[*row, sum(row)] for row in counts]
    exact.append([sum(column) for column in zip(*exact, strict=True)])
    for r, row in enumerate(exact):
        for c, value in enumerate(row):
            if 0 < value <= 7:
                assert shown[r][c] is None


def test_the_derivability_check_can_fail() -> None:
    """A lone withheld cell beside its total is derivable: the check sees it."""
    assert _derivable([[None, 10, 20], [10, 10, 20], [20, 20, 40]]) == [(0, 0)]
