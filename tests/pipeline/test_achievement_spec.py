"""QOF v46 indicators on fixtures counted by hand, on DuckDB and on Spark (DM-6).

Achievement date 31 March 2025, so the payment period end date (PPED) is the same day and
the quality service start date (QSSD) is 1 April 2024. The business rules' windows are then:
"> PPED - 12 months" from 1 April 2024, "> PPED - 9 months" from 1 July 2024,
"> PPED - 6 months" from 1 October 2024 and "> PPED - 3 months" from 1 January 2025. Each
test's comments count the numerator, denominator and exceptions by hand from the business
rules (``ltc/data/qof/indicators_v46.toml``); the computation must give the same.
Everyone is on the diabetes register (DM_COD 73211009 in 2010) unless a comment says not.
"""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ltc.pipeline.achievement import achievement_table, indicator_people
from spec_tables import check, connect

AS_OF = date(2025, 3, 31)
PLACES = {
    "locality": """
        locality_code | name
        L1            | North
        L2            | South
        """,
    "practice": """
        practice_code | name     | locality_code
        P1            | Abbey    | L1
        P2            | Brook    | L2
        """,
}


def _rows(table: pa.Table, indicator: str) -> ibis.Table:
    return ibis.memtable(table.filter(pc.equal(table["indicator"], indicator)))


