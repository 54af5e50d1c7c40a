"""Every windowed criterion at its edges, and Evercare from records (STRAT-1, STRAT-2).

Index date 2025-03-31. Windows are ``ltc.windows``': inclusive at both ends, months are
calendar months (``docs/rules.md``, "Windows", lists each first day). Each spec table has
three people: ``inside`` (a record the day after the window's first day, or the day
before it for "on or before" edges), ``edge`` (a record on the first day itself) and
``outside`` (a record the day before the first day). Every table runs on DuckDB and Spark.
"""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow.compute as pc

from ltc import windows
from ltc.pipeline import levels
from ltc.pipeline import stratify as strat
from ltc.pipeline.features import features
from ltc.records.registers import REGISTERS
from spec_tables import check, connect, parse

AS_OF = date(2025, 3, 31)
PEOPLE = ["inside", "edge", "outside"]
PERSON = "nhs_number | date_of_birth | sex | practice_code\n" + "\n".join(
    f"{p} | 1945-01-01 | F | P1" for p in PEOPLE)
PRACTICE = """
    practice_code | name | locality_code
    P1            | One  | L1
"""
COPD = sorted(REGISTERS["copd"].codes)[0]


def _rows(header: str, *cells: str) -> str:
    """A table with one row per person of ``PEOPLE``: ``cells`` after the NHS number."""
    return header + "\n" + "\n".join(f"{who} | {row}" for who, row in
                                      zip(PEOPLE, cells, strict=True))


