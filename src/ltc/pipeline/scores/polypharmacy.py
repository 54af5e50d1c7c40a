"""Polypharmacy: distinct medicines issued in the year before the index date (STRAT-4, SC-3).

* **Medicines**: the number of distinct ingredients (:func:`ingredient`) of the
  ``prescription`` issues dated in the window of the last ``months`` calendar months up to
  ``as_of``, both ends included (:mod:`ltc.windows`; default 12 months). Repeat issues of
  one drug count once, and so do its products of other strengths or forms: a dose change
  is not a second medicine.
* **Ingredient** of an issue: for a BNF code (``drug_code_system = 'bnf'``) of 9 or more
  characters, its first 9 characters, the BNF chemical substance (NHS BSA, "BNF code
  structure": chapter, section, paragraph, sub-paragraph and chemical substance take the
  first 9 characters of the 15-character presentation code). Otherwise (dm+d, RxNorm, a
  short code) the drug name in lower case with its strength and form taken off: a leading
  amount ("24 HR", "1 ML") is dropped, the name is cut at its first word that starts with
  a digit (the strength: "Metformin 500mg tablets" -> "metformin", "amLODIPine 2.5 MG Oral
  Tablet" -> "amlodipine"), and at its first form word ("tablets", "oral", "inhaler" and
  the others of :data:`FORM_WORDS`) when it has no strength. A name that leaves nothing
  falls back to the code. Salts stay (``metformin hydrochloride`` and ``metformin`` are
  two names), and combination products are one ingredient of their own.
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


#: BNF presentation codes: the chemical substance is the first 9 characters (NHS BSA).
BNF_SUBSTANCE_LENGTH = 9
#: Words that begin the form of a product named without a strength (dm+d and RxNorm style).
FORM_WORDS = (
    "tablet", "tablets", "capsule", "capsules", "oral", "solution", "suspension", "syrup",
    "liquid", "inhaler", "inhalation", "injection", "injectable", "cream", "ointment", "gel",
    "patch", "patches", "drops", "spray", "suppositories", "suppository", "powder",
    "granules", "chewable", "dispersible", "soluble", "effervescent", "gastro-resistant",
    "modified-release", "extended", "prolonged-release", "pre-filled", "pen", "sachets",
    "eye", "nasal", "topical", "transdermal")


def ingredient(rx: ir.Table) -> ir.StringValue:
    """The ingredient an issue of ``rx`` (a ``prescription`` table) stands for (see the
    module docstring), prefixed ``bnf:``, ``name:`` or ``code:`` by where it came from."""
    code = rx.drug_code.strip()
    bnf = (rx.drug_code_system == "bnf") & (code.length() >= BNF_SUBSTANCE_LENGTH)
    name = rx.drug_name.fill_null("").lower().strip()
    name = name.re_replace(r"^[0-9][0-9.,/]*\s*[a-z]*\s+", "")  # "24 hr", "1 ml"
    name = name.re_replace(r"\s+[0-9].*$", "")  # the strength and all after it
    forms = "|".join(FORM_WORDS)
    name = name.re_replace(rf"\s+({forms})(\s.*)?$", "").strip()
    return ibis.cases(
        (bnf, "bnf:" + code.substr(0, BNF_SUBSTANCE_LENGTH)),
        (name != "", "name:" + name),
        else_="code:" + code)


def medicines(con: ibis.BaseBackend, as_of: date, months: int | None = DEFAULT_MONTHS
              ) -> ir.Table:
    """(nhs_number, medicines): distinct ingredients issued in the window."""
    rx = con.table("prescription")
    rx = rx.filter(within(rx.date, as_of, months) & rx.drug_code.notnull())
    rx = rx.mutate(ingredient=ingredient(rx))
    return rx.group_by("nhs_number").aggregate(medicines=rx.ingredient.nunique())


def polypharmacy(con: ibis.BaseBackend, as_of: date, *,
                 months: int | None = DEFAULT_MONTHS) -> ir.Table:
    """Distinct medicines issued in the window before ``as_of``, and the 5+ and 10+ flags."""
    counts = medicines(con, as_of, months)
    return counts.select(
        "nhs_number", medicines=counts.medicines.cast("int64"),
        polypharmacy_5plus=flag(counts.medicines >= THRESHOLD),
        polypharmacy_10plus=flag(counts.medicines >= HIGH_THRESHOLD))
