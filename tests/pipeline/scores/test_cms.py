"""Cambridge Multimorbidity Score (STRAT-4): conditions from the project's registers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ltc.pipeline.scores.cms import REGISTER_OF, UNMAPPED, cms, weights
from ltc.records.registers import REGISTERS
from spec_tables import check, connect

AS_OF = date(2024, 6, 30)
DIABETES, CHD, HYPERTENSION = "44054006", "22298006", "38341003"
DEMENTIA, DEPRESSION = "26929004", "370143000"
CANCER = "363406005"  # Malignant tumour of colon: GM-SDE cancer code set


def test_weights_as_found_and_mapping() -> None:
    table = weights()
    assert len(table) == 20
    assert table["dementia"] == Decimal("2.5")
    assert table["hypertension"] == Decimal("0.08")
    assert sum(table.values()) == Decimal("16.33")
    assert set(REGISTER_OF) | set(UNMAPPED) == set(table)
    assert set(REGISTER_OF.values()) <= set(REGISTERS)
    assert sum(table[k] for k in REGISTER_OF) == Decimal("13.34")


def test_conditions_from_registers(engine: str) -> None:
    con = connect(
        engine,
        person="""
        nhs_number | date_of_birth | sex | practice_code | date_of_death
        a          | 1940-01-01    | F   | P1            |
        young      | 2010-01-01    | M   | P1            |
        dead       | 1940-01-01    | M   | P1            | 2024-01-01
        future     | 1940-01-01    | M   | P1            |
        none       | 1940-01-01    | M   | P1            |
        """,
        diagnosis=f"""
        nhs_number | code_system | code           | date       | setting
        a          | snomed      | {DIABETES}     | 2000-01-01 | primary
        a          | snomed      | {CHD}          | 2010-01-01 | primary
        a          | snomed      | {HYPERTENSION} | 2024-06-30 | primary
        a          | snomed      | {DEMENTIA}     | 2020-01-01 | primary
        young      | snomed      | {DEPRESSION}   | 2023-01-01 | primary
        young      | snomed      | {HYPERTENSION} | 2023-01-01 | primary
        dead       | snomed      | {DIABETES}     | 2000-01-01 | primary
        future     | snomed      | {DIABETES}     | 2024-07-01 | primary
        """)
    # a: 0.75 + 0.49 + 0.08 + 2.50; young: depression needs 18+ (QOF), hypertension counts;
    # dead before as_of and coded after as_of: no row
    check(cms(con, AS_OF), """
        nhs_number | cms_diabetes | cms_chd | cms_hypertension | cms_dementia | cms_anxiety | cms_conditions | cms
        a          | 1            | 1       | 1                | 1            | 0           | 4              | 3.82
        young      | 0            | 0       | 1                | 0            | 0           | 1              | 0.08
        """)  # noqa: E501


def test_cancer_counts_only_when_first_diagnosed_in_the_last_60_months(engine: str) -> None:
    born = "1950-01-01"
    people = ["new", "old", "edge", "inside", "hospital", "hospital_off"]
    con = connect(
        engine,
        person="nhs_number | date_of_birth | sex | practice_code\n"
        + "\n".join(f"{p} | {born} | F | P1" for p in people),
        diagnosis=f"""
        nhs_number   | code_system | code     | date       | setting
        new          | snomed      | {CANCER} | 2022-01-01 | primary
        old          | snomed      | {CANCER} | 2015-01-01 | primary
        old          | snomed      | {CANCER} | 2023-01-01 | primary
        old          | snomed      | {CHD}    | 2015-01-01 | primary
        edge         | snomed      | {CANCER} | 2019-06-29 | primary
        edge         | snomed      | {CHD}    | 2015-01-01 | primary
        inside       | snomed      | {CANCER} | 2019-06-30 | primary
        hospital     | icd10       | C18.7    | 2023-03-01 | secondary
        hospital_off | icd10       | C187     | 2023-03-01 | primary
        """)
    # old: first cancer code 2015 (not new); 60 months before as_of is 2019-06-30, the first
    # day inside (inside); edge: the day before it (outside);
    # hospital: secondary-care ICD-10; hospital_off: ICD-10 outside secondary care not read
    check(cms(con, AS_OF), """
        nhs_number | cms_cancer | cms_chd | cms
        edge       | 0          | 1       | 0.49
        hospital   | 1          | 0       | 1.53
        inside     | 1          | 0       | 1.53
        new        | 1          | 0       | 1.53
        old        | 0          | 1       | 0.49
        """)
    check(cms(con, AS_OF, include_hospital=False), """
        nhs_number | cms_cancer | cms
        edge       | 0          | 0.49
        inside     | 1          | 1.53
        new        | 1          | 1.53
        old        | 0          | 0.49
        """)
