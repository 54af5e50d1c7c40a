"""QOF achievement on a synthetic community is in a plausible band (DM-6).

The project holds no national QOF achievement figures (``shared/data/reference`` has QOF
prevalence only), so the bands below come from how the synthetic community is drawn
(``ltc.synth.clinical``): people with diabetes have about two IFCC-HbA1c readings a year,
centred on 55 mmol/mol (66 with frailty), standard deviation 11, so a little under half of
the last readings are 58 or less (45% to 48% for seeds 2, 5 and 11); about half of them,
and most people with coronary heart disease, stroke or PAD, take atorvastatin. The bands
are wide enough for any seed and narrow enough to catch a rule that selects nobody or
everybody:

- DM020 (HbA1c 58 or less): 35% to 75%;
- DM022 (statin, no CVD, 40 and over): 35% to 85%;
- DM023 (statin, with CVD): 60% to 100%;
- COPD010 (COPD review): 60% to 95% (``ltc.synth.reviews`` records the protocols' annual
  reviews for about 80% of people on a register each year, as in QOF);
- DM019, HYP003, HYP007 (blood pressure at or under the target): 15% to 50%: the
  community records a blood pressure's two values the same day (as QOF reads a reading),
  1.2 readings a year for people on the registers that need one, so about 30% have no
  reading in the last 12 months, and about half of the last readings meet the target.

It records no frailty, CHA2DS2-VASc or LVSD codes (DM021, AF006, AF007, HF003), and no
foot risk classification or structured education codes in QOF's clusters (DM012, DM014).
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ltc.pipeline.achievement import achievement_table, indicator_people
from ltc.pipeline.engine import connect
from ltc.records.registers import members
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_store

AS_OF = date(2025, 3, 31)
BANDS = {"DM020": (35.0, 75.0), "DM022": (35.0, 85.0), "DM023": (60.0, 100.0),
         "COPD010": (60.0, 95.0), "DM019": (15.0, 50.0), "HYP003": (15.0, 50.0),
         "HYP007": (15.0, 50.0)}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[pa.Table, pa.Table, int]:
    root = tmp_path_factory.mktemp("achievement")
    store = RecordStore(root / "records")
    write_store(store, Options(people=10_000, seed=11), root / "truth")
    con = connect(store)
    people = indicator_people(con, AS_OF)
    on = members(con, AS_OF, include_hospital=False)
    diabetes = on.filter(on.register == "diabetes").count().to_pyarrow().as_py()
    return people, achievement_table(people), diabetes


def _community(table: pa.Table, indicator: str) -> dict[str, object]:
    rows = table.filter(pc.and_(pc.and_(pc.is_null(table["practice_code"]),
                                        pc.is_null(table["locality_code"])),
                                pc.equal(table["indicator"], indicator))).to_pylist()
    assert len(rows) == 1, indicator
    row: dict[str, object] = rows[0]
    return row


@pytest.mark.parametrize("indicator", sorted(BANDS))
def test_achievement_is_in_a_plausible_band(results: tuple[pa.Table, pa.Table, int],
                                            indicator: str) -> None:
    row = _community(results[1], indicator)
    low, high = BANDS[indicator]
    assert isinstance(row["denominator"], int)
    assert row["denominator"] >= 50
    assert isinstance(row["achievement"], float)
    assert low <= row["achievement"] <= high


def test_the_diabetes_register_is_the_projects_primary_care_register(
        results: tuple[pa.Table, pa.Table, int]) -> None:
    row = _community(results[1], "DM017")
    assert row["numerator"] == row["denominator"] == results[2] > 0
    assert row["achievement"] is None


def test_practice_rows_add_up_to_their_locality_and_the_community(
        results: tuple[pa.Table, pa.Table, int]) -> None:
    table = results[1]
    for indicator in ("DM017", "DM020", "DM022"):
        mine = table.filter(pc.equal(table["indicator"], indicator))
        practices = mine.filter(pc.is_valid(mine["practice_code"]))
        localities = mine.filter(pc.and_(pc.is_null(mine["practice_code"]),
                                         pc.is_valid(mine["locality_code"])))
        whole = _community(table, indicator)
        for column in ("numerator", "denominator", "exceptions"):
            assert pc.sum(practices[column]).as_py() == pc.sum(localities[column]).as_py() \
                == whole[column]
