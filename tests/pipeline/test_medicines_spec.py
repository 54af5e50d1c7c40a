"""Medicines (SC-3): adherence as the proportion of days covered, reviews due, polypharmacy.

Spec tables on DuckDB and on Spark, as of 2025-03-31: the 12-month window starts on
2024-03-31, issues are read from 2023-12-31, a long-term medicine was first issued on or
before 2024-09-30 and issued again on or after 2024-12-31. Each table's hand working is in
its test's docstring; the method is in ``docs/medicines.md``.
"""

from __future__ import annotations

from datetime import date

import ibis

from ltc.pipeline.medicines import adherence, coverage, per_person
from ltc.pipeline.medicines_supply import supplies
from spec_tables import check, connect

AS_OF = date(2025, 3, 31)
RAMIPRIL = "0205051R0AAAAAA"  # Ramipril 5mg capsules (BNF presentation)
ATORVASTATIN = "0212000B0AAAAAA"  # Atorvastatin 20mg tablets
BISOPROLOL = "0204000H0AAAAAA"  # Bisoprolol 2.5mg tablets
REVIEW = "314530002"  # Medication review done (MEDRVW_COD)


def _people(names: list[str]) -> str:
    rows = "\n".join(f"{n} | 1950-01-01 | U | P1" for n in names)
    return "nhs_number | date_of_birth | sex | practice_code\n" + rows


def _by_fill(table: ibis.Table) -> ibis.Table:
    return table.order_by(["nhs_number", "ingredient", "dispensed_on"])


def test_pdc_by_hand_with_gaps_and_overlaps(engine: str) -> None:
    """Ramipril issued every 30 days (each issue is expected to last 30 days, the days to
    the next issue), 30 capsules each time. The issue of 2024-09-02 was never dispensed:
    the interval starts at the first dispensing, 2024-10-02, and runs to 2025-03-31: 181
    days. Fill by fill: 10-02 covers 10-02 to 10-31 (30 days); 11-01 covers 11-01 to 11-30
    (30); the issue of 12-01 was never dispensed and the issue of 12-31 was dispensed late,
    on 01-10: days 12-01 to 01-09 are not covered (40 days), 01-10 covers 01-10 to 02-08
    (30); 01-30 is an early refill, carried forward to the day after the supply runs out:
    02-09 to 03-10 (30); 03-05 is early too: 03-11 to 04-09, of which 21 days up to
    03-31. Covered 30 + 30 + 30 + 30 + 21 = 141 of 181 days (141 + 40 = 181): PDC 0.779,
    not adherent. Atorvastatin was issued on 2024-09-30 (the last day a first issue makes
    it long-term) and 2025-03-01 but never dispensed: its interval runs from its first
    issue, 183 days, none covered. Amlodipine, first issued in 2025, is not long-term."""
    con = connect(engine, person=_people(["gappy"]), prescription=f"""
        nhs_number | record_id | date       | drug_code_system | drug_code      | drug_name                 | quantity
        gappy      | i1        | 2024-09-02 | bnf              | {RAMIPRIL}     | Ramipril 5mg capsules     | 30
        gappy      | i2        | 2024-10-02 | bnf              | {RAMIPRIL}     | Ramipril 5mg capsules     | 30
        gappy      | i3        | 2024-11-01 | bnf              | {RAMIPRIL}     | Ramipril 5mg capsules     | 30
        gappy      | i4        | 2024-12-01 | bnf              | {RAMIPRIL}     | Ramipril 5mg capsules     | 30
        gappy      | i5        | 2024-12-31 | bnf              | {RAMIPRIL}     | Ramipril 5mg capsules     | 30
        gappy      | i6        | 2025-01-30 | bnf              | {RAMIPRIL}     | Ramipril 5mg capsules     | 30
        gappy      | i7        | 2025-03-01 | bnf              | {RAMIPRIL}     | Ramipril 5mg capsules     | 30
        gappy      | i8        | 2025-03-31 | bnf              | {RAMIPRIL}     | Ramipril 5mg capsules     | 30
        gappy      | a1        | 2024-09-30 | bnf              | {ATORVASTATIN} | Atorvastatin 20mg tablets | 28
        gappy      | a2        | 2025-03-01 | bnf              | {ATORVASTATIN} | Atorvastatin 20mg tablets | 28
        gappy      | n1        | 2025-01-05 | bnf              | 0206020A0AAAAAA | Amlodipine 5mg tablets   | 28
        gappy      | n2        | 2025-02-05 | bnf              | 0206020A0AAAAAA | Amlodipine 5mg tablets   | 28
        """, dispensing=f"""
        nhs_number | date       | drug_code_system | drug_code   | quantity | prescription_id
        gappy      | 2024-10-02 | bnf              | {RAMIPRIL}  | 30       | i2
        gappy      | 2024-11-01 | bnf              | {RAMIPRIL}  | 30       | i3
        gappy      | 2025-01-10 | bnf              | {RAMIPRIL}  | 30       | i5
        gappy      | 2025-01-30 | bnf              | {RAMIPRIL}  | 30       | i6
        gappy      | 2025-03-05 | bnf              | {RAMIPRIL}  | 30       | i7
        gappy      | 2025-01-05 | bnf              | 0206020A0AAAAAA | 28   | n1
        """)  # noqa: E501
    fills = coverage(con, AS_OF)
    check(_by_fill(fills.filter(fills.ingredient == "bnf:0205051R0")), """
        nhs_number | dispensed_on | supply | covered_from | covered_until | counted
        gappy      | 2024-10-02   | 30     | 2024-10-02   | 2024-10-31    | 30
        gappy      | 2024-11-01   | 30     | 2024-11-01   | 2024-11-30    | 30
        gappy      | 2025-01-10   | 30     | 2025-01-10   | 2025-02-08    | 30
        gappy      | 2025-01-30   | 30     | 2025-02-09   | 2025-03-10    | 30
        gappy      | 2025-03-05   | 30     | 2025-03-11   | 2025-04-09    | 21
        """)
    check(adherence(con, AS_OF).order_by("ingredient"), """
        nhs_number | name                      | first_dispensed | interval_days | covered_days | pdc    | adherent
        gappy      | Ramipril 5mg capsules     | 2024-10-02      | 181           | 141          | 0.779  | False
        gappy      | Atorvastatin 20mg tablets |                 | 183           | 0            | 0      | False
        """)  # noqa: E501


