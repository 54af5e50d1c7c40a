"""Demonstration users for the demo community (never for real data: their passwords are
printed; no capability of its own): case managers, a practice team (a GP, a practice
nurse and a practice manager of one practice, whose people on a register are given named
contacts, and who have one MDT meeting with its agenda: DM-3, DM-4), the default virtual
ward of each locality with a few of its highest-risk people admitted (VW-1), an integrated
care co-ordinator of the busiest locality with a person the GP referred to them (VW-2), a
social worker and a community nurse allocated to a person on the co-ordinator's ward, with
actions of that person's care plan assigned to them, an analyst and an administrator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role, User
from ltc.care.careplans import services as careplans
from ltc.care.casemgmt import services as casemgmt
from ltc.care.casemgmt.models import CaseloadEntry, CaseManager
from ltc.care.contacts import allocation
from ltc.care.coordination import services as coordination
from ltc.care.coordination import worklist as coordination_list
from ltc.care.coordination.models import CoordinatorReferral
from ltc.care.mdt import services as mdt
from ltc.care.mdt.models import AgendaItem, Meeting
from ltc.care.people.models import Person, PersonResult
from ltc.care.people.services import current_run
from ltc.care.recall.models import RecallPerson
from ltc.care.team import actions as team_actions
from ltc.care.team import services as team
from ltc.care.wards import services as wards
from ltc.care.wards.models import Ward, WardPractice, WardStay

DEMO_PASSWORD = "demo-password-1"


def create_demo_users(session: Session, localities: int = 3) -> list[tuple[str, str, str, str]]:
    """Case managers for the ``localities`` localities with most level-3 people, a
    practice clinician (GP), a practice nurse and a practice manager of the largest
    practice (see :func:`set_up_demo_practice`), an analyst and an administrator.
    Existing demo users are left as they are."""
    run = current_run(session)
    if run is None:
        raise RuntimeError("Load a stratification run first: ltc care load-run")
    busiest = session.execute(
        select(Person.locality_code, func.count()).join(
            PersonResult, PersonResult.nhs_number == Person.nhs_number)
        .where(PersonResult.run_id == run.id, PersonResult.level == 3)
        .group_by(Person.locality_code).order_by(func.count().desc(), Person.locality_code)
        .limit(localities)).all()
    practice = session.execute(
        select(Person.practice_code, func.count()).group_by(Person.practice_code)
        .order_by(func.count().desc(), Person.practice_code).limit(1)).first()
    made: list[tuple[str, str, str, str]] = []

    def user(name: str, display: str, role: Role, practice_code: str | None = None) -> User:
        found = session.scalar(select(User).where(User.username == name))
        if found is None:
            found = auth.create_user(session, name, display, role, DEMO_PASSWORD,
                                     practice_code)
        return found

    matrons = []
    for i, (locality, n) in enumerate(busiest, start=1):
        u = user(f"matron{i}", f"Matron {i}", Role.CASE_MANAGER)
        if session.get(CaseManager, u.id) is None:
            session.add(CaseManager(user_id=u.id, job_title="Community matron",
                                    locality_code=locality))
        matrons.append((u, locality, n))
    coordinator = None
    if busiest:  # before the wards: the co-ordinator of their locality's ward
        coordinator = user("coordinator1", "Care Co-ordinator", Role.CASE_MANAGER)
        if session.get(CaseManager, coordinator.id) is None:
            session.add(CaseManager(user_id=coordinator.id,
                                    job_title="Integrated care co-ordinator",
                                    locality_code=busiest[0][0]))
    session.flush()
    on_ward = {w.locality_code: (w, people) for w, people in set_up_demo_wards(session)}
    for u, locality, n in matrons:
        ward = on_ward.get(locality or "")
        where = f"; {ward[0].name} /wards/{ward[0].id}: {_people(ward[1])} on it" if ward \
            else ""
        made.append((u.username, DEMO_PASSWORD, "case manager",
                     f"locality {locality} ({n:,} at level 3{where})"))
    if practice is not None and practice[0]:
        code: str = practice[0]
        gp = user("gp1", "Dr GP", Role.PRACTICE_CLINICIAN, code)
        nurse = user("nurse1", "Nurse Practitioner", Role.PRACTICE_NURSE, code)
        manager = user("pm1", "Practice Manager", Role.PRACTICE_MANAGER, code)
        session.flush()
        team = set_up_demo_practice(session, code, gp, nurse, manager)
        meeting = (f"MDT meeting of {team.meeting.held_on:%d %B %Y}: {_people(team.agenda)} "
                   f"on its agenda, /mdt/{team.meeting.id}")
        made += [(gp.username, DEMO_PASSWORD, "practice clinician (GP)",
                  f"practice {code} ({meeting})"),
                 (nurse.username, DEMO_PASSWORD, "practice nurse",
                  f"practice {code} ({team.named:,} people given named contacts; recall "
                  f"list /recall: {_people(team.due)} due)"),
                 (manager.username, DEMO_PASSWORD, "practice manager",
                  f"practice {code} ({meeting})")]
        if coordinator is not None:
            set_up_demo_referral(session, gp, coordinator)
    if coordinator is not None:
        listed = coordination_list.worklist(session, coordinator) or []
        referred = sum(1 for item in listed if item.referral_id is not None)
        ward = on_ward.get(busiest[0][0] or "")
        runs = f"; co-ordinates {ward[0].name} /wards/{ward[0].id}" if ward else ""
        made.append((coordinator.username, DEMO_PASSWORD, "integrated care co-ordinator",
                     f"locality {busiest[0][0]} (/coordination: {_people(len(listed))}, "
                     f"{referred} referred{runs})"))
        social = user("social1", "Social Worker", Role.SOCIAL_WORKER)
        nurse_c = user("dnurse1", "District Nurse", Role.COMMUNITY_NURSE)
        session.flush()
        shared = set_up_demo_team(session, coordinator, social, nurse_c)
        for member, label in ((social, "social worker"), (nurse_c, "community nurse")):
            mine = len(team_actions.assigned_to(session, member))
            made.append((member.username, DEMO_PASSWORD, label,
                         f"{_people(shared)} allocated (My actions /team/actions: "
                         f"{mine} {'action' if mine == 1 else 'actions'})"))
    for name, display, role, label in (("analyst1", "Analyst", Role.ANALYST, "analyst"),
                                       ("admin1", "Administrator", Role.ADMIN, "administrator")):
        u = user(name, display, role)
        made.append((u.username, DEMO_PASSWORD, label, "-"))
    session.flush()
    return made


def _people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"


def set_up_demo_wards(session: Session, per_ward: int = 3) -> list[tuple[Ward, int]]:
    """The default virtual ward of each locality (when there is none yet), and on each
    ward with a co-ordinator and nobody ever admitted, its ``per_ward`` highest-risk
    level-3 people not on a ward, admitted by the co-ordinator over the last days from
    the worklist, an MDT meeting and a hospital discharge in turn. Returns each ward
    with how many people are on it now."""
    wards.default_wards(session)
    run = current_run(session)
    out = []
    for ward in session.scalars(select(Ward).order_by(Ward.id)):
        coordinator = session.get(User, ward.coordinator_id) if ward.coordinator_id else None
        if coordinator is not None and run is not None and session.scalar(
                select(func.count()).select_from(WardStay)
                .where(WardStay.ward_id == ward.id)) == 0:
            chosen = session.scalars(
                select(PersonResult.nhs_number)
                .join(Person, Person.nhs_number == PersonResult.nhs_number)
                .join(WardPractice, WardPractice.practice_code == Person.practice_code)
                .where(PersonResult.run_id == run.id, PersonResult.level == 3,
                       WardPractice.ward_id == ward.id, ~PersonResult.nhs_number.in_(
                           select(WardStay.nhs_number).where(
                               WardStay.discharged_on.is_(None))))
                .order_by(PersonResult.risk.desc(), PersonResult.nhs_number)
                .limit(min(per_ward, ward.capacity))).all()
            for i, nhs in enumerate(chosen):
                source = ("worklist", "mdt", "discharge")[i % 3]
                wards.admit(session, coordinator, nhs, ward.id,
                            date.today() - timedelta(days=2 * i), source,
                            "High risk of emergency admission (demonstration)")
        out.append((ward, wards.occupied(session, ward.id)))
    return out


def set_up_demo_referral(session: Session, gp: User, coordinator: User) -> None:
    """The GP refers the highest-risk level-3 person of their practice who lives in the
    co-ordinator's locality and is on no caseload, unless the GP has referred someone
    already."""
    run = current_run(session)
    cm = session.get(CaseManager, coordinator.id)
    if run is None or cm is None or gp.practice_code is None or session.scalar(
            select(CoordinatorReferral.id).where(CoordinatorReferral.from_user_id == gp.id)
            .limit(1)) is not None:
        return
    chosen = session.scalar(
        select(PersonResult.nhs_number).join(Person, Person.nhs_number ==
                                             PersonResult.nhs_number)
        .where(PersonResult.run_id == run.id, PersonResult.level == 3,
               Person.practice_code == gp.practice_code,
               Person.locality_code == cm.locality_code,
               ~PersonResult.nhs_number.in_(select(CaseloadEntry.nhs_number).where(
                   CaseloadEntry.ended_on.is_(None))))
        .order_by(PersonResult.risk.desc(), PersonResult.nhs_number).limit(1))
    if chosen is not None:
        coordination.refer(session, chosen, gp, "Lives alone, two falls this winter and "
                           "struggling with medicines (demonstration)")


def set_up_demo_team(session: Session, coordinator: User, social: User,
                     nurse: User) -> int:
    """Allocate the social worker and the community nurse to the first person on the
    co-ordinator's ward, and give that person (when they have no care plan yet) a plan
    with an action assigned to each. Returns how many people they share."""
    stay = session.scalar(
        select(WardStay).join(Ward, Ward.id == WardStay.ward_id)
        .where(Ward.coordinator_id == coordinator.id, WardStay.discharged_on.is_(None))
        .order_by(WardStay.admitted_on, WardStay.id).limit(1))
    if stay is None:
        return 0
    nhs = stay.nhs_number
    allocated = {a.user_id for a in team.open_allocations(session, nhs)}
    for member, why in ((social, "Review of the package of care"),
                        (nurse, "Leg ulcer dressings twice a week")):
        if member.id not in allocated:
            team.allocate(session, nhs, member.id, why, coordinator)
    if careplans.PLANS.latest(session, nhs) is None:
        careplans.save(session, nhs, {
            "status": "active", "goals": ["Stay safely at home"],
            "review_date": (date.today() + timedelta(days=90)).isoformat(),
            "actions": [
                {"who": social.display_name, "agency": "Adult social care",
                 "what": "Review the package of care with the family",
                 "assignee": social.id},
                {"who": nurse.display_name, "agency": "Community nursing",
                 "what": "Dress the leg ulcer twice a week", "assignee": nurse.id}]},
            0, coordinator)
    return 1


def allocate_demo_caseloads(session: Session, per_matron: int = 8) -> int:
    """Give each demonstration matron with an empty caseload their ``per_matron``
    highest-risk candidates, so hospital events for them show in the demo. Returns how
    many people were allocated."""
    allocated = 0
    matrons = session.scalars(select(User).join(CaseManager, CaseManager.user_id == User.id)
                              .where(User.username.like("matron%")).order_by(User.id)).all()
    for matron in matrons:
        if casemgmt.caseload_size(session, matron.id) > 0:
            continue
        for candidate in casemgmt.candidates_for(session, matron, limit=per_matron):
            casemgmt.allocate(session, candidate.nhs_number, matron.id, matron)
            allocated += 1
    return allocated


@dataclass(frozen=True)
class DemoPractice:
    named: int  # people given a named contact now
    meeting: Meeting  # the practice's latest MDT meeting
    agenda: int  # people on its agenda
    due: int  # people on the practice's recall list (items due) in the current run


def set_up_demo_practice(session: Session, practice_code: str, gp: User, nurse: User,
                         manager: User) -> DemoPractice:
    """Give the practice's people on a register without a named contact one, spread
    between its GP and nurse by the practice manager (DM-3), and make the practice's first
    MDT meeting, today, with its agenda (DM-4), unless it has one. Returns what the
    practice team will find: how many people were named, the meeting and its agenda's
    size, and how many people the practice's recall list has (DM-2)."""
    chosen = [gp.id, nurse.id]
    planned = allocation.plan(session, practice_code, chosen)
    named = 0
    if planned.assignments:
        named = len(allocation.allocate(session, practice_code, manager, chosen, None,
                                        planned.fingerprint).nhs_numbers)
    meeting = session.scalar(select(Meeting).where(Meeting.practice_code == practice_code)
                             .order_by(Meeting.held_on.desc()).limit(1))
    if meeting is None:
        meeting = mdt.create_meeting(session, gp, date.today())
    agenda = session.scalar(select(func.count()).select_from(AgendaItem)
                            .where(AgendaItem.meeting_id == meeting.id)) or 0
    run = current_run(session)
    due = session.scalar(select(func.count()).select_from(RecallPerson).where(
        RecallPerson.run_id == (run.id if run else ""),
        RecallPerson.practice_code == practice_code, RecallPerson.due_items > 0)) or 0
    return DemoPractice(named, meeting, agenda, due)
