"""What an administrator does (CM-1, privacy): user accounts (create, deactivate and
reactivate, reset a password; a practice clinician, nurse or manager with their
practice), case managers' profiles (job title, locality, practices
covered, capacity and an optional hard stop) and searching the audit trail.

An administrator manages users and reads no clinical data: nothing here touches a
person's record; the audit search returns audit metadata only (who, whose NHS number,
what route, when). Like every service, these functions never commit.

Capacity: a caseload of 50 by default; more than 80 is not sustainable (a warning, see
:mod:`ltc.care.casemgmt.models`); the hard stop, when set, refuses allocations beyond it
(:func:`ltc.care.casemgmt.services.allocate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ltc.care.audit.models import AuditEvent
from ltc.care.auth import services as auth
from ltc.care.auth.models import (
    PRACTICE_ROLES,
    ROLE_NAMES,
    LoginFailure,
    LoginSession,
    Role,
    User,
)
from ltc.care.auth.services import AuthError
from ltc.care.casemgmt.models import (
    DEFAULT_CAPACITY,
    WARN_ABOVE,
    CaseloadEntry,
    CaseManager,
    CoveredPractice,
)

USERNAME = re.compile(r"[A-Za-z0-9._-]{2,64}")
#: An ODS practice code or a locality code.
CODE = re.compile(r"[A-Za-z0-9._-]{1,16}")
NHS_NUMBER = re.compile(r"\d{10}")
MAX_CAPACITY = 1000
MAX_PRACTICES = 100
AUDIT_PAGE = 100


# -- users ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    """A user as the administrator sees them, with the case manager's profile if any."""

    user: User
    case_manager: CaseManager | None = None
    practices: list[str] = field(default_factory=list)
    caseload: int = 0

    @property
    def warnings(self) -> list[str]:
        """What is wrong with a case manager's capacity, for the administrator."""
        cm = self.case_manager
        if cm is None:
            return ([] if self.user.role != Role.CASE_MANAGER else
                    ["This case manager has no profile yet: give their locality and the "
                     "practices they cover, or they will have no worklist."])
        out = []
        if cm.capacity > WARN_ABOVE:
            out.append(f"A capacity of {cm.capacity} is more than {WARN_ABOVE} people: "
                       "such a caseload is not sustainable.")
        if cm.hard_stop is not None and self.caseload > cm.hard_stop:
            out.append(f"The caseload ({self.caseload} people) is above the hard stop "
                       f"({cm.hard_stop}): nobody more can be allocated until some are "
                       "discharged.")
        return out


def _rows(session: Session, users: Sequence[tuple[User, CaseManager | None]]) -> list[UserRow]:
    ids = [u.id for u, cm in users if cm is not None]
    practices: dict[int, list[str]] = {}
    sizes: dict[int, int] = {}
    if ids:  # two queries, whatever the number of users
        for uid, code in session.execute(
                select(CoveredPractice.user_id, CoveredPractice.practice_code)
                .where(CoveredPractice.user_id.in_(ids))
                .order_by(CoveredPractice.practice_code)).all():
            practices.setdefault(uid, []).append(code)
        for uid, n in session.execute(
                select(CaseloadEntry.user_id, func.count()).where(
                    CaseloadEntry.user_id.in_(ids), CaseloadEntry.ended_on.is_(None))
                .group_by(CaseloadEntry.user_id)).all():
            sizes[uid] = n
    return [UserRow(u, cm, practices.get(u.id, []), sizes.get(u.id, 0)) for u, cm in users]


def users(session: Session) -> list[UserRow]:
    """Every user, active ones first, by user name."""
    found = session.execute(
        select(User, CaseManager).outerjoin(CaseManager, CaseManager.user_id == User.id)
        .order_by(User.active.desc(), User.username)).all()
    return _rows(session, [(u, cm) for u, cm in found])


def user_row(session: Session, user_id: int) -> UserRow | None:
    user = session.get(User, user_id)
    if user is None:
        return None
    return _rows(session, [(user, session.get(CaseManager, user_id))])[0]


