"""Polypharmacy (STRAT-4): distinct medicines issued in the 12 months before as_of."""

from __future__ import annotations

from datetime import date

from spec_tables import check, connect

from ltc.pipeline.scores.polypharmacy import polypharmacy

AS_OF = date(2024, 6, 30)


def _issues(who: str, drugs: int, on: str = "2024-03-01") -> str:
    return "\n".join(f"{who} | {on} | D{i}" for i in range(drugs))


def test_distinct_drugs_and_thresholds(engine: str) -> None:
    con = connect(engine, prescription=f"""
        nhs_number | date | drug_code
        {_issues("n4", 4)}
        {_issues("n5", 5)}
        {_issues("n9", 9)}
        {_issues("n10", 10)}
        {_issues("repeats", 4)}
        repeats    | 2024-04-01 | D0
        repeats    | 2024-05-01 | D1
        {_issues("edge", 4)}
        edge       | 2023-06-29 | X
        {_issues("inside", 4)}
        inside     | 2023-06-30 | X
        {_issues("on_as_of", 4)}
        on_as_of   | 2024-06-30 | X
        after      | 2024-07-01 | X
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


def test_window_is_a_parameter(engine: str) -> None:
    con = connect(engine, prescription=f"""
        nhs_number | date | drug_code
        {_issues("p", 3, "2024-06-01")}
        {_issues("p", 3, "2024-01-01").replace("D", "E")}
        """)
    check(polypharmacy(con, AS_OF, months=3), """
        nhs_number | medicines | polypharmacy_5plus
        p          | 3         | 0
        """)
    check(polypharmacy(con, AS_OF), """
        nhs_number | medicines | polypharmacy_5plus
        p          | 6         | 1
        """)
