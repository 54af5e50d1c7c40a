"""The demonstration practice team (DM-3, DM-4): the demo users include a GP, a practice
nurse and a practice manager of the largest practice; its people on a register are given
named contacts between the GP and the nurse, and it has an MDT meeting with its agenda;
each locality has its virtual ward with its level-3 people admitted, which the matrons'
rows name (VW-1); the busiest locality's integrated care co-ordinator leads its ward and has
a person the GP referred (VW-2); a social worker and a community nurse are allocated to a
person on that ward with an action of their plan each; making the demo users again changes
none of it."""

from __future__ import annotations

from sqlalchemy import func, select

from ltc.care.auth.models import User
from ltc.care.contacts.models import NamedContact
from ltc.care.coordination.models import CoordinatorReferral
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.demo import create_demo_users
from ltc.care.mdt.models import AgendaItem, Meeting
from ltc.care.people.services import current_run
from ltc.care.recall.models import RecallPerson
from ltc.care.team.models import PlanAction, TeamAllocation
from ltc.care.wards.models import Ward, WardStay

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, Community


def test_the_demo_has_a_practice_team_with_named_contacts_and_an_mdt_meeting(
        community: Community) -> None:
    engine = make_engine(community.url)
    factory = sessions(engine)
    with unit_of_work(factory) as s:  # the run's recall list: one person due at P1
        run = current_run(s)
        assert run is not None
        s.add_all([RecallPerson(run_id=run.id, nhs_number=IN_AREA, practice_code="P1",
                                first_due_on=run.as_of, due_items=2),
                   RecallPerson(run_id=run.id, nhs_number=LOW, practice_code="P1",
                                first_due_on=None, due_items=0),
                   RecallPerson(run_id=run.id, nhs_number=IN_AREA_2, practice_code="P2",
                                first_due_on=run.as_of, due_items=1)])
    with unit_of_work(factory) as s:
        made = create_demo_users(s)
    rows = {name: (role, where) for name, _, role, where in made}
    assert rows["nurse1"] == ("practice nurse", "practice P1 (3 people given named contacts;"
                                                " recall list /recall: 1 person due)")
    assert rows["pm1"][0] == "practice manager"
    assert rows["gp1"][0] == "practice clinician (GP)"
    with unit_of_work(factory) as s:
        team = {u.username: u for u in s.scalars(select(User).where(
            User.username.in_(["gp1", "nurse1", "pm1"])))}
        assert {u.practice_code for u in team.values()} == {"P1"}
        named = dict(s.execute(select(NamedContact.nhs_number, NamedContact.user_id)).all())
        assert set(named) == {IN_AREA, IN_AREA_2, LOW}
        assert set(named.values()) == {team["gp1"].id, team["nurse1"].id}
        meeting = s.scalar(select(Meeting))
        assert meeting is not None
        assert meeting.practice_code == "P1"
        assert s.scalar(select(func.count()).select_from(AgendaItem)) == 2  # level 3
        assert rows["pm1"][1] == (f"practice P1 (MDT meeting of {meeting.held_on:%d %B %Y}: "
                                  f"2 people on its agenda, /mdt/{meeting.id})")
    with unit_of_work(factory) as s:  # the wards, with their level-3 people on them
        wards = {w.name: w for w in s.scalars(select(Ward))}
        assert sorted(wards) == ["Virtual ward L1", "Virtual ward L2"]
        stays = {st.nhs_number: st for st in s.scalars(select(WardStay))}
        assert {n: st.ward_id for n, st in stays.items()} == {
            IN_AREA: wards["Virtual ward L1"].id, IN_AREA_2: wards["Virtual ward L1"].id,
            OTHER_AREA: wards["Virtual ward L2"].id}
        assert stays[IN_AREA].source == "worklist"  # the highest risk first
        assert stays[IN_AREA_2].source == "mdt"
        assert rows["matron1"] == ("case manager", "locality L1 (2 at level 3; Virtual ward "
                                   f"L1 /wards/{wards['Virtual ward L1'].id}: 2 people on it)")
    with unit_of_work(factory) as s:  # the co-ordinator, the GP's referral, the wider team
        ward = s.scalar(select(Ward).where(Ward.name == "Virtual ward L1"))
        coordinator = s.scalar(select(User).where(User.username == "coordinator1"))
        assert ward is not None
        assert coordinator is not None
        assert ward.coordinator_id == coordinator.id  # a co-ordinator leads the ward
        referral = s.scalar(select(CoordinatorReferral))
        assert referral is not None
        assert (referral.source, referral.locality_code) == ("gp", "L1")
        assert rows["coordinator1"] == (
            "integrated care co-ordinator", f"locality L1 (/coordination: 2 people, 1 "
            f"referred; co-ordinates Virtual ward L1 /wards/{ward.id})")
        first = s.scalar(select(WardStay.nhs_number).where(WardStay.ward_id == ward.id)
                         .order_by(WardStay.admitted_on, WardStay.id).limit(1))
        members = {u.username: u.id for u in s.scalars(select(User).where(
            User.username.in_(["social1", "dnurse1"])))}
        assert {(a.nhs_number, a.user_id) for a in s.scalars(select(TeamAllocation))} == {
            (first, members["social1"]), (first, members["dnurse1"])}
        assert {a.assignee_id for a in s.scalars(select(PlanAction))} == set(members.values())
        for name, role in (("social1", "social worker"), ("dnurse1", "community nurse")):
            assert rows[name] == (role, "1 person allocated (My actions /team/actions: "
                                        "1 action)")
    with unit_of_work(factory) as s:  # again: nothing more
        again = {name: where for name, _, _, where in create_demo_users(s)}
        assert again["nurse1"].startswith("practice P1 (0 people given named contacts;")
        assert s.scalar(select(func.count()).select_from(NamedContact)) == 3
        assert s.scalar(select(func.count()).select_from(Meeting)) == 1
        assert s.scalar(select(func.count()).select_from(WardStay)) == 3
        assert s.scalar(select(func.count()).select_from(Ward)) == 2
        assert s.scalar(select(func.count()).select_from(CoordinatorReferral)) == 1
        assert s.scalar(select(func.count()).select_from(TeamAllocation)) == 2
        assert s.scalar(select(func.count()).select_from(PlanAction)) == 2
    engine.dispose()