def test_hba1c_dm020_and_dm021(engine: str) -> None:
    con = connect(engine, **PLACES, person="""
        nhs_number | date_of_birth | sex | practice_code | date_of_death
        h01        | 1950-01-01    | F   | P1            |
        h02        | 1950-01-01    | F   | P1            |
        h03        | 1950-01-01    | F   | P1            |
        h04        | 1950-01-01    | F   | P1            |
        h05        | 1950-01-01    | F   | P1            |
        h06        | 1950-01-01    | F   | P1            |
        h07        | 1950-01-01    | M   | P2            |
        h08        | 1950-01-01    | M   | P2            |
        h09        | 1950-01-01    | M   | P2            |
        h10        | 1950-01-01    | M   | P2            |
        h11        | 1950-01-01    | M   | P2            |
        h12        | 1950-01-01    | M   | P2            |
        h13        | 1950-01-01    | F   | P1            |
        h14        | 1950-01-01    | F   | P1            |
        h15        | 1950-01-01    | F   | P1            |
        h16        | 1950-01-01    | F   | P1            |
        h17        | 1950-01-01    | F   | P1            |
        h18        | 1950-01-01    | M   | P2            |
        h19        | 1950-01-01    | M   | P2            |
        h20        | 2008-04-01    | M   | P2            |
        h21        | 1950-01-01    | M   | P2            |
        h22        | 1950-01-01    | M   | P2            | 2025-03-01
        h23        | 2008-03-31    | M   | P2            |
        """, diagnosis="""
        nhs_number | code_system | code             | date       | setting
        h01        | snomed      | 73211009         | 2010-01-01 | primary
        h02        | snomed      | 73211009         | 2010-01-01 | primary
        h03        | snomed      | 73211009         | 2010-01-01 | primary
        h04        | snomed      | 73211009         | 2010-01-01 | primary
        h05        | snomed      | 73211009         | 2010-01-01 | primary
        h06        | snomed      | 73211009         | 2010-01-01 | primary
        h07        | snomed      | 73211009         | 2010-01-01 | primary
        h07        | snomed      | 925831000000107  | 2023-01-01 | primary
        h08        | snomed      | 73211009         | 2010-01-01 | primary
        h08        | snomed      | 925861000000102  | 2022-01-01 | primary
        h08        | snomed      | 925791000000100  | 2024-06-01 | primary
        h09        | snomed      | 73211009         | 2010-01-01 | primary
        h09        | snomed      | 925791000000100  | 2024-06-01 | primary
        h09        | snomed      | 925831000000107  | 2024-06-01 | primary
        h10        | snomed      | 73211009         | 2010-01-01 | primary
        h11        | snomed      | 73211009         | 2010-01-01 | primary
        h11        | snomed      | 407569005        | 2024-04-01 | primary
        h12        | snomed      | 73211009         | 2010-01-01 | primary
        h12        | snomed      | 407569005        | 2024-03-31 | primary
        h13        | snomed      | 73211009         | 2010-01-01 | primary
        h13        | snomed      | 717421000000100  | 2025-03-31 | primary
        h14        | snomed      | 73211009         | 2010-01-01 | primary
        h15        | snomed      | 73211009         | 2010-01-01 | primary
        h16        | snomed      | 73211009         | 2010-01-01 | primary
        h17        | snomed      | 73211009         | 2010-01-01 | primary
        h18        | snomed      | 73211009         | 2024-07-01 | primary
        h19        | snomed      | 73211009         | 2024-06-30 | primary
        h20        | snomed      | 73211009         | 2020-01-01 | primary
        h21        | snomed      | 73211009         | 2010-01-01 | primary
        h21        | snomed      | 315051004        | 2015-01-01 | primary
        h22        | snomed      | 73211009         | 2010-01-01 | primary
        h23        | snomed      | 73211009         | 2020-01-01 | primary
        """, observation="""
        nhs_number | code_system | code             | date       | value
        h01        | snomed      | 999791000000106  | 2024-04-01 | 58
        h02        | snomed      | 999791000000106  | 2024-03-31 | 58
        h03        | snomed      | 999791000000106  | 2025-03-31 | 59
        h04        | snomed      | 999791000000106  | 2024-05-01 | 50
        h04        | snomed      | 999791000000106  | 2025-01-10 | 70
        h05        | snomed      | 999791000000106  | 2025-01-10 | 70
        h05        | snomed      | 999791000000106  | 2025-01-10 | 50
        h06        | snomed      | 999791000000106  | 2025-04-01 | 50
        h07        | snomed      | 999791000000106  | 2024-10-01 | 75
        h08        | snomed      | 999791000000106  | 2024-10-01 | 80
        h09        | snomed      | 999791000000106  | 2024-10-01 | 76
        h10        | snomed      | 999791000000106  | 2024-03-01 | 50
        h10        | snomed      | 1006751000000102 | 2024-09-01 | 300
        h11        | snomed      | 999791000000106  | 2024-05-01 | 70
        h12        | snomed      | 999791000000106  | 2024-05-01 | 70
        h14        | snomed      | 999791000000106  | 2024-05-01 | 70
        h14        | snomed      | 185756006        | 2024-06-01 |
        h14        | snomed      | 185757002        | 2024-06-08 |
        h15        | snomed      | 185756006        | 2024-06-01 |
        h15        | snomed      | 185757002        | 2024-06-07 |
        h16        | snomed      | 185756006        | 2024-03-20 |
        h16        | snomed      | 185757002        | 2024-04-02 |
        h17        | snomed      | 999791000000106  | 2024-07-01 | 70
        h17        | snomed      | 185756006        | 2024-05-01 |
        h17        | snomed      | 185757002        | 2024-05-10 |
        h20        | snomed      | 999791000000106  | 2024-10-01 | 50
        h23        | snomed      | 999791000000106  | 2024-10-01 | 40
        """)
    people = indicator_people(con, AS_OF, ["DM017", "DM020", "DM021"])
    # DM020 (no moderate or severe frailty; latest IFCC-HbA1c 58 or less in the 12 months):
    # met: h01 (58 on 1 April 2024: both edges inside), h05 (70 and 50 the same day: the
    #   lowest counts), h23 (17 on the achievement date: on the register);
    # not met: h02 (58 on 31 March 2024, a day outside), h03 (59), h04 (latest is 70), h06
    #   (recorded after the achievement date: never read), h08 (latest frailty is mild:
    #   stays in DM020; 80), h12 (maximum treatment coded a day before the window), h15
    #   (second invitation 6 days after the first does not count), h16 (the first
    #   invitation before QSSD does not count), h17 (invited before the reading, not after),
    #   h19 (diagnosed exactly 9 months before PPED: not newly diagnosed);
    # excepted: h10 IFCCHBA (no HbA1c in the year, serum fructosamine in it), h11 DMMAX,
    #   h13 DMPCAPU (on the achievement date), h14 DMIFINVITE (above target, then two
    #   invitations 7 days apart), h18 DIAG1_DT9M (diagnosed 1 July 2024);
    # no row: h07 and h09 (latest frailty moderate: DM021's), h20 (16: not on the register),
    #   h21 (diabetes resolved), h22 (died before the achievement date).
    check(_rows(people, "DM020"), """
        nhs_number | practice_code | locality_code | outcome  | reason
        h01        | P1            | L1            | met      |
        h02        | P1            | L1            | not_met  |
        h03        | P1            | L1            | not_met  |
        h04        | P1            | L1            | not_met  |
        h05        | P1            | L1            | met      |
        h06        | P1            | L1            | not_met  |
        h08        | P2            | L2            | not_met  |
        h10        | P2            | L2            | excepted | IFCCHBA
        h11        | P2            | L2            | excepted | DMMAX
        h12        | P2            | L2            | not_met  |
        h13        | P1            | L1            | excepted | DMPCAPU
        h14        | P1            | L1            | excepted | DMIFINVITE
        h15        | P1            | L1            | not_met  |
        h16        | P1            | L1            | not_met  |
        h17        | P1            | L1            | not_met  |
        h18        | P2            | L2            | excepted | DIAG1_DT9M
        h19        | P2            | L2            | not_met  |
        h23        | P2            | L2            | met      |
        """)
    # DM021 (moderate or severe frailty; 75 or less): h07 met (75, moderate frailty); h09
    # not met (76; mild and moderate frailty the same day: the latest is moderate).
    check(_rows(people, "DM021"), """
        nhs_number | outcome | reason
        h07        | met     |
        h09        | not_met |
        """)
    # DM017: everyone but h20 (too young), h21 (resolved) and h22 (died): 11 at P1, 9 at P2
    dm017 = people.filter(pc.equal(people["indicator"], "DM017"))
    assert sorted(dm017["nhs_number"].to_pylist()) == [
        f"h{i:02d}" for i in range(1, 24) if i not in (20, 21, 22)]
    assert set(dm017["outcome"].to_pylist()) == {"met"}

    # by hand: DM020 at P1 2 met of 9 selected (22.2%), 2 excepted; at P2 1 of 4 (25%),
    # 3 excepted; the community 3 of 13 (23.1%), 5 excepted. DM021: P2 1 of 2. DM017: the
    # register, 11 and 9 (no percentage).
    table = achievement_table(people)
    check(ibis.memtable(table.filter(pc.equal(table["indicator"], "DM020"))), """
        practice_code | locality_code | numerator | denominator | exceptions | achievement
        P1            | L1            | 2         | 9           | 2          | 22.2222
        P2            | L2            | 1         | 4           | 3          | 25
                      | L1            | 2         | 9           | 2          | 22.2222
                      | L2            | 1         | 4           | 3          | 25
                      |               | 3         | 13          | 5          | 23.0769
        """)
    check(ibis.memtable(table.filter(pc.is_in(table["indicator"], pa.array(
        ["DM017", "DM021"])))), """
        practice_code | locality_code | indicator | numerator | denominator | exceptions | achievement
        P1            | L1            | DM017     | 11        | 11          | 0          |
        P2            | L2            | DM017     | 9         | 9           | 0          |
        P2            | L2            | DM021     | 1         | 2           | 0          | 50
                      | L1            | DM017     | 11        | 11          | 0          |
                      | L2            | DM017     | 9         | 9           | 0          |
                      | L2            | DM021     | 1         | 2           | 0          | 50
                      |               | DM017     | 20        | 20          | 0          |
                      |               | DM021     | 1         | 2           | 0          | 50
        """)  # noqa: E501


