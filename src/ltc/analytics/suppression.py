"""Small-number suppression: the one rule every published figure goes through (COM-7).

A count from 1 to 7 could identify someone and is withheld; any other count is rounded
to the nearest 5 (the disclosure control OpenSAFELY applies to its outputs: redact
counts of 7 or fewer, round to 5). Zero is shown: it identifies nobody. Rates and
percentages are computed from the rounded count, never from the exact one. A table that
shows its totals withholds more cells (secondary suppression, :func:`table`), so that no
withheld cell can be recovered by subtraction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 7
ROUND_TO = 5
WITHHELD = "*"


def count(n: int) -> int | None:
    """The publishable form of a count: None when withheld."""
    if 0 < n <= THRESHOLD:
        return None
    return int(ROUND_TO * round(n / ROUND_TO))


def percent(numerator: int, denominator: int) -> float | None:
    """Publishable percentage: None when the numerator or denominator is withheld or 0."""
    top, bottom = count(numerator), count(denominator)
    if top is None or not bottom:
        return None
    return 100.0 * top / bottom


def show_percent(numerator: int, denominator: int, digits: int = 1) -> str:
    """Text for a table cell: the suppressed percentage, ``*`` when withheld, ``-`` if none."""
    if 0 < numerator <= THRESHOLD or 0 < denominator <= THRESHOLD:
        return WITHHELD
    value = percent(numerator, denominator)
    return "-" if value is None else f"{value:.{digits}f}"


# Secondary suppression: a table with totals ----------------------------------------------
#
# Withholding a cell is not enough when the table also gives its row and column totals:
# the cell is the total less the others. So further cells are withheld (secondary
# suppression) until no withheld cell can be worked out from what is shown. Think of the
# table with its totals as a grid of (rows + 1) x (columns + 1) cells in which every row
# and every column adds up (the last cell of each being its total). A withheld cell can be
# worked out exactly when it lies on no *cycle* of withheld cells (a closed path that
# turns only at withheld cells, alternating along a row and down a column): on a cycle
# one can add 1 and take 1 alternately and every sum still holds, so its value is unknown;
# off every cycle, the sums fix it. Hence at least two withheld cells in any row or column
# that has one, and more where that alone would still leave a cell fixed. The rule used:
# while some withheld cell lies on no cycle, withhold the cheapest rectangle through it
# (three more cells at the corners, the fewest people first, shown zeros last, totals
# being large are naturally last), which puts it on a cycle of four.


@dataclass(frozen=True)
class Table:
    """A published table: every cell rounded to 5 or withheld (None), totals included."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None


def _grid(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    """The counts with their row totals (last column) and column totals (last row)."""
    if not counts or not counts[0]:
        raise ValueError("counts: empty; expected at least one row of at least one count")
    width = len(counts[0])
    for r, row in enumerate(counts):
        if len(row) != width:
            raise ValueError(f"counts row {r + 1}: {len(row)} cells; expected {width}, as "
                             "the first row (every row the same width)")
        for c, value in enumerate(row):
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"counts row {r + 1}, column {c + 1}: {value!r}; expected "
                                 "a whole number of people, 0 or more")
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(row[c] for row in grid) for c in range(width + 1)])
    return grid


def _on_a_cycle(cell: tuple[int, int], withheld: set[tuple[int, int]]) -> bool:
    """Whether ``cell`` lies on a cycle of withheld cells: whether its row and column are
    still joined through withheld cells once it is taken away (rows and columns as the
    nodes of a graph, withheld cells as its edges)."""
    links: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for r, c in withheld:
        if (r, c) != cell:
            links.setdefault(("r", r), []).append(("c", c))
            links.setdefault(("c", c), []).append(("r", r))
    start, goal = ("r", cell[0]), ("c", cell[1])
    seen, todo = {start}, [start]
    while todo:
        for other in links.get(todo.pop(), []):
            if other == goal:
                return True
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return False


def table(counts: Sequence[Sequence[int]]) -> Table:
    """The publishable form of a table of counts (rows of cells) with its row, column and
    grand totals: counts of 1 to 7 withheld (primary), further cells withheld so none of
    them can be worked out from the totals (secondary), the rest rounded to 5."""
    grid = _grid(counts)
    rows, cols = len(grid), len(grid[0])
    withheld = {(r, c) for r in range(rows) for c in range(cols)
                if 0 < grid[r][c] <= THRESHOLD}

    def cost(cell: tuple[int, int]) -> float:
        if cell in withheld:
            return 0
        value = grid[cell[0]][cell[1]]
        return value if value else float(sum(map(sum, grid)) + 1)  # zeros last

    while exposed := sorted(cell for cell in withheld if not _on_a_cycle(cell, withheld)):
        r, c = exposed[0]
        corners = min((cost((r, c2)) + cost((r2, c)) + cost((r2, c2)), r2, c2)
                       for r2 in range(rows) if r2 != r for c2 in range(cols) if c2 != c)
        _, r2, c2 = corners
        withheld |= {(r, c2), (r2, c), (r2, c2)}
    shown = [[None if (r, c) in withheld else count(grid[r][c]) for c in range(cols)]
             for r in range(rows)]
    return Table(tuple(tuple(row[:-1]) for row in shown[:-1]),
                 tuple(row[-1] for row in shown[:-1]), tuple(shown[-1][:-1]), shown[-1][-1])