# criterion: (window, first day inside, its record tables, expected feature values)
SPECS: dict[str, tuple[str, str, dict[str, str], str]] = {
    "emergency_12m": ("12 months", "2024-03-31", {"inpatient_spell": _rows(
        "nhs_number | admission_date | discharge_date | admission_method",
        "2024-04-01 | 2024-04-02 | 21", "2024-03-31 | 2024-04-02 | 21",
        "2024-03-30 | 2024-03-30 | 21")}, """
        nhs_number | emergency_12m | admissions_12m
        inside     | 1             | 1
        edge       | 1             | 1
        outside    | 0             | 0
        """),
    "emergency_13m": ("13 months", "2024-02-29", {"inpatient_spell": _rows(
        "nhs_number | admission_date | discharge_date | admission_method",
        "2024-03-01 | 2024-03-01 | 22", "2024-02-29 | 2024-02-29 | 22",
        "2024-02-28 | 2024-02-28 | 22")}, """
        nhs_number | emergency_13m | emergency_12m
        inside     | 1             | 0
        edge       | 1             | 0
        outside    | 0             | 0
        """),
    "admissions_12m": ("12 months", "2024-03-31", {"inpatient_spell": _rows(
        "nhs_number | admission_date | discharge_date | admission_method",
        "2024-04-01 | 2024-04-01 | 11", "2024-03-31 | 2024-03-31 | 11",
        "2024-03-30 | 2024-03-30 | 11")}, """
        nhs_number | admissions_12m | emergency_12m
        inside     | 1              | 0
        edge       | 1              | 0
        outside    | 0              | 0
        """),
    # nights inside the window: a stay leaving on its first day spent no night in it
    "bed_days_12m": ("12 months", "2024-03-31", {"inpatient_spell": _rows(
        "nhs_number | admission_date | discharge_date | admission_method",
        "2024-03-31 | 2024-04-02 | 21", "2024-03-30 | 2024-04-01 | 21",
        "2024-03-28 | 2024-03-30 | 21")}, """
        nhs_number | bed_days_12m
        inside     | 2
        edge       | 1
        outside    | 0
        """),
    "ae_12m": ("12 months", "2024-03-31", {"ae_attendance": _rows(
        "nhs_number | date", "2024-04-01", "2024-03-31", "2024-03-30")}, """
        nhs_number | ae_12m
        inside     | 1
        edge       | 1
        outside    | 0
        """),
    "outpatient_12m": ("12 months", "2024-03-31", {"outpatient_attendance": _rows(
        "nhs_number | date | attended", "2024-04-01 | true", "2024-03-31 | true",
        "2024-03-30 | true")}, """
        nhs_number | outpatient_12m
        inside     | 1
        edge       | 1
        outside    | 0
        """),
    "gp_12m": ("12 months", "2024-03-31", {"gp_consultation": _rows(
        "nhs_number | date | staff | mode", "2024-04-01 | gp | face_to_face",
        "2024-03-31 | gp | face_to_face", "2024-03-30 | gp | face_to_face")}, """
        nhs_number | gp_12m
        inside     | 1
        edge       | 1
        outside    | 0
        """),
    "ambulance_12m": ("12 months", "2024-03-31", {"ambulance_incident": _rows(
        "nhs_number | date | outcome | conveyed", "2024-04-01 | see_and_treat | false",
        "2024-03-31 | see_and_treat | false", "2024-03-30 | see_and_treat | false")}, """
        nhs_number | ambulance_12m | non_conveyed_12m
        inside     | 1             | 1
        edge       | 1             | 1
        outside    | 0             | 0
        """),
    "community_12m": ("12 months", "2024-03-31", {"community_contact": _rows(
        "nhs_number | date | service | mode", "2024-04-01 | district_nursing | home_visit",
        "2024-03-31 | district_nursing | home_visit",
        "2024-03-30 | district_nursing | home_visit")}, """
        nhs_number | community_12m
        inside     | 1
        edge       | 1
        outside    | 0
        """),
    # one assessment in each three-month period: the last 3 months (from 2024-12-31), the
    # 3 months before (from 2024-09-30; 2024-12-30 is their last day), then from
    # 2024-06-30 and from 2024-03-31; the oldest period's assessment is what moves
    "social_assessments_min_q": ("each 3 months of 12", "2024-03-31", {
        "social_care_contact": "nhs_number | date | kind\n" + "\n".join(
            f"{who} | {day} | assessment" for who in PEOPLE
            for day in ("2025-03-31", "2024-12-30", "2024-09-29"))
        + "\n" + _rows("", "2024-06-29 | assessment", "2024-03-31 | assessment",
                       "2024-03-30 | assessment").strip()}, """
        nhs_number | social_assessments_min_q
        inside     | 1
        edge       | 1
        outside    | 0
        """),
    # "for 6 months or more": first issue on or before the first day of the last 6 months
    "long_term_medicines (6 months)": ("6 months", "2024-09-30", {"prescription": _rows(
        "nhs_number | date | drug_code_system | drug_code | drug_name | quantity | cost",
        "2024-09-29 | bnf | 0205051R0 | Ramipril 5mg capsules | 28 | 1",
        "2024-09-30 | bnf | 0205051R0 | Ramipril 5mg capsules | 28 | 1",
        "2024-10-01 | bnf | 0205051R0 | Ramipril 5mg capsules | 28 | 1")
        + "\n" + "\n".join(f"{who} | 2025-03-01 | bnf | 0205051R0 | Ramipril 5mg capsules | "
                           "28 | 1" for who in PEOPLE)}, """
        nhs_number | long_term_medicines | medicines_12m
        inside     | 1                   | 1
        edge       | 1                   | 1
        outside    | 0                   | 1
        """),
    # ... and still issued: an issue in the last 3 months
    "long_term_medicines (3 months)": ("3 months", "2024-12-31", {"prescription": _rows(
        "nhs_number | date | drug_code_system | drug_code | drug_name | quantity | cost",
        "2025-01-01 | bnf | 0205051R0 | Ramipril 5mg capsules | 28 | 1",
        "2024-12-31 | bnf | 0205051R0 | Ramipril 5mg capsules | 28 | 1",
        "2024-12-30 | bnf | 0205051R0 | Ramipril 5mg capsules | 28 | 1")
        + "\n" + "\n".join(f"{who} | 2024-06-01 | bnf | 0205051R0 | Ramipril 5mg capsules | "
                           "28 | 1" for who in PEOPLE)}, """
        nhs_number | long_term_medicines
        inside     | 1
        edge       | 1
        outside    | 0
        """),
    "medicines_12m": ("12 months", "2024-03-31", {"prescription": _rows(
        "nhs_number | date | drug_code_system | drug_code | drug_name | quantity | cost",
        "2024-04-01 | bnf | 0205051R0 | Ramipril 5mg capsules | 28 | 12",
        "2024-03-31 | bnf | 0205051R0 | Ramipril 5mg capsules | 28 | 12",
        "2024-03-30 | bnf | 0205051R0 | Ramipril 5mg capsules | 28 | 12")}, """
        nhs_number | medicines_12m | monthly_cost
        inside     | 1             | 1
        edge       | 1             | 1
        outside    | 0             | 0
        """),
    "falls_2m": ("2 months", "2025-01-31", {"social_fact": _rows(
        "nhs_number | date | kind", "2025-02-01 | fall", "2025-01-31 | fall",
        "2025-01-30 | fall")}, """
        nhs_number | falls_2m
        inside     | 1
        edge       | 1
        outside    | 0
        """),
    "bereaved_6m": ("6 months", "2024-09-30", {"social_fact": _rows(
        "nhs_number | date | kind", "2024-10-01 | bereavement", "2024-09-30 | bereavement",
        "2024-09-29 | bereavement")}, """
        nhs_number | bereaved_6m
        inside     | True
        edge       | True
        outside    | False
        """),
    "carer_died_12m": ("12 months", "2024-03-31", {"social_fact": _rows(
        "nhs_number | date | kind", "2024-04-01 | carer_death", "2024-03-31 | carer_death",
        "2024-03-30 | carer_death")}, """
        nhs_number | carer_died_12m
        inside     | True
        edge       | True
        outside    | False
        """),
    "medically_unstable": ("90 days", "2024-12-31", {"social_fact": _rows(
        "nhs_number | date | kind", "2025-01-01 | medically_unstable",
        "2024-12-31 | medically_unstable", "2024-12-30 | medically_unstable")}, """
        nhs_number | medically_unstable | exacerbation_90d
        inside     | True               | False
        edge       | True               | False
        outside    | False              | False
        """),
    "exacerbation_90d": ("90 days", "2024-12-31", {
        "diagnosis": "nhs_number | code_system | code | date | setting\n" + "\n".join(
            f"{who} | snomed | {COPD} | 2010-01-01 | primary" for who in PEOPLE),
        "inpatient_spell": _rows(
            "nhs_number | admission_date | discharge_date | admission_method | "
            "primary_diagnosis",
            "2025-01-01 | 2025-01-02 | 21 | J44.1", "2024-12-31 | 2025-01-02 | 21 | J44.1",
            "2024-12-30 | 2025-01-02 | 21 | J44.1")}, """
        nhs_number | exacerbation_90d | medically_unstable
        inside     | True             | False
        edge       | True             | False
        outside    | False            | False
        """),
}


