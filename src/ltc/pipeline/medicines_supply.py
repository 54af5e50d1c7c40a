"""Days' supply of each dispensing of a medicine, from the issue it fulfils (SC-3).

The first step of adherence (:mod:`ltc.pipeline.medicines`, where the whole method is
set out; ``docs/medicines.md`` has it in words). As of the date ``D``:

* **Medicine**: the ingredient of an issue (:func:`ltc.pipeline.scores.polypharmacy.
  ingredient`, the grouping polypharmacy and the long-term medicines feature use: a dose
  change is not a second medicine).
* **Issues read**: ``prescription`` rows dated from :data:`ISSUE_LOOKBACK_MONTHS` months
  before ``D`` up to ``D`` (the 12 months of the adherence window and 3 months before it,
  so that a dispensing early in the window finds the issue it fulfils).
* **Expected supply of an issue** (days): the record plane holds no daily dose (neither
  table has a dosage), so an issue is expected to last until the next issue of the same
  medicine to the person (the repeat cycle the prescriber set; issues on the same day
  share it), at most :data:`MAX_SUPPLY_DAYS`; the latest issue keeps the cycle before it;
  a medicine issued only once is expected to last :data:`DEFAULT_SUPPLY_DAYS`.
* **The issue a dispensing fulfils**: the one its ``prescription_id`` names (same
  person); without one, or when it names no issue read, the latest issue of the same
  person and drug code (same code system) dated on or before the dispensing (the later
  record id first on a tie). A dispensing that matches no issue is not counted: nothing
  says what medicine or supply it stands for.
* **Days' supply of a dispensing**: quantity dispensed / daily dose, where the daily dose
  is the issue's quantity / the issue's expected supply; so ``expected x dispensed /
  issued`` rounded to whole days (the expected supply when the issued quantity is 0),
  between 1 and :data:`MAX_SUPPLY_DAYS`. A dispensing of the whole issue lasts the
  expected supply; half of it, half as long.
* **Same day**: several dispensings of one medicine on one day cover the same days (the
  parts of one dose, such as 5 mg and 2.5 mg tablets taken together): the longest supply
  counts.

:func:`fills` gives one row per person, medicine and day dispensed in the 12-month window
up to ``D`` (both ends included, :mod:`ltc.windows`): ``nhs_number``, ``ingredient``,
``dispensed_on``, ``day`` (days since 1970-01-01) and ``supply`` (days).
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from ltc.pipeline.scores.polypharmacy import ingredient
from ltc.windows import within

#: Months of the adherence window (the PDC interval is at most these months up to ``D``).
WINDOW_MONTHS = 12
#: Issues are read this many months back: the window and 3 months before it, the longest
#: supply an issue may last (:data:`MAX_SUPPLY_DAYS`).
ISSUE_LOOKBACK_MONTHS = WINDOW_MONTHS + 3
#: Expected supply of a medicine issued once: 28 days, the repeat prescribing interval the
#: NHS recognises as "the best possible balance between patient convenience, good medical
#: practice and minimal drug wastage" (Department of Health, quoted in practices' 28-day
#: prescribing policies); also the default issue interval of :mod:`ltc.interop.fhir.
#: medicines`.
DEFAULT_SUPPLY_DAYS = 28
#: Longest expected supply: 91 days (13 weeks). A longer gap between two issues is a break
#: in treatment, not a supply: the long-term medicines feature (:mod:`ltc.pipeline.
#: features`) counts a medicine only with an issue in the last 3 months, and repeat
#: prescriptions in England are for 28 or 56 days, rarely more than 3 months.
MAX_SUPPLY_DAYS = 91

_EPOCH = date(1970, 1, 1)
#: What a dispensing matched to its issue holds.
_COLUMNS = ("dispensing_id", "nhs_number", "dispensed_on", "dispensed_quantity", "issue_id",
            "issued_on", "issued_quantity", "ingredient", "expected")


def day_number(column: ir.DateValue) -> ir.IntegerValue:
    """Days since 1970-01-01 (the same integer on every engine)."""
    days: ir.IntegerValue = (column - ibis.literal(_EPOCH, type="date")).cast("int64")
    return days


def issues(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """Issues read (see the module docstring), each with its medicine and expected supply:
    ``issue_id``, ``nhs_number``, ``drug_code_system``, ``drug_code``, ``drug_name``,
    ``issued_on``, ``issued_quantity``, ``ingredient``, ``expected``."""
    rx = con.table("prescription")
    rx = rx.filter(within(rx.date, as_of, months=ISSUE_LOOKBACK_MONTHS)
                   & rx.drug_code.notnull())
    rx = rx.mutate(ingredient=ingredient(rx), issue_day=day_number(rx.date))
    medicine = ["nhs_number", "ingredient"]
    later = ibis.window(group_by=medicine, order_by="issue_day", range=(1, None))
    earlier = ibis.window(group_by=medicine, order_by="issue_day", range=(None, -1))
    next_day = rx.issue_day.min().over(later)  # the next issue on a later day
    previous_day = rx.issue_day.max().over(earlier)
    expected = ibis.cases(
        (next_day.notnull(), ibis.least(next_day - rx.issue_day, MAX_SUPPLY_DAYS)),
        (previous_day.notnull(), ibis.least(rx.issue_day - previous_day, MAX_SUPPLY_DAYS)),
        else_=DEFAULT_SUPPLY_DAYS)
    return rx.select(
        issue_id=rx.record_id, nhs_number=rx.nhs_number,
        drug_code_system=rx.drug_code_system, drug_code=rx.drug_code,
        drug_name=rx.drug_name, issued_on=rx.date, issued_quantity=rx.quantity,
        ingredient=rx.ingredient, expected=expected)


def _matched(dispensed: ir.Table, issued: ir.Table) -> ir.Table:
    """Dispensings with the issue they fulfil (see the module docstring)."""
    by_id = dispensed.join(issued, [dispensed.prescription_id == issued.issue_id,
                                    dispensed.nhs_number == issued.nhs_number])
    by_id = by_id.select(*_COLUMNS)
    rest = dispensed.anti_join(by_id.select("dispensing_id"), "dispensing_id")
    by_code = rest.join(issued, [rest.nhs_number == issued.nhs_number,
                                 rest.drug_code_system == issued.drug_code_system,
                                 rest.drug_code == issued.drug_code,
                                 issued.issued_on <= rest.dispensed_on])
    by_code = by_code.select(*_COLUMNS)
    latest = ibis.window(group_by="dispensing_id",
                         order_by=[ibis.desc("issued_on"), ibis.desc("issue_id")])
    by_code = by_code.mutate(rank=ibis.row_number().over(latest))
    by_code = by_code.filter(by_code.rank == 0).drop("rank")
    return by_id.union(by_code)


def supplies(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """Every dispensing in the window with its issue and days' supply: the columns of
    ``_COLUMNS`` and ``supply``."""
    d = con.table("dispensing")
    d = d.filter(within(d.date, as_of, months=WINDOW_MONTHS) & d.drug_code.notnull())
    dispensed = d.select(
        dispensing_id=d.record_id, nhs_number=d.nhs_number, dispensed_on=d.date,
        dispensed_quantity=d.quantity, prescription_id=d.prescription_id,
        drug_code_system=d.drug_code_system, drug_code=d.drug_code)
    m = _matched(dispensed, issues(con, as_of))
    scaled = (m.expected * m.dispensed_quantity / m.issued_quantity).round().cast("int64")
    supply = ibis.cases((m.issued_quantity > 0, scaled), else_=m.expected)
    return m.mutate(supply=ibis.least(ibis.greatest(supply, 1), MAX_SUPPLY_DAYS))


def fills(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """One row per person, medicine and day dispensed in the window: ``nhs_number``,
    ``ingredient``, ``dispensed_on``, ``day`` (its day number), ``supply`` (the longest of
    the day's dispensings)."""
    s = supplies(con, as_of)
    f = s.group_by(["nhs_number", "ingredient", "dispensed_on"]).aggregate(
        supply=s.supply.max())
    return f.mutate(day=day_number(f.dispensed_on))
