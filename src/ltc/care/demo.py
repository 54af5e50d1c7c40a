"""Demonstration users for the demo community (never for real data: their passwords are
printed; no capability of its own): case managers, a practice team (a GP, a practice
nurse and a practice manager of one practice, whose people on a register are given named
contacts, and who have one MDT meeting with its agenda: DM-3, DM-4), the default virtual
ward of each locality with a few of its highest-risk people admitted (VW-1), an analyst
and an administrator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role, User
from ltc.care.casemgmt import services as casemgmt
from ltc.care.casemgmt.models import CaseManager
from ltc.care.contacts import allocation
from ltc.care.mdt import services as mdt
from ltc.care.mdt.models import AgendaItem, Meeting
from ltc.care.people.models import Person, PersonResult
from ltc.care.people.services import current_run
from ltc.care.recall.models import RecallPerson
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
