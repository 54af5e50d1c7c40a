"""The rule language of the QOF indicator definitions, parsed and compiled to Ibis (DM-6).

A rule is written as NHS Digital's business rules write it, for example::

    (IFCCHBA_DAT <= PPED - 12 months OR IFCCHBA_DAT = null) AND SERFRUC_DAT > PPED - 12 months

- operands: a field (``IFCCHBA_DAT``, ``BPSYS_VAL``), a qualifying date (``ACHV_DAT``,
  ``PPED``, ``QSSD``), ``PAT_AGE``, a number, a date (``2013-04-01``) or ``null``; a date
  may be shifted by ``+``/``-`` a whole number of ``days``, ``months`` or ``years``;
- comparisons: ``=``, ``!=`` (or ``≠``), ``>``, ``>=``, ``<``, ``<=``;
- ``AND`` binds tighter than ``OR``; brackets group.

As in the business rules, a comparison with an empty field is false, and ``X = null`` /
``X != null`` ask whether a field is empty. A month is a calendar month, clamped to the
month's last day (:func:`ltc.windows.months_before`): 31 March 2022 minus 6 months is
30 September 2021. Field bounds (``after = "DM_DAT + 279 days"``) use the operand syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from ltc.windows import months_before

Kind = Literal["date", "number"]
QUALIFYING = ("ACHV_DAT", "PPED", "QSSD")
UNITS = ("days", "months", "years")
OPS = ("=", "!=", ">", ">=", "<", "<=")


class RuleSyntaxError(ValueError):
    """A rule or operand that cannot be read; the message says where and what was expected."""


@dataclass(frozen=True)
class QofDates:
    """The qualifying dates of one extraction (business rules v46, section 3.1).

    ``achievement`` (ACHV_DAT) is the date up to which records are read; ``pped`` (PPED) is
    31 March closing the QOF year (1 April to 31 March) that holds it and ``qssd`` (QSSD)
    is 1 April opening that year. At the year end the achievement date is PPED itself.
    """

    achievement: date
    pped: date
    qssd: date

    @classmethod
    def of(cls, achievement: date) -> QofDates:
        year = achievement.year if achievement.month <= 3 else achievement.year + 1
        return cls(achievement=achievement, pped=date(year, 3, 31), qssd=date(year - 1, 4, 1))

    def named(self, name: str) -> date:
        return {"ACHV_DAT": self.achievement, "PPED": self.pped, "QSSD": self.qssd}[name]


# -- the tree --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """A field, a qualifying date or PAT_AGE."""

    name: str


@dataclass(frozen=True)
class Constant:
    """A number or a date written in the rule."""

    value: float | date


@dataclass(frozen=True)
class Null:
    """``null``: only with ``=`` or ``!=``."""


@dataclass(frozen=True)
class Shifted:
    """A date operand moved by a whole number of days, months or years."""

    base: Ref | Constant
    amount: int
    unit: str


Operand = Ref | Constant | Null | Shifted


@dataclass(frozen=True)
class Compare:
    left: Operand
    op: str
    right: Operand


@dataclass(frozen=True)
class Junction:
    """``AND`` or ``OR`` of two or more parts."""

    op: Literal["AND", "OR"]
    parts: tuple[Expr, ...]


Expr = Compare | Junction


# -- reading ---------------------------------------------------------------------------------
_TOKEN = re.compile(r"\s*(?:(?P<date>\d{4}-\d{2}-\d{2})|(?P<num>\d+(?:\.\d+)?)"
                    r"|(?P<op>!=|≠|>=|<=|=|>|<|\+|-|\(|\))|(?P<word>[A-Za-z_][A-Za-z0-9_]*))")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    found: list[tuple[str, str, int]] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise RuleSyntaxError(f"cannot read {text[position:].strip()[:20]!r} at character "
                                  f"{position + 1} of {text!r}")
        value = match.group(match.lastgroup)
        found.append((match.lastgroup, "!=" if value == "≠" else value, match.start(
            match.lastgroup)))
        position = match.end()
    return found


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.items = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self) -> tuple[str, str, int]:
        item = self.peek()
        if item is None:
            raise RuleSyntaxError(f"{self.text!r} ends too early; expected more")
        self.at += 1
        return item

    def fail(self, expected: str) -> RuleSyntaxError:
        item = self.peek()
        where = (f"{item[1]!r} at character {item[2] + 1}" if item else "the end")
        return RuleSyntaxError(f"in {self.text!r}: found {where}; expected {expected}")

    def done(self) -> None:
        if self.peek() is not None:
            raise self.fail("the end of the rule")

    def expr(self) -> Expr:
        parts = [self.conjunction()]
        while self._word("OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Junction("OR", tuple(parts))

    def conjunction(self) -> Expr:
        parts = [self.primary()]
        while self._word("AND"):
            parts.append(self.primary())
        return parts[0] if len(parts) == 1 else Junction("AND", tuple(parts))

    def primary(self) -> Expr:
        item = self.peek()
        if item is not None and item[1] == "(":
            self.take()
            inner = self.expr()
            closing = self.peek()
            if closing is None or closing[1] != ")":
                raise self.fail("')'")
            self.take()
            return inner
        left = self.operand()
        op = self.peek()
        if op is None or op[1] not in OPS:
            raise self.fail("a comparison (=, !=, >, >=, <, <=)")
        self.take()
        return Compare(left, op[1], self.operand())

    def operand(self) -> Operand:
        kind, value, _ = self.peek() or ("", "", 0)
        if kind == "date":
            self.take()
            base: Ref | Constant = Constant(date.fromisoformat(value))
        elif kind == "num":
            self.take()
            return Constant(float(value))
        elif kind == "word" and value.lower() == "null":
            self.take()
            return Null()
        elif kind == "word" and value not in ("AND", "OR"):
            self.take()
            base = Ref(value)
        else:
            raise self.fail("a field, a date, a number or null")
        sign = self.peek()
        if sign is None or sign[1] not in ("+", "-"):
            return base
        self.take()
        amount = self.take()
        unit = self.take()
        if amount[0] != "num" or "." in amount[1] or unit[1] not in UNITS:
            raise RuleSyntaxError(f"in {self.text!r}: a date moves by a whole number of "
                                  f"days, months or years (e.g. PPED - 12 months)")
        return Shifted(base, int(amount[1]) * (1 if sign[1] == "+" else -1), unit[1])

    def _word(self, word: str) -> bool:
        item = self.peek()
        if item is not None and item[0] == "word" and item[1] == word:
            self.take()
            return True
        return False


def parse(text: str) -> Expr:
    """The rule ``text`` as a tree; :class:`RuleSyntaxError` saying where it went wrong."""
    reader = _Reader(text)
    expr = reader.expr()
    reader.done()
    return expr


def parse_operand(text: str) -> Operand:
    """A single operand, such as a field bound (``DMINVITE1_DAT + 7 days``)."""
    reader = _Reader(text)
    operand = reader.operand()
    reader.done()
    return operand


# -- checking --------------------------------------------------------------------------------
def names(node: Expr | Operand) -> Iterator[str]:
    """Every field, qualifying date or PAT_AGE the rule or operand names."""
    if isinstance(node, Junction):
        for part in node.parts:
            yield from names(part)
    elif isinstance(node, Compare):
        yield from names(node.left)
        yield from names(node.right)
    elif isinstance(node, Shifted):
        yield from names(node.base)
    elif isinstance(node, Ref):
        yield node.name


def kind_of(operand: Operand, kinds: Callable[[str], Kind]) -> Kind | None:
    """``date`` or ``number`` (None for ``null``); a shifted number is refused."""
    if isinstance(operand, Null):
        return None
    if isinstance(operand, Constant):
        return "date" if isinstance(operand.value, date) else "number"
    if isinstance(operand, Shifted):
        if kind_of(operand.base, kinds) != "date":
            raise RuleSyntaxError("only a date can be moved by days, months or years")
        return "date"
    return kinds(operand.name)


def check(expr: Expr, kinds: Callable[[str], Kind]) -> None:
    """Refuse comparisons of a date with a number, and ``null`` with anything but = or !=."""
    if isinstance(expr, Junction):
        for part in expr.parts:
            check(part, kinds)
        return
    left, right = kind_of(expr.left, kinds), kind_of(expr.right, kinds)
    if left is None or right is None:
        if expr.op not in ("=", "!="):
            raise RuleSyntaxError("null can only be compared with = or !=")
        if left is None and right is None:
            raise RuleSyntaxError("compare a field with null, not null with null")
    elif left != right:
        raise RuleSyntaxError(f"a {left} cannot be compared with a {right}")


# -- compiling to Ibis -----------------------------------------------------------------------
def shift(day: date, amount: int, unit: str) -> date:
    """``day`` moved by ``amount`` days, calendar months or years (clamped month ends)."""
    if unit == "days":
        return day + timedelta(days=amount)
    return months_before(day, -amount * (12 if unit == "years" else 1))


def value(operand: Operand, column: Callable[[str], ir.Value], dates: QofDates) -> Any:
    """The Ibis value of an operand: ``column(name)`` for a field or PAT_AGE."""
    if isinstance(operand, Constant):
        if isinstance(operand.value, date):
            return ibis.literal(operand.value, type="date")
        return ibis.literal(operand.value, type="float64")
    if isinstance(operand, Ref):
        if operand.name in QUALIFYING:
            return ibis.literal(dates.named(operand.name), type="date")
        return column(operand.name)
    if isinstance(operand, Shifted):
        base = operand.base
        if isinstance(base, Constant) and isinstance(base.value, date):
            return ibis.literal(shift(base.value, operand.amount, operand.unit), type="date")
        if isinstance(base, Ref) and base.name in QUALIFYING:
            moved = shift(dates.named(base.name), operand.amount, operand.unit)
            return ibis.literal(moved, type="date")
        col = value(base, column, dates)
        if operand.unit == "days":
            return (col + ibis.interval(days=operand.amount)).cast("date")
        months = operand.amount * (12 if operand.unit == "years" else 1)
        return (col + ibis.interval(months=months)).cast("date")
    raise RuleSyntaxError("null has no value")


def compile_expr(expr: Expr, column: Callable[[str], ir.Value], dates: QofDates
                 ) -> ir.BooleanValue:
    """The rule as an Ibis boolean that is never null (an empty field compares false)."""
    if isinstance(expr, Junction):
        parts = [compile_expr(p, column, dates) for p in expr.parts]
        out = parts[0]
        for part in parts[1:]:
            out = (out & part) if expr.op == "AND" else (out | part)
        return out
    if isinstance(expr.right, Null) or isinstance(expr.left, Null):
        side = expr.left if isinstance(expr.right, Null) else expr.right
        known = value(side, column, dates)
        test: ir.BooleanValue = known.isnull() if expr.op == "=" else known.notnull()
        return test
    left, right = value(expr.left, column, dates), value(expr.right, column, dates)
    compared = {"=": left == right, "!=": left != right, ">": left > right,
                ">=": left >= right, "<": left < right, "<=": left <= right}[expr.op]
    result: ir.BooleanValue = compared.fill_null(False)
    return result
