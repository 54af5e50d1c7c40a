"""Accounts, passwords, sessions, throttling and break-glass grants (privacy; no
capability of its own: case managers' profiles are :mod:`ltc.care.auth.admin`'s).

* Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106).
* A session is a random 256-bit token in a secure, http-only, same-site cookie; the store
  keeps only its SHA-256, so a copy of the database cannot be used to sign in.
* After :data:`MAX_FAILURES` failed sign-ins for one user name within
  :data:`FAILURE_WINDOW`, further attempts are refused until the window has passed.
* Break-glass access: a clinician's emergency access to one person, with a typed reason,
  for a limited time. Who may see whom, break-glass included, is
  :mod:`ltc.care.access` (whose ``access``, ``Access`` and ``looks_after`` this module
  also offers, for callers that import them from here).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from ltc.care.access import BREAK_GLASS_ROLES
from ltc.care.access import Access as Access
from ltc.care.access import access as access
from ltc.care.access import looks_after as looks_after
from ltc.care.auth.models import (
    PRACTICE_ROLES,
    ROLE_NAMES,
    BreakGlass,
    LoginFailure,
    LoginSession,
    Role,
    User,
)
from ltc.care.db import now

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
    if role in PRACTICE_ROLES and not practice_code:
        raise AuthError(f"A {ROLE_NAMES[role].lower()} needs a practice code.")
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
    # failures are kept under the name as the column holds it (no user's name is longer)
    key = username[:LoginFailure.username.type.length or 64]
    failures = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.username == key, LoginFailure.at > cutoff)) or 0
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
        session.add(LoginFailure(username=key))
        raise AuthError("The user name or password is not right.")
    session.execute(delete(LoginFailure).where(LoginFailure.username == key))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(LoginSession(token_digest=_digest(token), user_id=user.id, csrf_token=csrf,
                             expires_at=now() + SESSION_LIFETIME))
    return SignedIn(user, token, csrf)


# read on every request, built once (a statement reused is compiled and keyed once)
_CURRENT = select(LoginSession, User).join(User, User.id == LoginSession.user_id).where(
    LoginSession.token_digest == bindparam("digest"))


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
    if user.role not in BREAK_GLASS_ROLES:
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
