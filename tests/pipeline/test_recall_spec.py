"""Recall statuses at their edges, as spec tables, on DuckDB and on Spark (DM-2).

Each status is tried the day before, on and after each of its edges: the due-soon window
(30 days), the due date (last done plus 12 months, month ends clamped), the overdue date
(due plus 3 months), never done (due from joining the register), the exception window (12
months), the flu season (counts from 1 August, due from 1 September, ends 31 March), the
target's age bands and the value read on the last day. The protocols are the packaged
defaults (diabetes, hypertension), so the tables read as a practice nurse would check them.
"""

from __future__ import annotations

from datetime import date

import ibis
import pytest

from ltc.pipeline.recall import COLUMNS, statuses
from ltc.protocols import load
from ltc.records.registers import REGISTERS
from spec_tables import check, connect, parse

AS_OF = date(2025, 3, 31)
PROTOCOLS = load()
DIABETES = {"diabetes": PROTOCOLS["diabetes"]}
HYPERTENSION = {"hypertension": PROTOCOLS["hypertension"]}
DM = sorted(REGISTERS["diabetes"].codes)[0]  # a diabetes register code (SNOMED CT)
HYP = sorted(REGISTERS["hypertension"].codes - REGISTERS["diabetes"].codes)[0]
HYP_RESOLVED = "162659009"  # Hypertension resolved (HYPRES_COD)
HBA1C = "999791000000106"  # IFCC HbA1c level (hba1c_tests, hba1c_ifcc)
FLU = "822851000000102"  # Seasonal influenza vaccination
SYSTOLIC = "72313002"  # in BP_COD and the systolic value list
DIASTOLIC = "271650006"  # in BP_COD and the diastolic value list
BP_READING = "163020007"  # On examination - blood pressure reading (BP_COD, no value)
DISSENT = "716771000000106"  # Excepted from hypertension quality indicators - informed dissent
BP_DECLINED = "413123006"  # Blood pressure procedure refused (BPDEC_COD)
SELF_DIASTOLIC = "1162735000"  # Self reported diastolic: a diastolic value, not in BP_COD


def _people(names: list[str], born: str = "1950-01-01") -> str:
    rows = "\n".join(f"{n} | {born} | U | P1" for n in names)
    return "nhs_number | date_of_birth | sex | practice_code\n" + rows


def _item(table: ibis.Table, item: str) -> ibis.Table:
    return table.filter(table.item == item)


def test_interval_edges(engine: str) -> None:
    """HbA1c, due 12 months after it was last done, due soon 30 days before, overdue 3
    months after (as of 2025-03-31: due soon from due dates up to 2025-04-30)."""
    names = ["done_edge", "soon_edge", "soon_last", "due_on_day", "due_last",
             "overdue_first", "month_end", "after_as_of", "on_as_of", "never_joined_today",
             "never_due", "never_overdue"]
    con = connect(engine, person=_people(names), diagnosis=f"""
        nhs_number         | code_system | code  | date       | setting
        done_edge          | snomed      | {DM}  | 2010-01-01 | primary
        soon_edge          | snomed      | {DM}  | 2010-01-01 | primary
        soon_last          | snomed      | {DM}  | 2010-01-01 | primary
        due_on_day         | snomed      | {DM}  | 2010-01-01 | primary
        due_last           | snomed      | {DM}  | 2010-01-01 | primary
        overdue_first      | snomed      | {DM}  | 2010-01-01 | primary
        month_end          | snomed      | {DM}  | 2010-01-01 | primary
        after_as_of        | snomed      | {DM}  | 2010-01-01 | primary
        on_as_of           | snomed      | {DM}  | 2010-01-01 | primary
        never_joined_today | snomed      | {DM}  | 2025-03-31 | primary
        never_due          | snomed      | {DM}  | 2025-01-01 | primary
        never_overdue      | snomed      | {DM}  | 2024-12-31 | primary
        """, observation=f"""
        nhs_number    | date       | code_system | code    | value
        done_edge     | 2024-05-01 | snomed      | {HBA1C} | 50
        soon_edge     | 2024-04-30 | snomed      | {HBA1C} | 50
        soon_last     | 2024-04-01 | snomed      | {HBA1C} | 50
        due_on_day    | 2024-03-31 | snomed      | {HBA1C} | 50
        due_last      | 2024-01-01 | snomed      | {HBA1C} | 50
        overdue_first | 2023-12-31 | snomed      | {HBA1C} | 50
        month_end     | 2024-02-29 | snomed      | {HBA1C} | 50
        after_as_of   | 2024-03-31 | snomed      | {HBA1C} | 50
        after_as_of   | 2025-04-01 | snomed      | {HBA1C} | 70
        on_as_of      | 2025-03-31 | snomed      | {HBA1C} | 60
        """)
    # due_last: due 2025-01-01, overdue from 2025-04-01; overdue_first: due 2024-12-31,
    # overdue from 2025-03-31; month_end: 29 February 2024 plus 12 months is 28 February
    check(_item(statuses(con, AS_OF, DIABETES), "hba1c"), """
        nhs_number         | status   | due_on     | last_done_on | last_value | target_met
        done_edge          | done     | 2025-05-01 | 2024-05-01   | 50         | True
        soon_edge          | due_soon | 2025-04-30 | 2024-04-30   | 50         | True
        soon_last          | due_soon | 2025-04-01 | 2024-04-01   | 50         | True
        due_on_day         | due      | 2025-03-31 | 2024-03-31   | 50         | True
        due_last           | due      | 2025-01-01 | 2024-01-01   | 50         | True
        overdue_first      | overdue  | 2024-12-31 | 2023-12-31   | 50         | True
        month_end          | due      | 2025-02-28 | 2024-02-29   | 50         | True
        after_as_of        | due      | 2025-03-31 | 2024-03-31   | 50         | True
        on_as_of           | done     | 2026-03-31 | 2025-03-31   | 60         | False
        never_joined_today | due      | 2025-03-31 |              |            |
        never_due          | due      | 2025-01-01 |              |            |
        never_overdue      | overdue  | 2024-12-31 |              |            |
        """)