def test_adherent_from_80_percent(engine: str) -> None:
    """Bisoprolol issued on 2024-09-01, 2024-12-22, 2025-01-31 and 2025-03-12, 40 tablets
    each: the issues of 12-22 and 01-31 are expected to last 40 days (to the next issue).
    Both people first collect on 12-22 (40 days, to 01-30), so the interval is 100 days
    (2024-12-22 to 2025-03-31); the issue of 03-12 is not collected. ``edge_80`` collects
    all 40 tablets of the second issue on 01-31: 40 more days, 80 of 100, PDC 0.80,
    adherent. ``edge_79`` collects 39 of them: 40 x 39 / 40 = 39 days, 79 of 100, PDC
    0.79, not adherent."""
    con = connect(engine, person=_people(["edge_80", "edge_79"]), prescription=f"""
        nhs_number | record_id | date       | drug_code_system | drug_code    | drug_name                | quantity
        edge_80    | edge_80-0 | 2024-09-01 | bnf              | {BISOPROLOL} | Bisoprolol 2.5mg tablets | 40
        edge_80    | edge_80-1 | 2024-12-22 | bnf              | {BISOPROLOL} | Bisoprolol 2.5mg tablets | 40
        edge_80    | edge_80-2 | 2025-01-31 | bnf              | {BISOPROLOL} | Bisoprolol 2.5mg tablets | 40
        edge_80    | edge_80-3 | 2025-03-12 | bnf              | {BISOPROLOL} | Bisoprolol 2.5mg tablets | 40
        edge_79    | edge_79-0 | 2024-09-01 | bnf              | {BISOPROLOL} | Bisoprolol 2.5mg tablets | 40
        edge_79    | edge_79-1 | 2024-12-22 | bnf              | {BISOPROLOL} | Bisoprolol 2.5mg tablets | 40
        edge_79    | edge_79-2 | 2025-01-31 | bnf              | {BISOPROLOL} | Bisoprolol 2.5mg tablets | 40
        edge_79    | edge_79-3 | 2025-03-12 | bnf              | {BISOPROLOL} | Bisoprolol 2.5mg tablets | 40
        """, dispensing=f"""
        nhs_number | date       | drug_code_system | drug_code    | quantity | prescription_id
        edge_80    | 2024-12-22 | bnf              | {BISOPROLOL} | 40       | edge_80-1
        edge_80    | 2025-01-31 | bnf              | {BISOPROLOL} | 40       | edge_80-2
        edge_79    | 2024-12-22 | bnf              | {BISOPROLOL} | 40       | edge_79-1
        edge_79    | 2025-01-31 | bnf              | {BISOPROLOL} | 39       | edge_79-2
        """)  # noqa: E501
    check(adherence(con, AS_OF), """
        nhs_number | interval_days | covered_days | pdc  | adherent
        edge_79    | 100           | 79           | 0.79 | False
        edge_80    | 100           | 80           | 0.8  | True
        """)


