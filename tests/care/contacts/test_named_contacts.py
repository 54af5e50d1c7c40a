"""Named contacts (DM-3), in the care store on SQLite and PostgreSQL: naming one person's
contact and the history it keeps; whom prompts go to (the named clinician while active and
at the person's practice); the bulk allocation: who is allocated, spread evenly highest
risk first with the lists already held counted, conditions given to one clinician, the
preview that changes nothing and the fingerprint that refuses a stale save; the undo of the
last allocation, which spares what was named by hand since."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.contacts import allocation, services
from ltc.care.contacts.models import ContactAllocation, NamedContact
from ltc.care.db import make_engine, sessions

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, Community
from .people import numbers, person
from .team import add_team


@pytest.fixture
def s(community: Community) -> Iterator[Session]:
    add_team(community.url, community.users)
    engine = make_engine(community.url)
    with sessions(engine)() as session:
        yield session
    engine.dispose()


def _user(s: Session, community: Community, name: str) -> User:
    found = s.get(User, community.users[name])
    assert found is not None
    return found


def test_naming_a_contact_keeps_the_history_and_prompts_go_to_them(
        s: Session, community: Community) -> None:
    gp, nurse, pm = (_user(s, community, n) for n in ("gp", "nurse", "pm"))
    assert services.named_contact(s, IN_AREA) is None
    services.set_contact(s, IN_AREA, nurse.id, pm, date(2025, 4, 1))
    assert services.named_contact(s, IN_AREA) is nurse
    done = services.set_contact(s, IN_AREA, gp.id, pm, date(2025, 5, 1))
    assert done.replaced is nurse
    assert services.named_contact(s, IN_AREA) is gp
    history = services.history(s, IN_AREA)
    assert [(row.user_id, row.since, row.ended_at is None) for row, _ in history] == [
        (gp.id, date(2025, 5, 1), True), (nurse.id, date(2025, 4, 1), False)]
    assert history[1][0].end_reason == services.REPLACED
    with pytest.raises(services.ContactError, match="already this person's named contact"):
        services.set_contact(s, IN_AREA, gp.id, pm)
    # whom prompts go to: nobody once the clinician leaves the practice or is deactivated
    gp.practice_code = "P2"
    assert services.named_contact(s, IN_AREA) is None
    gp.practice_code, gp.active = "P1", False
    assert services.named_contact(s, IN_AREA) is None
    gp.active = True
    assert services.named_contact(s, IN_AREA) is gp


@pytest.mark.parametrize("who", ["matron", "pm", "nurse2", "analyst"])
def test_only_a_gp_or_nurse_of_the_persons_practice_can_be_named(
        s: Session, community: Community, who: str) -> None:
    with pytest.raises(services.ContactError, match="GP or practice nurse of practice P1"):
        services.set_contact(s, IN_AREA, community.users[who], _user(s, community, "pm"))
    assert s.scalar(select(func.count()).select_from(NamedContact)) == 0


def test_the_allocation_takes_the_practices_people_on_a_register_without_a_contact(
        s: Session, community: Community) -> None:
    pm, gp = _user(s, community, "pm"), _user(s, community, "gp")
    more = numbers()
    alive = person(s, next(more), registers="asthma")
    person(s, next(more), registers="")  # on no register
    person(s, next(more), registers="asthma", died=date(2025, 1, 1))
    person(s, next(more), practice="P2", registers="asthma")
    services.set_contact(s, IN_AREA_2, gp.id, pm)  # already named
    found = {u.nhs_number for u in allocation.unnamed(s, "P1")}
    assert found == {IN_AREA, LOW, alive}
    assert OTHER_AREA in {u.nhs_number for u in allocation.unnamed(s, "P2")}


def test_people_are_spread_evenly_highest_risk_first_counting_the_lists_held(
        s: Session, community: Community) -> None:
    pm, gp, nurse = (_user(s, community, n) for n in ("pm", "gp", "nurse"))
    more = numbers(100)
    risky = [person(s, next(more), risk=r, name=f"R{r}") for r in (0.9, 0.8, 0.7, 0.6, 0.5)]
    services.set_contact(s, IN_AREA, gp.id, pm)  # the GP already holds one
    # IN_AREA_2 (0.42), LOW (0.03) and the five above are still to name
    plan = allocation.plan(s, "P1", [gp.id, nurse.id])
    order = [p.person.nhs_number for p in plan.assignments]
    assert order == [*risky, IN_AREA_2, LOW]  # highest risk first
    given = [p.user_id for p in plan.assignments]
    # the nurse starts shorter (0 against 1), then they alternate, the first chosen
    # winning a tie
    assert given == [nurse.id, gp.id, nurse.id, gp.id, nurse.id, gp.id, nurse.id]
    assert plan.before == {gp.id: 1, nurse.id: 0}
    assert plan.added == {gp.id: 3, nurse.id: 4}
    assert {p.why for p in plan.assignments} == {"spread evenly"}
    # the preview changed nothing
    assert s.scalar(select(func.count()).select_from(NamedContact)) == 1


def test_a_condition_given_to_one_clinician_goes_to_them(s: Session,
                                                         community: Community) -> None:
    gp, nurse = _user(s, community, "gp"), _user(s, community, "nurse")
    more = numbers(200)
    diabetic = [person(s, next(more), risk=0.5 + i / 10, registers="diabetes")
                for i in range(3)]
    # on both: diabetes is listed before COPD in the registers, so diabetes decides
    both = person(s, next(more), risk=0.99, registers="copd,diabetes")
    plan = allocation.plan(s, "P1", [gp.id, nurse.id], {"diabetes": nurse.id, "copd": gp.id})
    given = {p.person.nhs_number: (p.user_id, p.why) for p in plan.assignments}
    for nhs in [*diabetic, both]:
        assert given[nhs] == (nurse.id, "Diabetes mellitus: given to Nia Nurse")
    # the seeded people are on COPD and heart failure: COPD is the GP's
    for nhs in (IN_AREA, IN_AREA_2, LOW):
        assert given[nhs] == (gp.id, "Chronic obstructive pulmonary disease: given to Gp")
    assert plan.by_clinician_and_condition()[nurse.id, "diabetes"] == 4
    with pytest.raises(services.ContactError, match="one of the clinicians chosen"):
        allocation.plan(s, "P1", [gp.id], {"diabetes": nurse.id})
    with pytest.raises(services.ContactError, match="not a register"):
        allocation.plan(s, "P1", [gp.id], {"gout": gp.id})
    with pytest.raises(services.ContactError, match="choose at least one"):
        allocation.plan(s, "P1", [])
    with pytest.raises(services.ContactError, match="not an active GP or practice nurse"):
        allocation.plan(s, "P1", [community.users["nurse2"]])


def test_saving_refuses_a_stale_preview_and_the_last_allocation_can_be_undone(
        s: Session, community: Community) -> None:
    pm, gp, nurse = (_user(s, community, n) for n in ("pm", "gp", "nurse"))
    preview = allocation.plan(s, "P1", [gp.id, nurse.id])
    services.set_contact(s, LOW, gp.id, pm)  # someone named a contact meanwhile
    with pytest.raises(services.ContactError, match="changed since the preview"):
        allocation.allocate(s, "P1", pm, [gp.id, nurse.id], None, preview.fingerprint)
    preview = allocation.plan(s, "P1", [gp.id, nurse.id])
    first = allocation.allocate(s, "P1", pm, [gp.id, nurse.id], None, preview.fingerprint)
    assert sorted(first.nhs_numbers) == sorted([IN_AREA, IN_AREA_2])
    assert services.named_contact(s, IN_AREA) is not None
    with pytest.raises(services.ContactError, match="nobody to allocate"):
        allocation.allocate(s, "P1", pm, [gp.id], None, "-")
    more = numbers(300)
    late = person(s, next(more), registers="asthma")
    second = allocation.allocate(s, "P1", pm, [nurse.id], None,
                                 allocation.plan(s, "P1", [nurse.id]).fingerprint)
    assert second.nhs_numbers == [late]
    with pytest.raises(services.ContactError, match="Only the last allocation"):
        allocation.undo(s, "P1", first.allocation.id, pm)
    with pytest.raises(LookupError):
        allocation.undo(s, "P2", second.allocation.id, pm)
    assert allocation.undo(s, "P1", second.allocation.id, pm) == [late]
    assert services.named_contact(s, late) is None
    with pytest.raises(services.ContactError, match="already been undone"):
        allocation.undo(s, "P1", second.allocation.id, pm)
    # undoing the first spares a person named by hand since
    named_first = services.named_contact(s, IN_AREA)
    assert named_first is not None
    other = nurse if named_first.id == gp.id else gp
    services.set_contact(s, IN_AREA, other.id, pm)
    assert allocation.last(s, "P1") is first.allocation
    assert allocation.undo(s, "P1", first.allocation.id, pm) == [IN_AREA_2]
    assert services.named_contact(s, IN_AREA) is other
    assert services.named_contact(s, IN_AREA_2) is None
    assert services.named_contact(s, LOW) is gp
    assert allocation.last(s, "P1") is None
    undone = s.scalars(select(ContactAllocation).order_by(ContactAllocation.id)).all()
    assert all(a.undone_by == pm.id for a in undone)