def add_user(session: Session, *, username: str, display_name: str, role: str,
             password: str, password_again: str, practice_code: str = "") -> User:
    """Create an account (through :func:`ltc.care.auth.services.create_user`), checking
    what the administrator typed first."""
    username, display_name = username.strip(), display_name.strip()
    practice = practice_code.strip() or None
    if not USERNAME.fullmatch(username):
        raise AuthError("Enter a user name of 2 to 64 letters, digits, dots, dashes or "
                        "underscores (no spaces).")
    if not display_name or len(display_name) > 200:
        raise AuthError("Enter the person's name as it should be shown (up to 200 "
                        "characters).")
    try:
        chosen = Role(role)
    except ValueError:
        raise AuthError("Choose a role from the list.") from None
    if practice is not None and chosen not in PRACTICE_ROLES:
        raise AuthError("Only practice clinicians, practice nurses and practice managers "
                        "have a practice code: leave it blank for a "
                        f"{ROLE_NAMES[chosen].lower()} (a case manager's practices are set "
                        "in their profile).")
    if practice is None and chosen in PRACTICE_ROLES:
        raise AuthError(f"A {ROLE_NAMES[chosen].lower()} needs a practice code: the ODS "
                        "code of their practice, for example B86001.")
    if practice is not None and not CODE.fullmatch(practice):
        raise AuthError("Enter the practice's ODS code, for example B86001.")
    if password != password_again:
        raise AuthError("The two passwords are not the same. Type the password twice.")
    taken = session.scalar(select(User.username).where(
        func.lower(User.username) == username.lower()))
    if taken is not None:
        raise AuthError(f"There is already a user called {taken!r}. Choose another user "
                        "name.")
    return auth.create_user(session, username, display_name, chosen, password, practice)


def end_sessions(session: Session, user_id: int, keep: str | None = None) -> None:
    """Sign a user out everywhere (except the session whose digest is ``keep``)."""
    q = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep is not None:
        q = q.where(LoginSession.token_digest != keep)
    session.execute(q)


def deactivate(session: Session, user: User, by: User) -> None:
    """Stop a user signing in, and end their sessions."""
    if user.id == by.id:
        raise AuthError("You cannot deactivate your own account. Ask another "
                        "administrator to do it.")
    user.active = False
    end_sessions(session, user.id)
    session.flush()


def reactivate(session: Session, user: User) -> None:
    user.active = True
    session.flush()


def reset_password(session: Session, user: User, password: str, password_again: str,
                   keep: str | None = None) -> None:
    """Set a new password, end the user's sessions (but ``keep``) and lift any block
    from failed sign-ins."""
    if password != password_again:
        raise AuthError("The two passwords are not the same. Type the new password twice.")
    user.password_hash = auth.hash_password(password)
    end_sessions(session, user.id, keep)
    session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
    session.flush()


# -- case managers' profiles ----------------------------------------------------------


def parse_codes(text: str) -> list[str]:
    """Practice codes typed as a comma-separated list, in order, without repeats."""
    codes: list[str] = []
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        if not CODE.fullmatch(part):
            raise AuthError(f"{part!r} is not a practice code. Type the practices' ODS "
                            "codes separated by commas, for example B86001, B86002.")
        if part not in codes:
            codes.append(part)
    if len(codes) > MAX_PRACTICES:
        raise AuthError(f"A case manager can cover at most {MAX_PRACTICES} practices.")
    return codes


def parse_count(text: str, what: str, *, required: bool) -> int | None:
    """A whole number of people typed into a form (blank: none)."""
    text = text.strip()
    if not text:
        if required:
            raise AuthError(f"Enter the {what} as a whole number of people.")
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_CAPACITY:
        raise AuthError(f"Enter the {what} as a whole number of people from 1 to "
                        f"{MAX_CAPACITY}.")
    return int(text)