def test_due_soon_window_is_a_setting(engine: str) -> None:
    """With no due-soon window an item is done up to the day before its due date."""
    con = connect(engine, person=_people(["tomorrow", "today"]), diagnosis=f"""
        nhs_number | code_system | code | date       | setting
        tomorrow   | snomed      | {DM} | 2010-01-01 | primary
        today      | snomed      | {DM} | 2010-01-01 | primary
        """, observation=f"""
        nhs_number | date       | code_system | code    | value
        tomorrow   | 2024-04-01 | snomed      | {HBA1C} | 50
        today      | 2024-03-31 | snomed      | {HBA1C} | 50
        """)
    check(_item(statuses(con, AS_OF, DIABETES, due_soon_days=0), "hba1c"), """
        nhs_number | status | due_on
        today      | due    | 2025-03-31
        tomorrow   | done   | 2025-04-01
        """)


def test_exceptions(engine: str) -> None:
    """Hypertension blood pressure: the protocol's informed dissent and the item's "blood
    pressure refused" count when recorded in the 12 months up to 2025-03-31 (from
    2024-03-31); a recording that keeps the item done wins over an exception."""
    names = ["dissent_first_day", "dissent_day_before", "refused", "done_wins",
             "due_soon_excepted", "dissent_after"]
    con = connect(engine, person=_people(names), diagnosis="\n".join(
        ["nhs_number | code_system | code | date | setting"]
        + [f"{n} | snomed | {HYP} | 2010-01-01 | primary" for n in names]),
        observation=f"""
        nhs_number         | date       | code_system | code          | value
        dissent_first_day  | 2023-01-01 | snomed      | {SYSTOLIC}    | 130
        dissent_first_day  | 2024-03-31 | snomed      | {DISSENT}     |
        dissent_day_before | 2023-01-01 | snomed      | {SYSTOLIC}    | 130
        dissent_day_before | 2024-03-30 | snomed      | {DISSENT}     |
        refused            | 2025-01-10 | snomed      | {BP_DECLINED} |
        done_wins          | 2025-01-01 | snomed      | {DISSENT}     |
        done_wins          | 2025-01-10 | snomed      | {SYSTOLIC}    | 130
        due_soon_excepted  | 2024-04-15 | snomed      | {SYSTOLIC}    | 130
        due_soon_excepted  | 2024-06-01 | snomed      | {DISSENT}     |
        dissent_after      | 2025-04-01 | snomed      | {DISSENT}     |
        """)
    check(statuses(con, AS_OF, HYPERTENSION), """
        nhs_number         | item           | status   | due_on     | last_done_on
        dissent_first_day  | blood_pressure | excepted | 2024-01-01 | 2023-01-01
        dissent_day_before | blood_pressure | overdue  | 2024-01-01 | 2023-01-01
        refused            | blood_pressure | excepted | 2010-01-01 |
        done_wins          | blood_pressure | done     | 2026-01-10 | 2025-01-10
        due_soon_excepted  | blood_pressure | excepted | 2025-04-15 | 2024-04-15
        dissent_after      | blood_pressure | overdue  | 2010-01-01 |
        """)