def test_blood_pressure_dm019_hyp003_hyp007(engine: str) -> None:
    con = connect(engine, **PLACES, person="""
        nhs_number | date_of_birth | sex | practice_code
        b1         | 1950-01-01    | F   | P1
        b2         | 1950-01-01    | F   | P1
        b3         | 1950-01-01    | F   | P1
        b4         | 1950-01-01    | F   | P1
        b5         | 1950-01-01    | F   | P1
        b6         | 1950-01-01    | F   | P1
        b7         | 1950-01-01    | F   | P1
        y1         | 1945-04-01    | M   | P2
        y2         | 1945-03-31    | M   | P2
        y3         | 1945-03-31    | M   | P2
        y4         | 1965-01-01    | M   | P2
        y5         | 1965-01-01    | M   | P2
        y6         | 1965-01-01    | M   | P2
        y7         | 1965-01-01    | M   | P2
        y8         | 1965-01-01    | M   | P2
        """, diagnosis="""
        nhs_number | code_system | code            | date       | setting
        b1         | snomed      | 73211009        | 2010-01-01 | primary
        b2         | snomed      | 73211009        | 2010-01-01 | primary
        b3         | snomed      | 73211009        | 2010-01-01 | primary
        b4         | snomed      | 73211009        | 2010-01-01 | primary
        b4         | snomed      | 407567007       | 2024-12-01 | primary
        b5         | snomed      | 73211009        | 2010-01-01 | primary
        b6         | snomed      | 73211009        | 2010-01-01 | primary
        b7         | snomed      | 73211009        | 2010-01-01 | primary
        b7         | snomed      | 413123006       | 2024-04-01 | primary
        y1         | snomed      | 38341003        | 2010-01-01 | primary
        y2         | snomed      | 38341003        | 2010-01-01 | primary
        y3         | snomed      | 38341003        | 2010-01-01 | primary
        y4         | snomed      | 38341003        | 2010-01-01 | primary
        y5         | snomed      | 38341003        | 2010-01-01 | primary
        y5         | snomed      | 716821000000100 | 2024-05-01 | primary
        y6         | snomed      | 38341003        | 2024-07-01 | primary
        y7         | snomed      | 38341003        | 2010-01-01 | primary
        y7         | snomed      | 716771000000106 | 2024-04-01 | primary
        y8         | snomed      | 38341003        | 2010-01-01 | primary
        """, observation="""
        nhs_number | code_system | code      | date       | value
        b1         | snomed      | 72313002  | 2024-04-01 | 140
        b1         | snomed      | 271650006 | 2024-04-01 | 80
        b2         | snomed      | 72313002  | 2024-05-01 | 140
        b2         | snomed      | 271650006 | 2024-05-02 | 80
        b3         | snomed      | 72313002  | 2024-05-01 | 120
        b3         | snomed      | 271650006 | 2024-05-01 | 70
        b3         | snomed      | 72313002  | 2025-01-01 | 150
        b4         | snomed      | 72313002  | 2024-12-01 | 150
        b4         | loinc       | 8462-4    | 2024-12-01 | 90
        b5         | snomed      | 72313002  | 2025-03-31 | 141
        b5         | snomed      | 271650006 | 2025-03-31 | 80
        b6         | snomed      | 72313002  | 2024-05-01 | 150
        b6         | snomed      | 271650006 | 2024-05-01 | 85
        b6         | snomed      | 185756006 | 2024-06-01 |
        b6         | snomed      | 185757002 | 2024-06-10 |
        y1         | snomed      | 72313002  | 2024-04-01 | 140
        y1         | snomed      | 271650006 | 2024-04-01 | 90
        y2         | snomed      | 72313002  | 2024-04-01 | 150
        y2         | snomed      | 271650006 | 2024-04-01 | 90
        y3         | snomed      | 72313002  | 2024-04-01 | 151
        y3         | snomed      | 271650006 | 2024-04-01 | 90
        y4         | snomed      | 72313002  | 2024-06-01 | 140
        y4         | snomed      | 271650006 | 2024-06-01 | 91
        y8         | snomed      | 185719002 | 2024-04-05 |
        y8         | snomed      | 185720008 | 2024-04-12 |
        """)
    people = indicator_people(con, AS_OF, ["DM019", "HYP003", "HYP007"])
    # DM019 (last BP with both values in the 12 months 140/80 or less): b1 met (140/80 on
    # the window's first day); b2 not met (systolic and diastolic on different days: no
    # reading); b3 met (the later systolic alone is not a reading: 120/70 is the last);
    # b4 excepted HTMAX (150/90, the diastolic coded in LOINC); b5 not met (141/80);
    # b6 excepted DMBPINVITE (150/85, then two invitations 9 days apart); b7 excepted BPDEC.
    # At P1: 2 met of 4 selected, 3 excepted.
    check(_rows(people, "DM019"), """
        nhs_number | outcome  | reason
        b1         | met      |
        b2         | not_met  |
        b3         | met      |
        b4         | excepted | HTMAX
        b5         | not_met  |
        b6         | excepted | DMBPINVITE
        b7         | excepted | BPDEC
        """)
    # HYP003 (79 or under, 140/90 or less): y1 met (79 on the achievement date, 140/90);
    # y4 not met (140/91); y5 excepted HYPPCAPU; y6 excepted DIAG1_DT9M (first code 1 July
    # 2024, no reading); y7 excepted HYPPCADEC; y8 excepted HYPBPINV (two invitations 7
    # days apart, no reading). y2 and y3 are 80: HYP007's.
    check(_rows(people, "HYP003"), """
        nhs_number | outcome  | reason
        y1         | met      |
        y4         | not_met  |
        y5         | excepted | HYPPCAPU
        y6         | excepted | DIAG1_DT9M
        y7         | excepted | HYPPCADEC
        y8         | excepted | HYPBPINV
        """)
    # HYP007 (80 or over, 150/90 or less): y2 met (80 on the achievement date, 150/90); y3
    # not met (151/90).
    check(_rows(people, "HYP007"), """
        nhs_number | outcome | reason
        y2         | met     |
        y3         | not_met |
        """)


