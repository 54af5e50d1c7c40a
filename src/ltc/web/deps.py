"""What route functions receive: the request's database session, user and audit rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from ltc.care.audit.services import Pending
from ltc.care.auth.models import User
from ltc.web.guard import GuardedRoute


def _db(request: Request) -> Session:
    session: Session = request.state.db
    return session


def _me(request: Request) -> User:
    user: User = request.state.user
    return user


def _audit(request: Request) -> Pending:
    pending: Pending = request.state.audit
    return pending


Db = Annotated[Session, Depends(_db)]
Me = Annotated[User, Depends(_me)]
Audit = Annotated[Pending, Depends(_audit)]


def guarded_router() -> APIRouter:
    """A router whose routes are guarded (every route needs a policy)."""
    return APIRouter(route_class=GuardedRoute)