def _all_specs() -> dict[str, list[dict[str, str]]]:
    """Every spec's records in one set of tables, each person named ``<criterion>/<who>``
    (one run per engine: a Spark run costs seconds)."""
    tables: dict[str, list[dict[str, str]]] = {
        "person": [{**r, "nhs_number": f"{c}/{r['nhs_number']}"} for c in SPECS
                   for r in parse(PERSON)],
        "practice": parse(PRACTICE)}
    for criterion, (_, _, records, _) in SPECS.items():
        for name, text in records.items():
            tables.setdefault(name, []).extend(
                {**r, "nhs_number": f"{criterion}/{r['nhs_number']}"} for r in parse(text))
    for name, rows in tables.items():  # one set of columns per table
        columns = dict.fromkeys(c for r in rows for c in r)
        tables[name] = [{c: r.get(c, "") for c in columns} for r in rows]
    return tables


def test_each_windowed_criterion_at_its_edges(engine: str) -> None:
    con = connect(engine, **_all_specs())
    result = features(con, AS_OF).to_pyarrow()
    failures = []
    for criterion, (window, first, _, want) in SPECS.items():
        count, unit = window.split()[-2:]
        if unit in ("months", "days"):  # the first day is ltc.windows' (the doc table's too)
            assert windows.start(AS_OF, **{unit: int(count)}) == date.fromisoformat(first)
        mine = pc.starts_with(result["nhs_number"], f"{criterion}/")
        rows = result.filter(mine)
        rows = rows.set_column(rows.schema.get_field_index("nhs_number"), "nhs_number",
                               pc.replace_substring(rows["nhs_number"], f"{criterion}/", ""))
        try:
            check(ibis.memtable(rows), want)
        except AssertionError as err:
            failures.append(f"{criterion} ({window} from {first}): {err}")
    assert not failures, "\n\n".join(failures)


def test_known_to_social_care_looks_back_12_months_at_contacts_and_packages(
        engine: str) -> None:
    con = connect(
        engine, person=PERSON, practice=PRACTICE,
        social_care_contact=_rows("nhs_number | date | kind", "2024-04-01 | review",
                                  "2024-03-31 | review", "2024-03-30 | review"),
        social_care_package=_rows(
            "nhs_number | start_date | end_date | hours_per_week | intensity",
            "2023-01-01 | 2024-04-01 | 5 | low", "2023-01-01 | 2024-03-31 | 5 | low",
            "2023-01-01 | 2024-03-30 | 5 | low"))
    known = strat._known_to_social_care(con, AS_OF)
    check(known, """
        nhs_number | known_to_social_care
        edge       | True
        inside     | True
        """)