#: Flu vaccination (diabetes): who was vaccinated when, and each person's as-of date.
FLU_CASES = """
    nhs_number       | as_of      | status   | due_on     | last_done_on
    off_season       | 2024-07-31 | not_due  | 2024-09-01 |
    counts_from_day  | 2024-08-01 | not_due  | 2024-09-01 |
    soon_first_day   | 2024-08-02 | due_soon | 2024-09-01 |
    due_first_day    | 2024-09-01 | due      | 2024-09-01 |
    due_last_day     | 2024-11-30 | due      | 2024-09-01 |
    overdue_first    | 2024-12-01 | overdue  | 2024-09-01 |
    season_last_day  | 2025-03-31 | overdue  | 2024-09-01 |
    season_over      | 2025-04-01 | not_due  | 2025-09-01 |
    vaccinated       | 2024-12-01 | done     | 2025-09-01 | 2024-10-15
    vaccinated_april | 2025-04-01 | done     | 2025-09-01 | 2024-10-15
    next_season      | 2025-08-01 | not_due  | 2025-09-01 | 2024-10-15
    before_counting  | 2024-09-01 | due      | 2024-09-01 | 2024-07-31
    on_counting_day  | 2024-09-01 | done     | 2025-09-01 | 2024-08-01
    """


def test_flu_season(engine: str) -> None:
    cases = parse(FLU_CASES)
    given = {r["nhs_number"]: r["last_done_on"] for r in cases if r["last_done_on"]}
    con = connect(engine, person=_people([r["nhs_number"] for r in cases]),
                  diagnosis="\n".join(["nhs_number | code_system | code | date | setting"]
                                      + [f"{r['nhs_number']} | snomed | {DM} | 2010-01-01 "
                                         "| primary" for r in cases]),
                  observation="\n".join(["nhs_number | date | code_system | code"]
                                        + [f"{who} | {day} | snomed | {FLU}"
                                           for who, day in given.items()]))
    parts = []
    for day in sorted({r["as_of"] for r in cases}):
        who = [r["nhs_number"] for r in cases if r["as_of"] == day]
        found = _item(statuses(con, date.fromisoformat(day), DIABETES), "flu_vaccination")
        parts.append(found.filter(found.nhs_number.isin(who)).mutate(
            as_of=ibis.literal(day)))
    check(ibis.union(*parts), FLU_CASES)


