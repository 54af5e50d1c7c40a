"""Spec tests for the features (STRAT-1, STRAT-2): input rows -> expected feature values.

Index date throughout: 2025-03-31. Windows are ``ltc.windows``': inclusive at both ends, in
calendar months, so "the last 12 months" starts on 2024-03-31 and "the last 13 months" on
2024-02-29. ``test_windows.py`` tests each window's edge on its own.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ltc.pipeline.engine import from_tables
from ltc.pipeline.features import FEATURE_KINDS, features
from ltc.windows import start
from spec_tables import table

AS_OF = date(2025, 3, 31)
A, B, C = "9434765919", "9000000009", "9000000017"

PERSON = table("person", f"""
    nhs_number | date_of_birth | sex | practice_code | lives_alone | date_of_death
    {A}        | 1960-03-31    | F   | P1            | true        |
    {B}        | 1960-04-01    | M   | P1            | false       |
    {C}        | 1930-01-01    | F   | P1            |             | 2025-03-30
""")
PRACTICE = table("practice", """
    practice_code | name  | locality_code
    P1            | One   | L1
""")


def run(engine: str, **tables: pa.Table) -> dict[str, dict[str, Any]]:
    con = from_tables({"person": PERSON, "practice": PRACTICE, **tables}, engine=engine)
    rows = features(con, AS_OF).to_pyarrow().to_pylist()
    return {r["nhs_number"]: r for r in rows}


def test_people_alive_on_the_index_date_with_age_in_completed_years(engine: str) -> None:
    out = run(engine)
    assert set(out) == {A, B}  # C died the day before
    assert out[A]["age"] == 65  # 65th birthday on the index date
    assert out[B]["age"] == 64  # birthday the day after
    assert out[A]["locality_code"] == "L1"
    assert out[A]["lives_alone"] is True


def test_emergency_admission_windows_12_and_13_months(engine: str) -> None:
    spells = table("inpatient_spell", f"""
        nhs_number | admission_date | discharge_date | admission_method
        {A}        | 2024-03-31     | 2024-04-03     | 21
        {A}        | 2024-03-30     | 2024-04-02     | 22
        {A}        | 2024-02-29     | 2024-03-02     | 2D
        {A}        | 2024-02-28     | 2024-03-01     | 2D
        {A}        | 2024-06-01     | 2024-06-01     | 11
        {A}        | 2025-04-01     | 2025-04-02     | 21
    """)
    out = run(engine, inpatient_spell=spells)[A]
    assert out["emergency_12m"] == 1  # 2024-03-31 is the first day inside, 03-30 is not
    assert out["emergency_13m"] == 3  # 13 months back is 2024-02-29: inside, 02-28 outside
    assert out["admissions_12m"] == 2  # the elective day case counts
    assert run(engine)[A]["emergency_12m"] == 0


def test_bed_days_are_clipped_to_the_window_and_open_stays_run_to_the_index_date(
        engine: str) -> None:
    spells = table("inpatient_spell", f"""
        nhs_number | admission_date | discharge_date | admission_method
        {A}        | 2024-03-25     | 2024-04-05     | 21
        {A}        | 2024-10-01     | 2024-10-11     | 21
        {B}        | 2025-03-01     |                | 21
    """)
    out = run(engine, inpatient_spell=spells)
    assert out[A]["bed_days_12m"] == 5 + 10  # nights from 31 March to 5 April, then 10
    assert out[B]["bed_days_12m"] == 31  # still in hospital: 1 March to 1 April


def test_counts_of_contacts_in_the_last_year(engine: str) -> None:
    out = run(
        engine,
        ae_attendance=table("ae_attendance", f"""
            nhs_number | date
            {A}        | 2024-03-31
            {A}        | 2024-03-30
            {A}        | 2025-03-31
        """),
        outpatient_attendance=table("outpatient_attendance", f"""
            nhs_number | date       | attended
            {A}        | 2024-05-01 | true
            {A}        | 2024-05-02 | false
        """),
        ambulance_incident=table("ambulance_incident", f"""
            nhs_number | date       | outcome
            {A}        | 2024-05-01 | conveyed
            {A}        | 2024-06-01 | see_and_treat
            {A}        | 2024-07-01 | hear_and_treat
        """),
        community_contact=table("community_contact", f"""
            nhs_number | date       | service          | mode
            {B}        | 2025-01-01 | district_nursing | home_visit
        """),
    )
    assert out[A]["ae_12m"] == 2
    assert out[A]["outpatient_12m"] == 1  # did-not-attend does not count
    assert out[A]["ambulance_12m"] == 3
    assert out[A]["non_conveyed_12m"] == 2
    assert out[B]["community_12m"] == 1
    assert out[A]["community_12m"] == 0


def test_long_term_medicines_polypharmacy_and_monthly_cost(engine: str) -> None:
    rx = table("prescription", f"""
        nhs_number | date       | drug_code_system | drug_code | drug_name | quantity | cost
        {A}        | 2024-09-30 | bnf              | D1        | one       | 28       | 60
        {A}        | 2024-12-31 | bnf              | D1        | one       | 28       | 60
        {A}        | 2024-10-01 | bnf              | D2        | two       | 28       | 60
        {A}        | 2025-03-01 | bnf              | D2        | two       | 28       | 60
        {A}        | 2024-06-01 | bnf              | D3        | three     | 28       | 600
        {A}        | 2024-07-01 | bnf              | D3        | three     | 28       | 0
    """)
    out = run(engine, prescription=rx)[A]
    # D1: first issue on the first day of the last 6 months (2024-09-30), last on the first
    # day of the last 3 months (2024-12-31): long term. D2: first issue a day later: not
    # yet. D3: not issued in the last 3 months: stopped.
    assert out["long_term_medicines"] == 1
    assert out["medicines_12m"] == 3
    assert out["monthly_cost"] == pytest.approx(840 / 12)


def test_a_dose_change_is_one_long_term_medicine(engine: str) -> None:
    rx = table("prescription", f"""
        nhs_number | date       | drug_code_system | drug_code       | drug_name                | quantity | cost
        {A}        | 2024-08-01 | bnf              | 0205051R0AAAAAA | Ramipril 2.5mg capsules  | 28       | 1
        {A}        | 2024-12-01 | bnf              | 0205051R0AAABAB | Ramipril 5mg capsules    | 28       | 1
        {A}        | 2025-03-01 | bnf              | 0205051R0AAABAB | Ramipril 5mg capsules    | 28       | 1
        {A}        | 2025-03-01 | bnf              | 0206020A0AAAAAA | Amlodipine 5mg tablets   | 28       | 1
        {B}        | 2024-08-01 | dmd              | 41946311000001106 | Ramipril 2.5mg capsules | 28      | 1
        {B}        | 2025-03-01 | dmd              | 41946511000001104 | Ramipril 5mg capsules   | 28      | 1
    """)  # noqa: E501
    out = run(engine, prescription=rx)
    # ramipril for 8 months at two strengths: one medicine, long term; amlodipine: a second
    # medicine, started this month
    assert out[A]["long_term_medicines"] == 1
    assert out[A]["medicines_12m"] == 2
    assert out[B]["long_term_medicines"] == 1  # dm+d: the same name without the strength
    assert out[B]["medicines_12m"] == 1


def test_social_and_functional_facts(engine: str) -> None:
    facts = table("social_fact", f"""
        nhs_number | date       | kind              | supported
        {A}        | 2025-01-30 | fall              |
        {A}        | 2025-01-31 | fall              |
        {A}        | 2025-03-31 | fall              |
        {A}        | 2024-09-30 | bereavement       |
        {A}        | 2020-01-01 | iadl_impairment   | false
        {B}        | 2024-09-29 | bereavement       |
        {B}        | 2024-03-30 | carer_death       |
        {B}        | 2019-01-01 | adl_impairment    |
        {B}        | 2025-01-02 | medically_unstable |
    """)
    out = run(engine, social_fact=facts)
    assert out[A]["falls_2m"] == 2  # 2 months back is 2025-01-31: inside; 01-30 outside
    assert out[A]["bereaved_6m"] is True  # 6 months back: 2024-09-30 is inside
    assert out[B]["bereaved_6m"] is False
    assert out[B]["carer_died_12m"] is False  # a year and a day ago
    assert out[A]["iadl_impaired"] is True
    assert out[A]["iadl_unsupported"] is True
    assert out[B]["adl_impaired"] is True
    assert out[B]["medically_unstable"] is True  # recorded on day 88
    assert out[B]["exacerbation_90d"] is False  # medically unstable is not an exacerbation
    assert out[A]["medically_unstable"] is False


def test_social_care_assessments_in_each_quarter_and_package_intensity(engine: str) -> None:
    rows = ["nhs_number | date | kind"]
    # A: 5 assessments in each of the four three-month periods (ltc.windows: the last 3
    # months start on 2024-12-31, then 2024-09-30, 2024-06-30, 2024-03-31), each on the
    # period's first days; B: 5 in three periods only
    for q in range(4):
        first = start(AS_OF, months=3 * (q + 1))
        for i in range(5):
            day = date.fromordinal(first.toordinal() + i)
            rows.append(f"{A} | {day} | assessment")
            if q < 3:
                rows.append(f"{B} | {day} | assessment")
    contacts = table("social_care_contact", "\n".join(rows))
    packages = table("social_care_package", f"""
        nhs_number | start_date | end_date   | hours_per_week | intensity
        {A}        | 2024-01-01 |            | 20             | high
        {B}        | 2024-01-01 | 2025-03-31 | 20             | high
        {B}        | 2024-01-01 |            | 3              | low
    """)
    out = run(engine, social_care_contact=contacts, social_care_package=packages)
    assert out[A]["social_assessments_min_q"] == 5
    assert out[B]["social_assessments_min_q"] == 0
    assert out[A]["care_package_intensity"] == "high"
    assert out[B]["care_package_intensity"] == "low"  # the high one ended on the index date


def test_registers_count_and_exacerbation_of_a_registered_condition(engine: str) -> None:
    from ltc.records.registers import REGISTERS

    copd = sorted(REGISTERS["copd"].codes)[0]
    hf = sorted(REGISTERS["heart_failure"].codes)[0]
    dx = table("diagnosis", f"""
        nhs_number | code_system | code   | date       | setting
        {A}        | snomed      | {copd} | 2010-01-01 | primary
        {A}        | snomed      | {hf}   | 2012-01-01 | primary
        {B}        | snomed      | {copd} | 2025-04-01 | primary
    """)
    spells = table("inpatient_spell", f"""
        nhs_number | admission_date | discharge_date | admission_method | primary_diagnosis
        {A}        | 2025-01-01     | 2025-01-05     | 21               | J44.1
        {B}        | 2025-01-01     | 2025-01-05     | 21               | J441
    """)
    out = run(engine, diagnosis=dx, inpatient_spell=spells)
    assert out[A]["ltc_count"] == 2
    assert out[B]["ltc_count"] == 0  # diagnosed after the index date
    assert out[A]["exacerbation_90d"] is True
    assert out[B]["exacerbation_90d"] is False  # not (yet) on the COPD register


def test_gp_consultation_percentile_among_older_people_of_the_practice(engine: str) -> None:
    rows = ["nhs_number | date | staff | mode"]
    rows += [f"{A} | 2025-01-{d:02d} | gp | telephone" for d in range(1, 11)]
    out = run(engine, gp_consultation=table("gp_consultation", "\n".join(rows)))
    assert out[A]["gp_12m"] == 10
    assert out[A]["gp_percentile_65"] == 0.0  # the only person 65+ in the practice
    assert out[B]["gp_percentile_65"] is None  # 64


def test_every_declared_feature_is_produced(engine: str) -> None:
    row = run(engine)[A]
    assert set(FEATURE_KINDS) <= set(row)


@cache
def _base(engine: str) -> dict[str, dict[str, Any]]:
    return run(engine)


FUTURE = st.dates(min_value=date(2025, 4, 1), max_value=date(2030, 1, 1))


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(days=st.lists(FUTURE, min_size=1, max_size=6))
def test_no_feature_reads_after_the_index_date(engine: str, days: list[date]) -> None:
    """Adding any records dated after the index date changes no feature."""
    base = _base(engine)
    lines = "\n".join(f"{A} | {d} | 21" for d in days)
    rx = "\n".join(f"{A} | {d} | bnf | X{i} | x | 1 | 500" for i, d in enumerate(days))
    later = run(
        engine,
        inpatient_spell=table("inpatient_spell",
                              "nhs_number | admission_date | admission_method\n" + lines),
        ae_attendance=table("ae_attendance", "nhs_number | date\n" + "\n".join(
            f"{A} | {d}" for d in days)),
        prescription=table("prescription", "nhs_number | date | drug_code_system | "
                           "drug_code | drug_name | quantity | cost\n" + rx),
        social_fact=table("social_fact", "nhs_number | date | kind\n" + "\n".join(
            f"{A} | {d} | fall" for d in days)),
    )
    assert later == base
