"""The daily board of a virtual ward (VW-1), on SQLite and PostgreSQL: each person's days
on the ward, today's visits and calls (contacts recorded today, open tasks due today or
overdue; not those done, cancelled or due later), the newest care plan version's actions
and review date, the latest round and the red flags (open red-flag alerts and open
flags; not acknowledged ones); and the board costs the same statements with two people
as with twelve."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.careplans.models import CarePlanVersion
from ltc.care.db import make_engine, now, sessions, unit_of_work
from ltc.care.events.models import Alert, Flag
from ltc.care.wards import board, services
from ltc.care.wards.models import Ward, WardRound
from ltc.care.work.models import Contact, Task

from ..care import Community, signed_in
from ..contacts.people import numbers, person
from ..samples_wards import make_ward
from ..test_query_counts import counting

TODAY = date.today()


def _fill(s: Session, matron: User, ward: int, nhs: str, days: int) -> None:
    """The person admitted ``days`` ago with a full day's worth of things to show."""
    stay = services.admit(s, matron, nhs, ward, TODAY - timedelta(days=days), "mdt", "Frail")
    u = matron.id
    s.add_all([
        Task(nhs_number=nhs, assigned_to=u, title="Dressing change", due_on=TODAY),
        Task(nhs_number=nhs, assigned_to=u, title="Bloods", due_on=TODAY - timedelta(1)),
        Task(nhs_number=nhs, assigned_to=u, title="Later", due_on=TODAY + timedelta(1)),
        Task(nhs_number=nhs, assigned_to=u, title="Done", due_on=TODAY, done_at=now()),
        Task(nhs_number=nhs, assigned_to=u, title="Cancelled", due_on=TODAY,
             cancelled_at=now()),
        Contact(nhs_number=nhs, user_id=u, on=TODAY, kind="home_visit"),
        Contact(nhs_number=nhs, user_id=u, on=TODAY - timedelta(1), kind="telephone"),
        CarePlanVersion(nhs_number=nhs, version=1, author_id=u, status="draft",
                        content={"actions": [{"who": "Jo", "what": "Old action"}]}),
        CarePlanVersion(nhs_number=nhs, version=2, author_id=u, status="active",
                        content={"review_date": "2099-01-01",
                                 "actions": [{"who": "Jo", "what": "Visit daily"}]}),
        WardRound(stay_id=stay.id, nhs_number=nhs, on=TODAY - timedelta(1),
                  observations="BP 150/90", by=u),
        WardRound(stay_id=stay.id, nhs_number=nhs, on=TODAY, observations="BP 130/80", by=u),
        Alert(nhs_number=nhs, kind="red_flag", title="Chest pain on the call", user_id=u),
        Alert(nhs_number=nhs, kind="red_flag", title="Seen to", user_id=u,
              acknowledged_at=now()),
        Alert(nhs_number=nhs, kind="admission", title="Admitted", user_id=u),
        Flag(nhs_number=nhs, kind="carer_died", reason="Carer died"),
        Flag(nhs_number=nhs, kind="bereaved", reason="Cleared", cleared_at=now())])
    s.flush()


def test_the_board_shows_the_day_for_each_person(app: Any, community: Community) -> None:
    ward_id = make_ward(community.url, community.users)
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        nhs = person(s, next(numbers(500)), level=3)
        _fill(s, matron, ward_id, nhs, days=4)
        ward = s.get(Ward, ward_id)
        assert ward is not None
        [bed] = board.board(s, ward)
        assert bed.days == 4
        assert [t.title for t in bed.tasks] == ["Bloods", "Dressing change"]
        assert [c.kind for c in bed.contacts] == ["home_visit"]
        assert (bed.review_date, bed.actions) == ("2099-01-01", ["Visit daily (Jo)"])
        assert bed.latest_round is not None
        assert bed.latest_round.observations == "BP 130/80"
        assert bed.round_today
        assert bed.red_flags == ["Chest pain on the call", "Carer died"]
    engine.dispose()
    page = signed_in(app, "matron").get(f"/wards/{ward_id}").text
    assert "Overdue: Bloods" in page
    assert "Visit daily (Jo)" in page


def test_the_board_costs_the_same_statements_whatever_its_size(
        app: Any, community: Community) -> None:
    ward_id = make_ward(community.url, community.users)
    matron_client = signed_in(app, "matron")
    more = numbers(600)

    def grow(count: int) -> None:
        with unit_of_work(app.state.sessions) as s:
            matron = s.get(User, community.users["matron"])
            assert matron is not None
            for i in range(count):
                _fill(s, matron, ward_id, person(s, next(more), level=3), days=i)

    def cost() -> int:
        with counting(app.state.engine) as statements:
            r = matron_client.get(f"/wards/{ward_id}")
        assert r.status_code == 200
        return len(statements)

    grow(2)
    small = cost()
    grow(10)
    assert matron_client.get(f"/wards/{ward_id}").text.count('id="bed-') == 12
    assert cost() == small
