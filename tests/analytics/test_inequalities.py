"""Age-standardised emergency admissions by IMD quintile and their slope (COM-4), from a
hand-counted record store, as of 31 March 2025, admissions of 2024/25.

- Quintile 1 (deciles 1-2): ``d1a`` and ``d2a``, both 30 on the day (ESP band 30-34,
  weight 6,500); ``d1a`` has 10 emergency admissions in the year: 10 events in 2 people.
  DSR = 6,500 x 10/2 / 100,000 per 100,000 = 32,500, its Dobson interval that of the
  count 10 scaled (a single band): 32,500 x 4.7877/10 = 15,560 to 32,500 x 18.391/10 =
  59,771.
- Quintile 5 (deciles 9-10): four people aged 30, 10 admissions between them: 16,250.
- The slope: populations 2 and 4 sit at 1/6 and 4/6; rates 32,500 and 16,250:
  SII = (16,250 - 32,500) / 0.5 = -32,500 (higher where deprivation is greater).
- Left out: an elective admission, admissions before or after the year, a person with no
  IMD decile (counted as unknown), one who died before the day, one born after it.
"""

from __future__ import annotations

from datetime import date

import ibis
import pytest

from ltc.analytics.inequalities import by_deprivation, strata
from spec_tables import check, connect

FIRST, LAST, AS_OF = date(2024, 4, 1), date(2025, 3, 31), date(2025, 3, 31)
BORN_30 = "1994-06-01"


def _person(who: str, decile: str, born: str = BORN_30, died: str = "") -> dict[str, str]:
    return {"nhs_number": who, "date_of_birth": born, "sex": "F", "practice_code": "P1",
            "imd_decile": decile, "date_of_death": died}


def _spell(who: str, day: str, method: str = "21") -> dict[str, str]:
    return {"nhs_number": who, "admission_date": day, "admission_method": method}


def _store() -> ibis.BaseBackend:
    people = [_person("d1a", "1"), _person("d2a", "2"),
              *(_person(f"d9{i}", "9" if i % 2 else "10") for i in range(4)),
              _person("nodecile", ""), _person("dead", "1", died="2025-01-01"),
              _person("unborn", "1", born="2025-04-01")]
    spells = [_spell("d1a", f"2024-{m:02}-01") for m in range(4, 13)]
    spells += [_spell("d1a", "2025-03-31"), _spell("d1a", "2024-03-31"),
               _spell("d1a", "2025-04-01"), _spell("d2a", "2024-06-01", "11"),
               _spell("dead", "2024-06-01")]
    spells += [_spell(f"d9{i % 4}", f"2024-{4 + i:02}-15", "2A") for i in range(9)]
    spells += [_spell("d90", "2024-04-01", "28")]
    return connect("duckdb", person=people, inpatient_spell=spells)


def test_strata_of_events_and_population() -> None:
    check(strata(_store(), FIRST, LAST, AS_OF).order_by("imd_quintile"), """
        imd_quintile | age_band | population | events
        1            | 30-34    | 2          | 10
        5            | 30-34    | 4          | 10
                     | 30-34    | 1          | 0
        """)


def test_rates_by_quintile_and_the_slope_index() -> None:
    got = by_deprivation(_store(), FIRST, LAST, AS_OF)
    assert set(got.rates) == {1, 5}
    first = got.rates[1]
    assert (first.events, first.population) == (10, 2)
    assert first.rate == pytest.approx(32_500)
    assert first.lower == pytest.approx(15_560, abs=5)
    assert first.upper == pytest.approx(59_771, abs=5)
    assert got.rates[5].rate == pytest.approx(16_250)
    assert got.slope is not None
    assert got.slope.positions == pytest.approx((1 / 6, 4 / 6))
    assert got.slope.sii == pytest.approx(-32_500)
    assert got.unknown_deprivation == 1


def test_a_withheld_rate_withholds_the_slope() -> None:
    con = connect("duckdb", person=[_person("a", "1"), _person("b", "10")],
                  inpatient_spell=[_spell("a", "2024-05-01")])
    got = by_deprivation(con, FIRST, LAST, AS_OF)
    assert got.rates[1].withheld is not None
    assert got.slope is None
    with pytest.raises(ValueError, match=r"last: 2024-01-01 is before first 2024-04-01"):
        strata(con, FIRST, date(2024, 1, 1), AS_OF)