def test_days_supply_of_a_dispensing(engine: str) -> None:
    """``partial`` collects 28 of 56 tablets: 56 days x 28 / 56 = 28 days. ``same_day``
    collects 5 mg and 2.5 mg ramipril together (both issues expected to last 28 days, the
    2.5 mg partly collected, 14 days): one fill of the longest, 28 days. ``by_code`` names
    no issue: the latest issue of the same code on or before the dispensing (02-05, the
    latest issue, keeps the 35 days since the one before) is its issue. ``once`` had one
    issue: 28 days. ``long_gap`` was issued six months apart: at most 91 days. ``unknown``
    matches no issue and is not counted."""
    con = connect(engine, prescription="""
        nhs_number | record_id | date       | drug_code_system | drug_code       | drug_name                 | quantity
        partial    | p1        | 2025-01-01 | bnf              | 0601022B0AAABAB | Metformin 500mg tablets   | 56
        partial    | p2        | 2025-02-26 | bnf              | 0601022B0AAABAB | Metformin 500mg tablets   | 56
        same_day   | s1        | 2025-01-01 | bnf              | 0205051R0AAABAB | Ramipril 5mg capsules     | 28
        same_day   | s2        | 2025-01-01 | bnf              | 0205051R0AAAAAA | Ramipril 2.5mg capsules   | 28
        same_day   | s3        | 2025-01-29 | bnf              | 0205051R0AAABAB | Ramipril 5mg capsules     | 28
        by_code    | c1        | 2025-01-01 | bnf              | 0206020A0AAAAAA | Amlodipine 5mg tablets    | 28
        by_code    | c2        | 2025-02-05 | bnf              | 0206020A0AAAAAA | Amlodipine 5mg tablets    | 56
        once       | o1        | 2025-03-01 | bnf              | 0501013B0AAAAAA | Amoxicillin 500mg capsules | 15
        long_gap   | g1        | 2024-06-01 | bnf              | 0212000B0AAAAAA | Atorvastatin 20mg tablets | 28
        long_gap   | g2        | 2024-12-01 | bnf              | 0212000B0AAAAAA | Atorvastatin 20mg tablets | 28
        """, dispensing="""
        nhs_number | date       | drug_code_system | drug_code       | quantity | prescription_id
        partial    | 2025-01-01 | bnf              | 0601022B0AAABAB | 28       | p1
        same_day   | 2025-01-02 | bnf              | 0205051R0AAABAB | 28       | s1
        same_day   | 2025-01-02 | bnf              | 0205051R0AAAAAA | 14       | s2
        by_code    | 2025-02-10 | bnf              | 0206020A0AAAAAA | 56       |
        once       | 2025-03-01 | bnf              | 0501013B0AAAAAA | 15       | o1
        long_gap   | 2024-06-01 | bnf              | 0212000B0AAAAAA | 28       | g1
        unknown    | 2025-03-01 | bnf              | 0407010H0AAAAAA | 32       |
        """)  # noqa: E501
    s = supplies(con, AS_OF)
    check(s.order_by(["nhs_number", "issue_id"]), """
        nhs_number | dispensed_on | issue_id | issued_on  | expected | supply
        by_code    | 2025-02-10   | c2       | 2025-02-05 | 35       | 35
        long_gap   | 2024-06-01   | g1       | 2024-06-01 | 91       | 91
        once       | 2025-03-01   | o1       | 2025-03-01 | 28       | 28
        partial    | 2025-01-01   | p1       | 2025-01-01 | 56       | 28
        same_day   | 2025-01-02   | s1       | 2025-01-01 | 28       | 28
        same_day   | 2025-01-02   | s2       | 2025-01-01 | 28       | 14
        """)
    fills = coverage(con, AS_OF)
    check(_by_fill(fills.filter(fills.nhs_number == "same_day")), """
        nhs_number | ingredient    | dispensed_on | supply | covered_until
        same_day   | bnf:0205051R0 | 2025-01-02   | 28     | 2025-01-29
        """)


