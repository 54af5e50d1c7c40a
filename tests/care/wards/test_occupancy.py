"""Occupancy and length of stay of a virtual ward equal a hand count (VW-1 acceptance),
on SQLite and PostgreSQL.

The fixture, a ward of 3 beds, "today" 10 March 2026, the period 1 to 10 March:

====  ============  ===========  =================================================
stay  admitted (A)  discharged   nights occupied in the period (A to D-1)
====  ============  ===========  =================================================
s1    25 February   3 March      1, 2 March                      (LOS 6 days)
s2    2 March       2 March      none: same day                  (LOS 0 days)
s3    4 March       9 March      4, 5, 6, 7, 8 March             (LOS 5 days)
s4    6 March       open         6, 7, 8, 9, 10 March
s5    20 February   28 February  none: before the period         (not counted)
s6    8 March       open         8, 9, 10 March
====  ============  ===========  =================================================

Occupied beds by day, 1 to 10 March: 1, 1, 0, 1, 1, 2, 2, 3, 2, 2 = 15 bed-days.
Admissions in the period: s2, s3, s4, s6 = 4; discharges: s1, s2, s3 = 3; their lengths
6, 0, 5: mean 11/3 = 3.67 days, median 5. Beds taken now: s4 and s6 = 2.
"""

from __future__ import annotations

from datetime import date

import pytest

from ltc.care.auth.models import User
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.wards.models import Ward, WardStay
from ltc.care.wards.occupancy import occupancy

from ..care import IN_AREA, Community

TODAY = date(2026, 3, 10)
STAYS = [(date(2026, 2, 25), date(2026, 3, 3)), (date(2026, 3, 2), date(2026, 3, 2)),
         (date(2026, 3, 4), date(2026, 3, 9)), (date(2026, 3, 6), None),
         (date(2026, 2, 20), date(2026, 2, 28)), (date(2026, 3, 8), None)]


def test_occupancy_and_length_of_stay_equal_a_hand_count(community: Community) -> None:
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        ward = Ward(name="W", locality_code="L1", capacity=3)
        other = Ward(name="Other", locality_code="L1", capacity=3)
        s.add_all([ward, other])
        s.flush()
        by = community.users["matron"]
        for i, (a, d) in enumerate(STAYS):  # NHS numbers need not be people here
            s.add(WardStay(ward_id=ward.id, nhs_number=f"{i:010d}", admitted_on=a,
                           source="worklist", reason="-", admitted_by=by, discharged_on=d,
                           outcome="died" if d else None))
        # another ward's stay counts on neither
        s.add(WardStay(ward_id=other.id, nhs_number=IN_AREA, admitted_on=date(2026, 3, 1),
                       source="mdt", reason="-", admitted_by=by))
        s.flush()
        assert s.get(User, by) is not None
        o = occupancy(s, ward, date(2026, 3, 1), date(2026, 3, 10), TODAY)
        assert [d.occupied for d in o.days] == [1, 1, 0, 1, 1, 2, 2, 3, 2, 2]
        assert [d.on.day for d in o.days] == list(range(1, 11))
        assert o.bed_days == 15
        assert (o.admissions, o.discharges) == (4, 3)
        assert sorted(o.lengths) == [0, 5, 6]
        assert o.mean_los is not None
        assert round(o.mean_los, 2) == 3.67
        assert o.median_los == 5.0
        assert o.current == 2
        assert o.days[7].percent == 100  # 3 of 3 beds on 8 March
        # days after today are left out; a period ending before it starts is refused
        later = occupancy(s, ward, date(2026, 3, 9), date(2026, 3, 20), TODAY)
        assert [d.occupied for d in later.days] == [2, 2]
        with pytest.raises(ValueError, match="before it starts"):
            occupancy(s, ward, date(2026, 3, 9), date(2026, 3, 1), TODAY)
    engine.dispose()
