"""Small-number suppression: the one rule every published figure goes through (COM-7).

A count from 1 to 7 could identify someone and is withheld; any other count is rounded
to the nearest 5 (the disclosure control OpenSAFELY applies to its outputs: redact
counts of 7 or fewer, round to 5). Zero is shown: it identifies nobody. Rates and
percentages are computed from the rounded count, never from the exact one.
"""

from __future__ import annotations

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
