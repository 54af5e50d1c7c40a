"""What route functions receive: the request's database session, user and audit rows
(infrastructure: no capability of its own). They are coroutines: reading them needs no
hand-off to a worker thread."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from ltc.care.audit.services import Pending
from ltc.care.auth.models import User
from ltc.care.events import rules
from ltc.web.routing import GuardedRouter


async def _db(request: Request) -> Session:
    session: Session = request.state.db
    return session


async def _me(request: Request) -> User:
    user: User = request.state.user
    return user


async def _audit(request: Request) -> Pending:
    pending: Pending = request.state.audit
    return pending


Db = Annotated[Session, Depends(_db)]
Me = Annotated[User, Depends(_me)]
Audit = Annotated[Pending, Depends(_audit)]


def guarded_router() -> APIRouter:
    """A router whose routes are guarded (every route needs a policy)."""
    return GuardedRouter()


@functools.cache
def _packaged_rules() -> rules.Rules:
    return rules.load()


@functools.lru_cache(maxsize=4)
def _rules_file(path: str, mtime_ns: int, size: int) -> rules.Rules:
    return rules.load(Path(path))


def alert_rules(request: Request) -> rules.Rules:
    """The app's alert rules: the file ``app.state.alert_rules`` names (``LTC_ALERT_RULES``;
    read again whenever it changes, so a corrected file takes effect at once), else the
    packaged ones. A file that cannot be used answers 503 with the reason."""
    path = getattr(request.app.state, "alert_rules", None)
    if not path:
        return _packaged_rules()
    try:
        stat = Path(path).stat()
    except OSError:
        stat = None
    try:  # read again only when the file has changed
        return _rules_file(str(path), stat.st_mtime_ns if stat else 0,
                           stat.st_size if stat else -1)
    except rules.RulesError as e:
        raise HTTPException(503, f"The alert rules cannot be used ({e}); an administrator "
                                 "must correct them, then try again.") from e
