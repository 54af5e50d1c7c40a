"""Polypharmacy (STRAT-4): distinct medicines (ingredients) issued in the 12 months before
as_of."""

from __future__ import annotations

from datetime import date

from ltc.pipeline.scores.polypharmacy import polypharmacy
from spec_tables import check, connect

AS_OF = date(2024, 6, 30)


def drug(i: int) -> str:
    """The name of the i-th made-up medicine, with a strength and form."""
    return f"Drug{chr(65 + i)} {10 * (i + 1)}mg tablets"


def _issues(who: str, drugs: int, on: str = "2024-03-01") -> str:
    return "\n".join(f"{who} | {on} | D{i} | {drug(i)}" for i in range(drugs))


def test_distinct_drugs_and_thresholds(engine: str) -> None:
    con = connect(engine, prescription=f"""
        nhs_number | date | drug_code | drug_name
        {_issues("n4", 4)}
        {_issues("n5", 5)}
        {_issues("n9", 9)}
        {_issues("n10", 10)}
        {_issues("repeats", 4)}
        repeats    | 2024-04-01 | D0 | {drug(0)}
        repeats    | 2024-05-01 | D1 | {drug(1)}
        {_issues("edge", 4)}
        edge       | 2023-06-29 | X | Other 1mg tablets
        {_issues("inside", 4)}
        inside     | 2023-06-30 | X | Other 1mg tablets
        {_issues("on_as_of", 4)}
        on_as_of   | 2024-06-30 | X | Other 1mg tablets
        after      | 2024-07-01 | X | Other 1mg tablets
        """)
    # 12 months before 2024-06-30 is 2023-06-30: the first day inside (ltc.windows); the day
    # before is outside; an issue on as_of counts; an issue after as_of is ignored (no row)
    check(polypharmacy(con, AS_OF), """
        nhs_number | medicines | polypharmacy_5plus | polypharmacy_10plus
        edge       | 4         | 0                  | 0
        inside     | 5         | 1                  | 0
        n10        | 10        | 1                  | 1
        n4         | 4         | 0                  | 0
        n5         | 5         | 1                  | 0
        n9         | 9         | 1                  | 0
        on_as_of   | 5         | 1                  | 0
        repeats    | 4         | 0                  | 0
        """)


def test_a_medicine_is_an_ingredient_not_a_product(engine: str) -> None:
    con = connect(engine, prescription="""
        nhs_number  | date       | drug_code_system | drug_code       | drug_name
        bnf_doses   | 2024-03-01 | bnf              | 0205051R0AAAAAA | Ramipril 2.5mg capsules
        bnf_doses   | 2024-05-01 | bnf              | 0205051R0AAABAB | Ramipril 5mg capsules
        bnf_two     | 2024-03-01 | bnf              | 0205051R0AAABAB | Ramipril 5mg capsules
        bnf_two     | 2024-03-01 | bnf              | 0206020A0AAAAAA | Amlodipine 5mg tablets
        dmd_doses   | 2024-03-01 | dmd              | 41946311000001106 | Ramipril 2.5mg capsules
        dmd_doses   | 2024-05-01 | dmd              | 41946511000001104 | Ramipril 5mg capsules
        dmd_two     | 2024-03-01 | dmd              | 41946311000001106 | Ramipril 2.5mg capsules
        dmd_two     | 2024-03-01 | dmd              | 42206511000001102 | Amlodipine 5mg tablets
        rx_doses    | 2024-03-01 | rxnorm           | 308136          | amLODIPine 2.5 MG Oral Tablet
        rx_doses    | 2024-04-01 | rxnorm           | 197361          | amLODIPine 5 MG Oral Tablet
        rx_doses    | 2024-05-01 | rxnorm           | 860975          | 24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet
        rx_doses    | 2024-06-01 | rxnorm           | 861004          | 24 HR Metformin hydrochloride 1000 MG Extended Release Oral Tablet
        no_strength | 2024-03-01 | dmd              | 111             | Paracetamol tablets
        no_strength | 2024-04-01 | dmd              | 222             | Paracetamol soluble tablets
        """)  # noqa: E501
    # the same drug at two strengths is one medicine (BNF: the first 9 characters are the
    # chemical substance; dm+d and RxNorm: the name without strength and form); two drugs
    # are two
    check(polypharmacy(con, AS_OF), """
        nhs_number  | medicines
        bnf_doses   | 1
        bnf_two     | 2
        dmd_doses   | 1
        dmd_two     | 2
        no_strength | 1
        rx_doses    | 2
        """)


def test_window_is_a_parameter(engine: str) -> None:
    con = connect(engine, prescription=f"""
        nhs_number | date | drug_code | drug_name
        {_issues("p", 3, "2024-06-01")}
        {_issues("p", 6, "2024-01-01")}
        """)
    check(polypharmacy(con, AS_OF, months=3), """
        nhs_number | medicines | polypharmacy_5plus
        p          | 3         | 0
        """)
    check(polypharmacy(con, AS_OF), """
        nhs_number | medicines | polypharmacy_5plus
        p          | 6         | 1
        """)
