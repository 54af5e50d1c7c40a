"""Demonstration users for the demo community (never for real data: their passwords are
printed; no capability of its own)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role, User
from ltc.care.casemgmt import services as casemgmt
from ltc.care.casemgmt.models import CaseManager
from ltc.care.people.models import Person, PersonResult
from ltc.care.people.services import current_run

DEMO_PASSWORD = "demo-password-1"


def create_demo_users(session: Session, localities: int = 3) -> list[tuple[str, str, str, str]]:
    """Case managers for the ``localities`` localities with most level-3 people, a
    practice clinician of the largest practice, an analyst and an administrator.
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

    for i, (locality, n) in enumerate(busiest, start=1):
        u = user(f"matron{i}", f"Matron {i}", Role.CASE_MANAGER)
        if session.get(CaseManager, u.id) is None:
            session.add(CaseManager(user_id=u.id, job_title="Community matron",
                                    locality_code=locality))
        made.append((u.username, DEMO_PASSWORD, "case manager",
                     f"locality {locality} ({n:,} at level 3)"))
    if practice is not None:
        u = user("gp1", "Dr GP", Role.PRACTICE_CLINICIAN, practice[0])
        made.append((u.username, DEMO_PASSWORD, "practice clinician", f"practice {practice[0]}"))
    for name, display, role, label in (("analyst1", "Analyst", Role.ANALYST, "analyst"),
                                       ("admin1", "Administrator", Role.ADMIN, "administrator")):
        u = user(name, display, role)
        made.append((u.username, DEMO_PASSWORD, label, "-"))
    session.flush()
    return made


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