def test_statins_dm022_and_dm023(engine: str) -> None:
    con = connect(engine, **PLACES, person="""
        nhs_number | date_of_birth | sex | practice_code
        s01        | 1985-03-31    | F   | P1
        s02        | 1985-04-01    | F   | P1
        s03        | 1950-01-01    | F   | P1
        s04        | 1950-01-01    | F   | P1
        s05        | 1950-01-01    | F   | P1
        s06        | 1950-01-01    | M   | P2
        s07        | 1950-01-01    | M   | P2
        s08        | 1950-01-01    | M   | P2
        s09        | 1950-01-01    | M   | P2
        s10        | 1950-01-01    | M   | P2
        s11        | 1950-01-01    | M   | P2
        s12        | 1950-01-01    | M   | P2
        s13        | 1950-01-01    | M   | P2
        """, diagnosis="""
        nhs_number | code_system | code             | date       | setting
        s01        | snomed      | 73211009         | 2010-01-01 | primary
        s02        | snomed      | 73211009         | 2010-01-01 | primary
        s03        | snomed      | 73211009         | 2010-01-01 | primary
        s04        | snomed      | 73211009         | 2010-01-01 | primary
        s04        | snomed      | 22298006         | 2015-01-01 | primary
        s05        | snomed      | 73211009         | 2010-01-01 | primary
        s05        | snomed      | 22298006         | 2015-01-01 | primary
        s05        | snomed      | 1078001000000105 | 2016-01-01 | primary
        s06        | snomed      | 73211009         | 2010-01-01 | primary
        s06        | snomed      | 129171000119106  | 2015-01-01 | primary
        s06        | snomed      | 431856006        | 2018-01-01 | primary
        s06        | snomed      | 293433001        | 2015-01-01 | primary
        s07        | snomed      | 73211009         | 2010-01-01 | primary
        s07        | snomed      | 129171000119106  | 2015-01-01 | primary
        s08        | snomed      | 73211009         | 2010-01-01 | primary
        s08        | snomed      | 315363002        | 2024-04-01 | primary
        s09        | snomed      | 73211009         | 2010-01-01 | primary
        s09        | snomed      | 315363002        | 2024-03-31 | primary
        s10        | snomed      | 44054006         | 2010-01-01 | primary
        s11        | snomed      | 44054006         | 2010-01-01 | primary
        s12        | snomed      | 44054006         | 2010-01-01 | primary
        s13        | snomed      | 73211009         | 2010-01-01 | primary
        """, observation="""
        nhs_number | code_system | code             | date       | value
        s10        | snomed      | 1085771000000100 | 2023-01-01 | 8
        s11        | snomed      | 1085771000000100 | 2023-01-01 | 8
        s11        | snomed      | 1085771000000100 | 2024-01-01 | 12
        s12        | snomed      | 1085771000000100 | 2022-03-31 | 8
        """, prescription="""
        nhs_number | date       | drug_code_system | drug_code | drug_name
        s01        | 2024-10-01 | bnf              | 0212000B0 | Atorvastatin 20mg tablets
        s02        | 2024-10-01 | bnf              | 0212000B0 | Atorvastatin 20mg tablets
        s03        | 2024-09-30 | bnf              | 0212000B0 | Atorvastatin 20mg tablets
        s04        | 2025-03-01 | bnf              | 0212000B0 | Atorvastatin 20mg tablets
        s13        | 2025-01-01 | rxnorm           | 314231    | Simvastatin 10 MG Oral Tablet
        """)
    people = indicator_people(con, AS_OF, ["DM022", "DM023"])
    # DM022 (40 or over, no CVD, statin issued in the 6 months): s01 met (40 on the
    # achievement date; statin on 1 October 2024, the window's first day); s03 not met
    # (statin a day before the window); s06 excepted XSTAT (CKD 3 superseded by CKD 2: no
    # CVD; statin adverse reaction in 2015); s08 excepted TXSTAT (1 April 2024); s09 not
    # met (contraindication a day before the window); s11 not met (type 2, a risk score
    # under 10% followed by one of 10% or more); s12 not met (the score under 10% is exactly
    # 3 years old: outside); s13 met (simvastatin found by its name, whatever the code).
    # No row: s02 (39), s04 and s07 (CVD: CHD, unresolved CKD 3), s05 (CVD), s10 (type 2
    # with a score under 10% in 3 years). At P1 1 of 2; at P2 1 of 4 with 2 excepted.
    check(_rows(people, "DM022"), """
        nhs_number | practice_code | outcome  | reason
        s01        | P1            | met      |
        s03        | P1            | not_met  |
        s06        | P2            | excepted | XSTAT
        s08        | P2            | excepted | TXSTAT
        s09        | P2            | not_met  |
        s11        | P2            | not_met  |
        s12        | P2            | not_met  |
        s13        | P2            | met      |
        """)
    # DM023 (CVD but no haemorrhagic stroke, statin in the 6 months): s04 met; s07 not met
    # (unresolved CKD 3-5 counts as CVD here). s05 has had a haemorrhagic stroke: no row.
    check(_rows(people, "DM023"), """
        nhs_number | outcome
        s04        | met
        s07        | not_met
        """)