def _issues(who: str, medicines: int) -> str:
    """``who`` has ``medicines`` long-term medicines (issued 2024-09-01 and 2025-03-01)."""
    return "\n".join(f"{who} | {day} | D{i} | Drug{chr(65 + i)} {i + 1}mg tablets"
                     for i in range(medicines) for day in ("2024-09-01", "2025-03-01"))


def test_review_due_from_four_medicines_and_12_months(engine: str) -> None:
    """Four long-term medicines and no medication review (MEDRVW_COD) in the 12 months up
    to 2025-03-31, both ends included: a review on 2024-03-31 still counts, one on
    2024-03-30 does not; a review after the date is not read; three medicines are not
    enough."""
    names = ["four_none", "three_none", "four_on_edge", "four_day_before", "four_after",
             "four_other_code"]
    con = connect(engine, person=_people(names), prescription=f"""
        nhs_number | date | drug_code | drug_name
        {_issues("four_none", 4)}
        {_issues("three_none", 3)}
        {_issues("four_on_edge", 4)}
        {_issues("four_day_before", 4)}
        {_issues("four_after", 4)}
        {_issues("four_other_code", 4)}
        """, observation=f"""
        nhs_number      | date       | code_system | code
        four_on_edge    | 2024-03-31 | snomed      | {REVIEW}
        four_day_before | 2024-03-30 | snomed      | {REVIEW}
        four_after      | 2025-04-01 | snomed      | {REVIEW}
        four_other_code | 2025-01-01 | snomed      | 72313002
        """)
    check(per_person(con, AS_OF), """
        nhs_number      | long_term_medicines | review_due | last_review_on
        four_after      | 4                   | True       |
        four_day_before | 4                   | True       | 2024-03-30
        four_none       | 4                   | True       |
        four_on_edge    | 4                   | False      | 2024-03-31
        four_other_code | 4                   | True       |
        three_none      | 3                   | False      |
        """)


def test_polypharmacy_from_ten_medicines(engine: str) -> None:
    """Ten medicines issued in the last 12 months is polypharmacy, nine is not. Nothing
    was dispensed: every long-term medicine has PDC 0 and is listed as not taken."""
    con = connect(engine, person=_people(["ten", "nine", "one"]), prescription=f"""
        nhs_number | date | drug_code | drug_name
        {_issues("ten", 10)}
        {_issues("nine", 9)}
        {_issues("one", 1)}
        """)
    check(per_person(con, AS_OF), """
        nhs_number | practice_code | long_term_medicines | medicines | polypharmacy | lowest_pdc | non_adherent
        nine       | P1            | 9                   | 9         | False        | 0          | ['DrugA 1mg tablets', 'DrugB 2mg tablets', 'DrugC 3mg tablets', 'DrugD 4mg tablets', 'DrugE 5mg tablets', 'DrugF 6mg tablets', 'DrugG 7mg tablets', 'DrugH 8mg tablets', 'DrugI 9mg tablets']
        one        | P1            | 1                   | 1         | False        | 0          | ['DrugA 1mg tablets']
        ten        | P1            | 10                  | 10        | True         | 0          | ['DrugA 1mg tablets', 'DrugB 2mg tablets', 'DrugC 3mg tablets', 'DrugD 4mg tablets', 'DrugE 5mg tablets', 'DrugF 6mg tablets', 'DrugG 7mg tablets', 'DrugH 8mg tablets', 'DrugI 9mg tablets', 'DrugJ 10mg tablets']
        """)  # noqa: E501
