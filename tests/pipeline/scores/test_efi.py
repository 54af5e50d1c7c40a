"""Electronic Frailty Index (STRAT-4): deficits from codes, values, prescriptions; categories."""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa

from ltc.pipeline.engine import connection
from ltc.pipeline.scores.efi import category, deficit_codes, deficits, efi
from spec_tables import check, connect

AS_OF = date(2024, 6, 30)
FALLS = "161898004"  # Falls (finding): efi-falls
HYPERTENSION = "38341003"  # Hypertensive disorder: efi-hypertension
OSTEOPOROSIS = "64859006"  # Osteoporosis (disorder): efi-osteoporosis and fragility-fracture
DIABETES = "44054006"  # Diabetes mellitus type 2: efi-diabetes
EGFR = "1011481000000105"  # eGFR using creatinine CKD-EPI (GM-SDE egfr code set)
ACR = "1023491000000104"  # Urine albumin:creatinine ratio (GM-SDE uACR code set)


def test_36_deficits() -> None:
    assert len(deficit_codes()) == 35
    assert len(deficits()) == 36
    assert deficits()[-1] == "polypharmacy"
    assert OSTEOPOROSIS in deficit_codes()["osteoporosis"]
    assert OSTEOPOROSIS in deficit_codes()["fragility-fracture"]


def test_coded_deficits_any_time_up_to_as_of(engine: str) -> None:
    con = connect(
        engine,
        diagnosis=f"""
        nhs_number | code_system | code           | date       | setting
        a          | snomed      | {FALLS}        | 1990-01-01 | primary
        a          | snomed      | {OSTEOPOROSIS} | 2024-06-30 | community
        a          | snomed      | {DIABETES}     | 2024-07-01 | primary
        a          | icd10       | E119           | 2020-01-01 | secondary
        b          | snomed      | {DIABETES}     | 2024-07-01 | primary
        """,
        observation=f"""
        nhs_number | code_system | code           | date       | value
        a          | snomed      | {HYPERTENSION} | 2010-01-01 |
        """)
    # a: falls (decades ago), osteoporosis on as_of (two deficits), hypertension as an
    # observation; diabetes coded after as_of and ICD-10 codes are ignored. b: nothing yet.
    check(efi(con, AS_OF), """
        nhs_number | efi_falls | efi_osteoporosis | efi_fragility_fracture | efi_hypertension | efi_diabetes | efi_deficits | efi    | efi_category
        a          | 1         | 1                | 1                      | 1                | 0            | 4            | 0.1111 | fit
        """)  # noqa: E501


def test_value_rules_egfr_and_acr(engine: str) -> None:
    con = connect(engine, observation=f"""
        nhs_number | code_system | code   | date       | value
        egfr59     | snomed      | {EGFR} | 2020-01-01 | 59.9
        egfr59     | snomed      | {EGFR} | 2020-04-01 | 59.9
        egfr60     | snomed      | {EGFR} | 2020-01-01 | 60
        egfr60     | snomed      | {EGFR} | 2020-04-01 | 60
        egfr0      | snomed      | {EGFR} | 2020-01-01 | 0
        egfr0      | snomed      | {EGFR} | 2020-04-01 | 0
        acr3       | snomed      | {ACR}  | 2020-01-01 | 3
        acr3       | snomed      | {ACR}  | 2020-04-01 | 3
        acr31      | snomed      | {ACR}  | 2020-01-01 | 3.1
        acr31      | snomed      | {ACR}  | 2020-04-01 | 3.1
        novalue    | snomed      | {EGFR} | 2020-01-01 |
        novalue    | snomed      | {EGFR} | 2020-04-01 |
        later      | snomed      | {EGFR} | 2024-05-01 | 30
        later      | snomed      | {EGFR} | 2024-07-01 | 30
        """)
    # strict bounds: 0 < eGFR < 60, ACR > 3 (each person read twice, 3 months apart); an
    # observation without a value is not read; people measured in range still get a row
    # (eFI 0); a reading after as_of is not read, so one reading remains and no CKD
    check(efi(con, AS_OF), """
        nhs_number | efi_ckd | efi_deficits | efi_category
        acr3       | 0       | 0            | fit
        acr31      | 1       | 1            | fit
        egfr0      | 0       | 0            | fit
        egfr59     | 1       | 1            | fit
        egfr60     | 0       | 0            | fit
        later      | 0       | 0            | fit
        """)


CKD_CODE = "236425005"  # Chronic renal impairment (disorder): efi-ckd