def save_profile(session: Session, user: User, *, job_title: str, locality_code: str,
                 practices: Iterable[str], capacity: int = DEFAULT_CAPACITY,
                 hard_stop: int | None = None, phone: str = "") -> CaseManager:
    """Create or change a case manager's profile and replace the practices they cover."""
    if user.role != Role.CASE_MANAGER:
        raise AuthError("Only case managers have a caseload profile.")
    job_title, locality_code, phone = job_title.strip(), locality_code.strip(), phone.strip()
    if not job_title or len(job_title) > 100:
        raise AuthError("Enter the job title, for example Community matron (up to 100 "
                        "characters).")
    if not CODE.fullmatch(locality_code):
        raise AuthError("Enter the locality's code (up to 16 letters or digits): the case "
                        "manager's worklist holds the people living in it.")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise AuthError(f"The capacity must be from 1 to {MAX_CAPACITY} people.")
    if hard_stop is not None and hard_stop < capacity:
        raise AuthError(f"The hard stop ({hard_stop}) cannot be below the capacity "
                        f"({capacity}). Raise it, or leave it blank for no hard stop.")
    if len(phone) > 40:
        raise AuthError("The phone number can have at most 40 characters.")
    codes = list(practices)
    cm = session.get(CaseManager, user.id)
    if cm is None:
        cm = CaseManager(user_id=user.id, job_title=job_title, locality_code=locality_code)
        session.add(cm)
    cm.job_title, cm.locality_code, cm.capacity = job_title, locality_code, capacity
    cm.hard_stop, cm.phone = hard_stop, phone or None
    session.flush()
    session.execute(delete(CoveredPractice).where(CoveredPractice.user_id == user.id))
    session.add_all(CoveredPractice(user_id=user.id, practice_code=c) for c in codes)
    session.flush()
    return cm


# -- the audit trail ------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What the administrator searches the audit trail for (all optional)."""

    username: str = ""
    nhs_number: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    @property
    def query(self) -> dict[str, str]:
        """The filter as query parameters (for links to other pages of results)."""
        out = {"username": self.username, "nhs_number": self.nhs_number,
               "since": self.since.isoformat() if self.since else "",
               "until": self.until.isoformat() if self.until else ""}
        return {k: v for k, v in out.items() if v}


def nhs_number_of(text: str) -> str:
    """An NHS number typed with or without spaces."""
    digits = re.sub(r"[\s-]", "", text)
    if not NHS_NUMBER.fullmatch(digits):
        raise AuthError("Enter an NHS number of 10 digits, for example 943 476 5919.")
    return digits


def _date(text: str, what: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AuthError(f"Enter the {what} date as year-month-day, for example "
                        "2025-04-01.") from None


def audit_filter(username: str = "", nhs_number: str = "", since: str = "",
                 until: str = "") -> AuditFilter:
    """Check and tidy the audit search typed into the form."""
    found = AuditFilter(username.strip(), nhs_number_of(nhs_number) if nhs_number.strip()
                        else "", _date(since, "from"), _date(until, "to"))
    if found.since and found.until and found.since > found.until:
        raise AuthError("The 'from' date is after the 'to' date.")
    return found


def audit_rows(session: Session, wanted: AuditFilter, before: int | None = None,
               limit: int = AUDIT_PAGE) -> tuple[list[AuditEvent], bool]:
    """One page of audit rows, newest first, with sequence numbers below ``before``, and
    whether there are older ones."""
    q = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit + 1)
    if wanted.username:
        q = q.where(AuditEvent.username == wanted.username)
    if wanted.nhs_number:
        q = q.where(AuditEvent.nhs_number == wanted.nhs_number)
    if wanted.since:
        q = q.where(AuditEvent.at >= datetime.combine(wanted.since, time()))
    if wanted.until:
        q = q.where(AuditEvent.at < datetime.combine(wanted.until + timedelta(days=1), time()))
    if before is not None:
        q = q.where(AuditEvent.seq < before)
    rows = list(session.scalars(q).all())
    return rows[:limit], len(rows) > limit


def display_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Users' display names by id (one query)."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids))).all())
