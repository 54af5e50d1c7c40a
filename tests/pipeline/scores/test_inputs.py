"""What the scores read: month arithmetic on a date column agrees with ltc.windows (STRAT-4)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from ltc.pipeline.engine import connection, put_table
from ltc.windows import months_before as months_before_day
from ltc.windows import months_before_column as months_before

DAYS = [date(2025, 5, 31), date(2024, 5, 29), date(2024, 5, 30), date(2024, 2, 29),
        date(2025, 3, 31), date(2025, 1, 15), date(2024, 12, 31), date(2024, 3, 31),
        date(2023, 3, 1)]


def test_months_before_a_column_is_ltc_windows_months_before(engine: str) -> None:
    con = connection(engine)
    t = put_table(con, "days", pa.table({"d": pa.array(DAYS, pa.date32())}))
    for months in (1, 3, 12, 13):
        got = con.to_pyarrow(t.select("d", m=months_before(t.d, months))).to_pylist()
        assert {r["d"]: r["m"] for r in got} == {
            d: months_before_day(d, months) for d in DAYS}, months