def test_structured_education_foot_checks_and_nephropathy(engine: str) -> None:
    con = connect(engine, **PLACES, person="""
        nhs_number | date_of_birth | sex | practice_code
        e1         | 1950-01-01    | F   | P1
        e2         | 1950-01-01    | F   | P1
        e3         | 1950-01-01    | F   | P1
        e4         | 1950-01-01    | F   | P1
        e5         | 1950-01-01    | F   | P1
        e6         | 1950-01-01    | F   | P1
        """, diagnosis="""
        nhs_number | code_system | code            | date       | setting
        e1         | snomed      | 73211009        | 2024-01-01 | primary
        e2         | snomed      | 73211009        | 2023-06-30 | primary
        e3         | snomed      | 73211009        | 2023-07-01 | primary
        e4         | snomed      | 73211009        | 2024-07-01 | primary
        e5         | snomed      | 73211009        | 2012-01-01 | primary
        e6         | snomed      | 73211009        | 2010-01-01 | primary
        e6         | snomed      | 717421000000100 | 2024-06-01 | primary
        """)
    people = indicator_people(con, AS_OF, ["DM006", "DM012", "DM014"])
    # DM014 (diagnosed in the QOF year before last or this one, referred to structured
    # education within 279 days): e1 and e3 not met (no referral codes are available to the
    # project, so nobody meets it); e2 diagnosed exactly 21 months before PPED: excluded;
    # e4 diagnosed in the last 9 months and not yet referred: excluded (counted next year);
    # e5 and e6 diagnosed long ago: excluded.
    check(_rows(people, "DM014"), """
        nhs_number | outcome
        e1         | not_met
        e3         | not_met
        """)
    # DM012 (foot risk classification in the 12 months): nobody meets it (no FRC_COD codes
    # are available), so everyone is selected at the last rule: not met, but e6, excepted
    # DMPCAPU (e4, diagnosed 1 July 2024, is not in the last 3 months: not excepted).
    check(_rows(people, "DM012"), """
        nhs_number | outcome  | reason
        e1         | not_met  |
        e2         | not_met  |
        e3         | not_met  |
        e4         | not_met  |
        e5         | not_met  |
        e6         | excepted | DMPCAPU
        """)
    # DM006 needs proteinuria or microalbuminuria (no codes available): nobody is in it
    assert people.filter(pc.equal(people["indicator"], "DM006")).num_rows == 0