def test_values_and_targets_by_age(engine: str) -> None:
    """Blood pressure targets: 140/90 or less aged 79 or under, 150/90 or less aged 80 or
    over (QOF HYP008, HYP009); the lowest of the readings of the last day; no value when
    the last recording has none, or when the latest value was recorded on another day (a
    self-reported diastolic reading alone does not record a blood pressure); no verdict
    without both values."""
    people = """
        nhs_number      | date_of_birth | sex | practice_code
        under_80_ok     | 1945-04-01    | F   | P1
        under_80_high   | 1945-04-01    | M   | P2
        aged_80_ok      | 1945-03-31    | F   | P1
        aged_80_high    | 1945-03-31    | F   | P1
        lowest_of_day   | 1960-01-01    | M   | P1
        no_value_on_day | 1960-01-01    | M   | P1
        only_systolic   | 1960-01-01    | M   | P1
        later_value     | 1960-01-01    | M   | P1
        """
    names = [r["nhs_number"] for r in parse(people)]
    con = connect(engine, person=people, diagnosis="\n".join(
        ["nhs_number | code_system | code | date | setting"]
        + [f"{n} | snomed | {HYP} | 2010-01-01 | primary" for n in names]),
        observation=f"""
        nhs_number      | date       | code_system | code         | value
        under_80_ok     | 2025-01-10 | snomed      | {SYSTOLIC}   | 140
        under_80_ok     | 2025-01-10 | snomed      | {DIASTOLIC}  | 90
        under_80_high   | 2025-01-10 | snomed      | {SYSTOLIC}   | 141
        under_80_high   | 2025-01-10 | snomed      | {DIASTOLIC}  | 90
        aged_80_ok      | 2025-01-10 | snomed      | {SYSTOLIC}   | 150
        aged_80_ok      | 2025-01-10 | snomed      | {DIASTOLIC}  | 90
        aged_80_high    | 2025-01-10 | snomed      | {SYSTOLIC}   | 150
        aged_80_high    | 2025-01-10 | snomed      | {DIASTOLIC}  | 91
        lowest_of_day   | 2025-01-10 | snomed      | {SYSTOLIC}   | 150
        lowest_of_day   | 2025-01-10 | snomed      | {DIASTOLIC}  | 95
        lowest_of_day   | 2025-01-10 | snomed      | {SYSTOLIC}   | 138
        lowest_of_day   | 2025-01-10 | snomed      | {DIASTOLIC}  | 85
        lowest_of_day   | 2024-06-01 | snomed      | {SYSTOLIC}   | 120
        no_value_on_day | 2024-12-01 | snomed      | {SYSTOLIC}   | 130
        no_value_on_day | 2025-01-10 | snomed      | {BP_READING} |
        only_systolic   | 2025-01-10 | snomed      | {SYSTOLIC}   | 130
        later_value     | 2025-01-10 | snomed      | {SYSTOLIC}   | 130
        later_value     | 2025-01-10 | snomed      | {DIASTOLIC}  | 80
        later_value     | 2025-02-01 | snomed      | {SELF_DIASTOLIC} | 70
        """)
    check(statuses(con, AS_OF, HYPERTENSION), """
        nhs_number      | practice_code | status | last_done_on | last_value | last_value_2
        under_80_ok     | P1            | done   | 2025-01-10   | 140        | 90
        under_80_high   | P2            | done   | 2025-01-10   | 141        | 90
        aged_80_ok      | P1            | done   | 2025-01-10   | 150        | 90
        aged_80_high    | P1            | done   | 2025-01-10   | 150        | 91
        lowest_of_day   | P1            | done   | 2025-01-10   | 138        | 85
        no_value_on_day | P1            | done   | 2025-01-10   |            |
        only_systolic   | P1            | done   | 2025-01-10   | 130        |
        later_value     | P1            | done   | 2025-01-10   | 130        |
        """)
    check(statuses(con, AS_OF, HYPERTENSION), """
        nhs_number      | target_met
        under_80_ok     | True
        under_80_high   | False
        aged_80_ok      | True
        aged_80_high    | False
        lowest_of_day   | True
        no_value_on_day |
        only_systolic   |
        later_value     |
        """)


def test_never_done_is_due_from_joining_the_current_episode(engine: str) -> None:
    """A person who left the register (a later resolved code) and came back is due from
    coming back; one known only from a hospital diagnosis from that diagnosis; one on the
    register by their GP record from the GP's code, as QOF dates a register entry."""
    con = connect(engine, person=_people(["came_back", "hospital_only", "resolved",
                                          "gp_after_hospital"]), diagnosis=f"""
        nhs_number        | code_system | code           | date       | setting
        came_back         | snomed      | {HYP}          | 2010-01-01 | primary
        came_back         | snomed      | {HYP_RESOLVED} | 2015-01-01 | primary
        came_back         | snomed      | {HYP}          | 2025-01-15 | primary
        hospital_only     | icd10       | I10X           | 2025-02-01 | secondary
        resolved          | snomed      | {HYP}          | 2010-01-01 | primary
        resolved          | snomed      | {HYP_RESOLVED} | 2015-01-01 | primary
        gp_after_hospital | icd10       | I10X           | 2024-06-01 | secondary
        gp_after_hospital | snomed      | {HYP}          | 2025-01-20 | primary
        """)
    check(statuses(con, AS_OF, HYPERTENSION), """
        nhs_number        | item           | status | due_on
        came_back         | blood_pressure | due    | 2025-01-15
        hospital_only     | blood_pressure | due    | 2025-02-01
        gp_after_hospital | blood_pressure | due    | 2025-01-20
        """)


def test_every_item_of_the_register_and_the_columns(engine: str) -> None:
    con = connect(engine, person=_people(["p"]), diagnosis=f"""
        nhs_number | code_system | code | date       | setting
        p          | snomed      | {DM} | 2025-03-01 | primary
        """)
    found = statuses(con, AS_OF, PROTOCOLS)
    assert tuple(found.columns) == COLUMNS
    rows = found.to_pyarrow().to_pylist()
    assert sorted((r["condition"], r["item"]) for r in rows) == sorted(
        ("diabetes", i.id) for i in PROTOCOLS["diabetes"].items)
    assert {r["status"] for r in rows} == {"due", "overdue"}  # flu: overdue on 31 March


def test_a_negative_window_is_refused() -> None:
    con = connect("duckdb")
    with pytest.raises(ValueError, match="due_soon_days"):
        statuses(con, AS_OF, DIABETES, due_soon_days=-1)
