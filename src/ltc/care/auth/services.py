"""Accounts, passwords, sessions, throttling and the legitimate relationship.

* Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106).
* A session is a random 256-bit token in a secure, http-only, same-site cookie; the store
  keeps only its SHA-256, so a copy of the database cannot be used to sign in.
* After :data:`MAX_FAILURES` failed sign-ins for one user name within
  :data:`FAILURE_WINDOW`, further attempts are refused until the window has passed.
* Legitimate relationship (who may see a person's record):

  - a **case manager**: the people on their caseload, and the candidates in their locality
    (people living in it or registered with a practice they cover);
  - a **practice clinician**: the people registered with their practice;
  - an **analyst or commissioner**: nobody (aggregates only);
  - an **administrator**: nobody (manages users only);
  - anyone with break-glass access to that person (a typed reason, for a limited time,
    flagged on every audit row it allows).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import BreakGlass, LoginFailure, LoginSession, Role, User
from ltc.care.casemgmt.models import CaseloadEntry, CaseManager, CoveredPractice
from ltc.care.db import now
from ltc.care.people.models import Person

SESSION_LIFETIME = timedelta(hours=10)  # one working day
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
BREAK_GLASS_LIFETIME = timedelta(hours=12)
MIN_REASON = 10  # characters of a break-glass reason
MIN_PASSWORD = 10

_hasher = PasswordHasher()


class AuthError(Exception):
    """A sign-in or account problem, with a message for the person."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"A password needs at least {MIN_PASSWORD} characters.")
    return _hasher.hash(password)


def create_user(session: Session, username: str, display_name: str, role: Role | str,
                password: str, practice_code: str | None = None) -> User:
    role = Role(role)
    if role is Role.PRACTICE_CLINICIAN and not practice_code:
        raise AuthError("A practice clinician needs a practice code.")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AuthError(f"There is already a user called {username!r}.")
    user = User(username=username, display_name=display_name, role=role.value,
                password_hash=hash_password(password), practice_code=practice_code)
    session.add(user)
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str  # for the cookie (or a bearer header); never stored
    csrf_token: str


def sign_in(session: Session, username: str, password: str) -> SignedIn:
    """Check a password and open a session; refuse while the user name is throttled."""
    cutoff = now() - FAILURE_WINDOW
    failures = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.username == username, LoginFailure.at > cutoff)) or 0
    if failures >= MAX_FAILURES:
        raise AuthError("Too many failed sign-ins for this user name. Wait 15 minutes, "
                        "or ask an administrator to reset the password.")
    user = session.scalar(select(User).where(User.username == username))
    ok = False
    if user is not None and user.active:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(password)  # the same work whether or not the user exists
    if not ok or user is None:
        session.add(LoginFailure(username=username))
        raise AuthError("The user name or password is not right.")
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(LoginSession(token_digest=_digest(token), user_id=user.id, csrf_token=csrf,
                             expires_at=now() + SESSION_LIFETIME))
    return SignedIn(user, token, csrf)


# statements read on every request, built once (a statement reused is compiled and keyed
# once)
_CURRENT = select(LoginSession, User).join(User, User.id == LoginSession.user_id).where(
    LoginSession.token_digest == bindparam("digest"))
_PERSON_ON_CASELOAD = select(Person, exists().where(
    CaseloadEntry.nhs_number == bindparam("nhs"), CaseloadEntry.user_id == bindparam("user"),
    CaseloadEntry.ended_on.is_(None))).where(Person.nhs_number == bindparam("nhs"))


def current(session: Session, token: str | None) -> tuple[User, LoginSession] | None:
    """The user and session of a cookie or bearer token, if it is valid and unexpired."""
    if not token:
        return None
    found = session.execute(_CURRENT, {"digest": _digest(token)}).first()
    if found is None:
        return None
    login, user = found
    if login.expires_at <= now() or not user.active:
        return None
    return user, login


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_digest == _digest(token)))


def break_glass(session: Session, user: User, nhs_number: str, reason: str) -> BreakGlass:
    """Grant ``user`` emergency access to one person, with a typed reason."""
    if user.role not in (Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN):
        raise AuthError("Only clinicians can use emergency (break-glass) access.")
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise AuthError(f"Type the reason for emergency access (at least {MIN_REASON} "
                        "characters): it is recorded and reviewed.")
    grant = BreakGlass(user_id=user.id, nhs_number=nhs_number, reason=reason,
                       expires_at=now() + BREAK_GLASS_LIFETIME)
    session.add(grant)
    session.flush()
    return grant


@dataclass(frozen=True)
class Access:
    """Why a user may see a person."""

    allowed: bool
    break_glass: bool = False


def access(session: Session, user: User, nhs_number: str,
           at: datetime | None = None, *, emergency: bool = True) -> Access:
    """Whether ``user`` has a legitimate relationship with the person (see module doc);
    with ``emergency`` False, break-glass access is not looked for."""
    at = at or now()
    # the person and whether they are on this user's caseload, in one read
    found = session.execute(_PERSON_ON_CASELOAD, {"nhs": nhs_number, "user": user.id}).first()
    if found is None:
        return Access(False)
    person, on_caseload = found
    if user.role == Role.CASE_MANAGER:
        if on_caseload:
            return Access(True)
        cm = session.get(CaseManager, user.id)
        if cm is not None:
            covered = select(CoveredPractice.practice_code).where(
                CoveredPractice.user_id == user.id)
            in_area = session.scalar(select(exists().where(
                Person.nhs_number == nhs_number,
                or_(Person.locality_code == cm.locality_code,
                    Person.practice_code.in_(covered)))))
            if in_area:
                return Access(True)
    elif user.role == Role.PRACTICE_CLINICIAN:
        if user.practice_code and person.practice_code == user.practice_code:
            return Access(True)
    else:
        return Access(False)  # analysts and administrators see no one's record
    if not emergency:
        return Access(False)
    glass = session.scalar(select(exists().where(
        BreakGlass.user_id == user.id, BreakGlass.nhs_number == nhs_number,
        BreakGlass.expires_at > at)))
    return Access(bool(glass), break_glass=bool(glass))


def looks_after(session: Session, user: User, nhs_number: str) -> bool:
    """A legitimate relationship other than emergency (break-glass) access: whom tasks and
    alerts about the person may go to."""
    return access(session, user, nhs_number, emergency=False).allowed