def test_ckd_needs_coded_ckd_or_two_low_egfr_readings_3_months_apart(engine: str) -> None:
    con = connect(
        engine,
        diagnosis=f"""
        nhs_number | code_system | code       | date       | setting
        coded      | snomed      | {CKD_CODE} | 2023-01-01 | primary
        """,
        observation=f"""
        nhs_number    | code_system | code   | date       | value
        one_low       | snomed      | {EGFR} | 2024-01-10 | 45
        three_months  | snomed      | {EGFR} | 2023-11-29 | 45
        three_months  | snomed      | {EGFR} | 2024-02-29 | 52
        month_end     | snomed      | {EGFR} | 2024-02-29 | 45
        month_end     | snomed      | {EGFR} | 2024-05-31 | 45
        two_months    | snomed      | {EGFR} | 2024-01-10 | 45
        two_months    | snomed      | {EGFR} | 2024-03-10 | 45
        a_day_short   | snomed      | {EGFR} | 2023-11-30 | 45
        a_day_short   | snomed      | {EGFR} | 2024-02-29 | 52
        low_then_high | snomed      | {EGFR} | 2023-01-01 | 45
        low_then_high | snomed      | {EGFR} | 2023-06-01 | 75
        """)
    # one low reading (an acute kidney injury looks like this): no; two 3 calendar months
    # apart (2023-11-29 is 3 months before 2024-02-29; 31 May less 3 months is 29 Feb):
    # yes; two 2 months apart or a day short of 3 months: no; coded CKD: yes
    check(efi(con, AS_OF), """
        nhs_number    | efi_ckd
        a_day_short   | 0
        coded         | 1
        low_then_high | 0
        month_end     | 1
        one_low       | 0
        three_months  | 1
        two_months    | 0
        """)


def _issues(who: str, drugs: int, on: str) -> str:
    return "\n".join(f"{who} | {on} | D{i} | Drug{chr(65 + i)} 5mg tablets"
                     for i in range(drugs))


def test_polypharmacy_deficit_five_distinct_drugs_in_12_months(engine: str) -> None:
    con = connect(engine, prescription=f"""
        nhs_number | date | drug_code | drug_name
        {_issues("five", 5, "2024-01-01")}
        {_issues("four", 4, "2024-01-01")}
        four       | 2024-02-01 | D0 | DrugA 10mg tablets
        {_issues("edge", 4, "2024-01-01")}
        edge       | 2023-06-29 | D9 | DrugJ 5mg tablets
        {_issues("inside", 4, "2024-01-01")}
        inside     | 2023-06-30 | D9 | DrugJ 5mg tablets
        """)
    # four: a repeat of one drug (at another strength) is not a fifth; inside: the fifth
    # drug on the first day of the 12 months (2023-06-30, ltc.windows); edge: the day
    # before, outside the window
    check(efi(con, AS_OF), """
        nhs_number | efi_polypharmacy | efi_deficits
        edge       | 0                | 0
        five       | 1                | 1
        four       | 0                | 0
        inside     | 1                | 1
        """)


def test_social_facts_set_falls_activity_and_cognition(engine: str) -> None:
    con = connect(engine, social_fact="""
        nhs_number | date       | kind
        a          | 2024-01-01 | fall
        a          | 2024-01-01 | iadl_impairment
        a          | 2024-01-01 | cognitive_impairment
        b          | 2024-01-01 | bereavement
        c          | 2024-07-01 | fall
        """)
    check(efi(con, AS_OF), """
        nhs_number | efi_falls | efi_activity_limitation | efi_cognitive_problems | efi_deficits
        a          | 1         | 1                       | 1                      | 3
        """)
    check(efi(con, AS_OF, social_facts=False), """
        nhs_number | efi_deficits
        """)


def test_category_boundaries(engine: str) -> None:
    scores = [0.0, 0.12, 0.1201, 0.24, 0.2401, 0.36, 0.3601, 1.0,
              4 / 36, 5 / 36, 8 / 36, 9 / 36, 12 / 36, 13 / 36]
    t = ibis.memtable(pa.table({"i": list(range(len(scores))), "score": scores}))
    expr = t.select("i", c=category(t.score)).order_by("i")
    got = connection(engine).to_pyarrow(expr)["c"].to_pylist()
    assert got == ["fit", "fit", "mild", "mild", "moderate", "moderate", "severe", "severe",
                   "fit", "mild", "mild", "moderate", "moderate", "severe"]


def test_score_is_deficits_over_36(engine: str) -> None:
    codes = deficit_codes()
    # one code of each of the first 13 coded deficits, none shared with another deficit
    shared = {c for d, cs in codes.items() for c in cs
              if sum(c in other for other in codes.values()) > 1}
    picked = [sorted(cs - shared)[0] for cs in list(codes.values())[:13]]
    rows = "\n".join(f"p | snomed | {code} | 2020-01-01 | primary" for code in picked)
    con = connect(engine, diagnosis="nhs_number | code_system | code | date | setting\n" + rows)
    check(efi(con, AS_OF), """
        nhs_number | efi_deficits | efi    | efi_category
        p          | 13           | 0.3611 | severe
        """)
