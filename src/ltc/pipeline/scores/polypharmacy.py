"""Polypharmacy: distinct medicines issued in the year before the index date (STRAT-4, SC-3).

* **Medicines**: the number of distinct ``drug_code`` values of ``prescription`` issues
  dated in the window of the last ``months`` calendar months up to ``as_of``, both ends
  included (:mod:`ltc.windows`; default 12 months). Repeat issues of one drug count once.
  Distinct codes are not grouped by ingredient: two products of one drug with different
  codes count twice.
* **Flags**: ``polypharmacy_5plus`` for 5 or more medicines (the eFI polypharmacy deficit,
  Clegg et al. 2016, "5 different meds in a 12 month period" as the GM-SDE eFI query puts
  it) and ``polypharmacy_10plus`` for 10 or more, a threshold commonly used for
  higher-risk polypharmacy (for example Payne RA et al., Br J Clin Pharmacol 2014;77:
  1073-82, and the Scottish Government polypharmacy guidance).

One row per person with at least one issue in the window. Columns: ``nhs_number``,
``medicines``, ``polypharmacy_5plus`` (0/1), ``polypharmacy_10plus`` (0/1).
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from ltc.pipeline.scores.inputs import flag, within

DEFAULT_MONTHS = 12  # "a 12 month period" (GM-SDE eFI polypharmacy query)
THRESHOLD = 5  # eFI polypharmacy deficit (Clegg 2016)
HIGH_THRESHOLD = 10  # higher-risk polypharmacy


def medicines(con: ibis.BaseBackend, as_of: date, months: int | None = DEFAULT_MONTHS
               ) -> ir.Table:
    """(nhs_number, medicines): distinct drug codes issued in the window."""
    rx = con.table("prescription")
    rx = rx.filter(within(rx.date, as_of, months) & rx.drug_code.notnull())
    return rx.group_by("nhs_number").aggregate(medicines=rx.drug_code.nunique())


def polypharmacy(con: ibis.BaseBackend, as_of: date, *,
                 months: int | None = DEFAULT_MONTHS) -> ir.Table:
    """Distinct medicines issued in the window before ``as_of``, and the 5+ and 10+ flags."""
    counts = medicines(con, as_of, months)
    return counts.select(
        "nhs_number", medicines=counts.medicines.cast("int64"),
        polypharmacy_5plus=flag(counts.medicines >= THRESHOLD),
        polypharmacy_10plus=flag(counts.medicines >= HIGH_THRESHOLD))