# Evercare from records (DH 2005, "NHS Evercare Pilots"): aged 65+ AND (2+ unplanned
# admissions in 13 months OR any one nomination). 13 months before 2025-03-31 is
# 2024-02-29: a second admission that day is in; the day before is out.
EVERCARE_PEOPLE = {
    "admissions": "1945-01-01", "admissions_out": "1945-01-01", "exacerbation": "1945-01-01",
    "falls": "1945-01-01", "bereaved": "1945-01-01", "vulnerable": "1945-01-01",
    "unstable_only": "1945-01-01", "none": "1945-01-01", "aged_64": "1960-04-01",
}
EVERCARE_RECORDS = {
    "person": "nhs_number | date_of_birth | sex | practice_code | lives_alone\n" + "\n".join(
        f"{who} | {born} | F | P1 | {str(who in ('vulnerable', 'aged_64')).lower()}"
        for who, born in EVERCARE_PEOPLE.items()),
    "practice": PRACTICE,
    "diagnosis": f"""
        nhs_number   | code_system | code   | date       | setting
        exacerbation | snomed      | {COPD} | 2010-01-01 | primary
        aged_64      | snomed      | {COPD} | 2010-01-01 | primary
        """,
    "inpatient_spell": """
        nhs_number     | admission_date | discharge_date | admission_method | primary_diagnosis
        admissions     | 2024-06-01     | 2024-06-03     | 21               | R69
        admissions     | 2024-02-29     | 2024-03-02     | 21               | R69
        admissions_out | 2024-06-01     | 2024-06-03     | 21               | R69
        admissions_out | 2024-02-28     | 2024-03-02     | 21               | R69
        exacerbation   | 2025-02-01     | 2025-02-05     | 21               | J44.1
        aged_64        | 2025-02-01     | 2025-02-05     | 21               | J44.1
        aged_64        | 2024-06-01     | 2024-06-03     | 21               | R69
        """,
    "social_fact": """
        nhs_number    | date       | kind
        falls         | 2025-02-01 | fall
        falls         | 2025-03-01 | fall
        falls         | 2025-03-20 | fall
        bereaved      | 2024-12-01 | bereavement
        vulnerable    | 2023-01-01 | cognitive_impairment
        vulnerable    | 2025-03-01 | medically_unstable
        unstable_only | 2025-03-01 | medically_unstable
        aged_64       | 2025-02-01 | fall
        aged_64       | 2025-03-01 | fall
        aged_64       | 2025-03-20 | fall
        aged_64       | 2024-12-01 | bereavement
        aged_64       | 2023-01-01 | cognitive_impairment
        aged_64       | 2025-03-01 | medically_unstable
        """,
    "social_care_package": """
        nhs_number | start_date | end_date | hours_per_week | intensity
        vulnerable | 2024-01-01 |          | 30             | high
        aged_64    | 2024-01-01 |          | 30             | high
        """,
}


def test_evercare_each_way_in_alone_none_under_65_and_the_13_month_edge(engine: str) -> None:
    con = connect(engine, **EVERCARE_RECORDS)
    people = strat.people(con, AS_OF, levels.load(None))
    columns = ["nhs_number", "evercare", "evercare__unplanned_2", "evercare__exacerbation",
               "evercare__falls", "evercare__bereavement", "evercare__vulnerable_alone"]
    got = {r["nhs_number"]: [r[c] for c in columns[1:]]
           for r in people.select(columns).to_pylist()}
    #                 in     admissions exacerb. falls  bereaved vulnerable
    assert got == {
        "admissions":     [True,  True,  False, False, False, False],
        "admissions_out": [False, False, False, False, False, False],
        "exacerbation":   [True,  False, True,  False, False, False],
        "falls":          [True,  False, False, True,  False, False],
        "bereaved":       [True,  False, False, False, True,  False],
        "vulnerable":     [True,  False, False, False, False, True],
        "unstable_only":  [False, False, False, False, False, False],
        "none":           [False, False, False, False, False, False],
        "aged_64":        [False, True,  True,  True,  True,  True],
    }
    reasons = dict(zip(people["nhs_number"].to_pylist(), people["reasons"].to_pylist(),
                       strict=True))
    assert ("Evercare: Aged 65 or over; In by admissions: 2 or more unplanned admissions "
            "in the last 13 months") in reasons["admissions"]
    assert "Evercare: Aged 65 or over; Nominated: more than 2 falls in 2 months" \
        in reasons["falls"]
    assert "Evercare: Aged 65 or over; Nominated: bereaved" in reasons["bereaved"]
    assert "Evercare: Aged 65 or over; Nominated: cognitively impaired, living alone, " \
        "medically unstable" in reasons["vulnerable"]
    assert "Evercare: Aged 65 or over; Nominated: exacerbation" in reasons["exacerbation"]
    assert "Evercare (not met): In by admissions" in reasons["aged_64"]
    assert "Nominated" not in reasons["none"]
    assert "In by" not in reasons["none"]