def test_af_copd_and_heart_failure(engine: str) -> None:
    con = connect(engine, **PLACES, person="""
        nhs_number | date_of_birth | sex | practice_code
        a1         | 1950-01-01    | F   | P1
        a2         | 1950-01-01    | F   | P1
        c1         | 1950-01-01    | M   | P1
        c2         | 1950-01-01    | M   | P1
        c3         | 1950-01-01    | M   | P1
        f1         | 1950-01-01    | F   | P2
        f2         | 1950-01-01    | F   | P2
        f3         | 1950-01-01    | F   | P2
        """, diagnosis="""
        nhs_number | code_system | code      | date       | setting
        a1         | snomed      | 49436004  | 2015-01-01 | primary
        a2         | snomed      | 49436004  | 2025-01-01 | primary
        c1         | snomed      | 13645005  | 2015-01-01 | primary
        c1         | snomed      | 394703002 | 2024-04-01 | primary
        c2         | snomed      | 13645005  | 2015-01-01 | primary
        c2         | snomed      | 394703002 | 2024-03-31 | primary
        c3         | snomed      | 13645005  | 2024-12-31 | primary
        f1         | snomed      | 84114007  | 2015-01-01 | primary
        f1         | snomed      | 134401001 | 2015-01-01 | primary
        f2         | snomed      | 84114007  | 2015-01-01 | primary
        f2         | snomed      | 134401001 | 2015-01-01 | primary
        f3         | snomed      | 84114007  | 2015-01-01 | primary
        """, prescription="""
        nhs_number | date       | drug_code_system | drug_code | drug_name
        f1         | 2024-10-01 | bnf              | 0205051R0 | Ramipril 5mg capsules
        f2         | 2024-09-30 | bnf              | 0205052N0 | Losartan 50mg tablets
        f3         | 2024-10-01 | bnf              | 0205051R0 | Ramipril 5mg capsules
        """)
    people = indicator_people(con, AS_OF, ["AF006", "AF007", "COPD010", "HF003"])
    # AF006: no CHA2DS2-VASc codes are available, so nobody is assessed: a1 not met; a2
    # excepted DIAG1_DAT (diagnosed 1 January 2025). AF007 needs a score of 2 or more:
    # nobody. COPD010: c1 met (annual review on 1 April 2024), c2 not met (a day before),
    # c3 not met (diagnosed 31 December 2024: not in the last 3 months). HF003 (heart
    # failure due to LVSD, ACE-I or ARB in the 6 months): f1 met, f2 not met (a day before
    # the window); f3 has no LVSD diagnosis: no row.
    check(ibis.memtable(people), """
        nhs_number | indicator | outcome  | reason
        a1         | AF006     | not_met  |
        a2         | AF006     | excepted | DIAG1_DAT
        c1         | COPD010   | met      |
        c2         | COPD010   | not_met  |
        c3         | COPD010   | not_met  |
        f1         | HF003     | met      |
        f2         | HF003     | not_met  |
        """)


def test_an_achievement_date_inside_the_qof_year(engine: str) -> None:
    con = connect(engine, **PLACES, person="""
        nhs_number | date_of_birth | sex | practice_code
        i1         | 1950-01-01    | F   | P1
        i2         | 1950-01-01    | F   | P1
        i3         | 1950-01-01    | F   | P1
        """, diagnosis="""
        nhs_number | code_system | code     | date       | setting
        i1         | snomed      | 73211009 | 2010-01-01 | primary
        i2         | snomed      | 73211009 | 2010-01-01 | primary
        i3         | snomed      | 73211009 | 2010-01-01 | primary
        """, observation="""
        nhs_number | code_system | code            | date       | value
        i1         | snomed      | 999791000000106 | 2024-09-30 | 50
        i2         | snomed      | 999791000000106 | 2024-10-01 | 50
        i3         | snomed      | 999791000000106 | 2024-03-31 | 50
        """)
    # As of 30 September 2024 the QOF year is 1 April 2024 to 31 March 2025 (PPED): i1's
    # reading on the achievement date counts; i2's, a day later, is not read; i3's is before
    # the year began.
    people = indicator_people(con, date(2024, 9, 30), ["DM020"])
    check(ibis.memtable(people), """
        nhs_number | outcome
        i1         | met
        i2         | not_met
        i3         | not_met
        """)


def test_nobody_on_a_register_gives_empty_tables_with_their_columns(engine: str) -> None:
    con = connect(engine, **PLACES, person="""
        nhs_number | date_of_birth | sex | practice_code
        n1         | 1950-01-01    | F   | P1
        """)
    people = indicator_people(con, AS_OF)
    assert people.num_rows == 0
    assert people.column_names == ["nhs_number", "practice_code", "locality_code",
                                   "indicator", "outcome", "reason"]
    table = achievement_table(people)
    assert table.num_rows == 0
    assert table.column_names == ["practice_code", "locality_code", "indicator", "numerator",
                                  "denominator", "exceptions", "achievement"]


def test_achievement_table_asks_for_indicator_peoples_table() -> None:
    wrong = pa.table({"nhs_number": ["a"], "practice_code": ["P1"]})
    with pytest.raises(ValueError, match="needs indicator_people's table \\(with "
                       "locality_code\\); got columns nhs_number, practice_code"):
        achievement_table(wrong)
