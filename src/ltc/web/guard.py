"""The route class every page and API route uses: it opens the request's unit of work,
finds the signed-in user, enforces the route's policy and CSRF, records the audit rows and
commits or rolls back (privacy; the request owns the transaction: services never commit;
infrastructure: no capability of its own).

A request that answers with an error is rolled back, unless its route asked to keep what
it wrote (:func:`keep_changes`: a failed sign-in counts towards throttling). Just before
the commit the guard calls ``app.state.before_commit`` if the app has one, with the
session after the audit rows are flushed: a hook that raises fails the request at its
last step, after everything else has written, and the request leaves nothing behind
(``tests/care/test_write_routes_atomic.py`` injects that fault into every write route).

A request is handed to worker threads twice: once to sign in and check access, once to
run its route function (a plain function) and then, in the same thread, commit.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import inspect
import uuid
import weakref
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from ltc.care.access import Access, access
from ltc.care.audit import services as audit
from ltc.care.auth import services as auth
from ltc.care.auth.models import LoginSession, User
from ltc.web.policy import Policy, policy_of

SESSION_COOKIE = "ltc_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as pages show them (plain values, not a database row)."""

    id: int
    username: str
    display_name: str
    role: str


class RefusedError(Exception):
    """A request refused before its route ran."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def refusal(request: Request, status: int, message: str) -> Response:
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status,
                            headers={"X-Request-ID": request.state.request_id})
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    render = request.app.state.render_error
    response: Response = render(request, status, message)
    return response


def token_of(request: Request) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie (CSRF applies) or a bearer
    header (it does not: a browser never adds that header by itself)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    return request.cookies.get(SESSION_COOKIE), True


async def _read_input(request: Request) -> str | None:
    """Refuse NUL characters; return the CSRF token the request sent (header or form)."""
    body = await request.body() if request.method in UNSAFE else b""
    where = (request.url.path.encode(), request.url.query.encode(), body)
    if any(n in part for n in NUL for part in where):
        raise RefusedError(422, "Text may not contain NUL characters (code 0).")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.method in UNSAFE and request.headers.get(
            "content-type", "").startswith(("application/x-www-form-urlencoded",
                                            "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent


def check_csrf(sent: str | None, login: LoginSession) -> None:
    if not sent or not hmac.compare_digest(sent, login.csrf_token):
        raise RefusedError(403, "This form has expired or did not come from this site. Go "
                                "back, reload the page and try again.")


def keep_changes(request: Request) -> None:
    """Commit what this request wrote even though it answers with an error (a 4xx)."""
    request.state.keep_changes = True


#: called with the request's session just before its commit (``app.state.before_commit``)
BeforeCommit = Callable[[Session], None]


def _end(session: Session, request: Request | None, status: int) -> None:
    """Commit a successful request with its audit rows (or one that asked to keep its
    changes), roll back any other (``request`` None: it failed before answering), and
    give the connection back."""
    try:
        if request is not None and (status < 400 or getattr(request.state, "keep_changes",
                                                             False)):
            audit.flush(session, request.state.audit)
            hook: BeforeCommit | None = getattr(request.app.state, "before_commit", None)
            if hook is not None:
                hook(session)
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# A server process works on as many requests at once as the app has threads
# (``app.state.in_flight``); the others wait their turn, in order. A request holds a
# database connection from its first query to its commit, and runs on a worker thread
# for some of that time; admitting no more requests than there are threads means a
# request never waits for a thread while holding a connection that another,
# thread-holding request waits for.
_admissions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = \
    weakref.WeakKeyDictionary()


def admission(request: Request) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _admissions.get(loop)
    if gate is None:
        gate = _admissions[loop] = asyncio.Semaphore(
            request.app.state.in_flight)
    return gate


#: the request a guarded route is answering (read by :func:`_ending` in a worker thread:
#: a thread started for a request runs in a copy of the request's context)
_REQUEST: ContextVar[Request | None] = ContextVar("ltc_guarded_request", default=None)


def _ending(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` (a plain function, which runs in a worker thread) followed, in the same
    thread, by the end of its request (:func:`_end`) when it answers with a response: the
    commit or roll back does not wait for another hand-off to a thread. Anything else it
    returns is serialized first and the guard ends the request after."""

    @functools.wraps(endpoint)
    def call(*args: Any, **kwargs: Any) -> Any:
        answer = endpoint(*args, **kwargs)
        request = _REQUEST.get()
        if request is not None and isinstance(answer, Response) \
                and getattr(request.state, "ended", None) is False:
            request.state.ended = True  # even if the commit fails: it has rolled back
            _end(request.state.db, request, answer.status_code)
        return answer

    return call


class GuardedRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _ending(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()
        found = policy_of(self.endpoint)

        async def handler(request: Request) -> Response:
            request.state.request_id = str(uuid.uuid4())
            if found is None:  # deny by default
                return refusal(request, 403, "This page has no access policy.")
            try:
                sent = await _read_input(request)
            except RefusedError as no:
                return refusal(request, no.status, no.message)
            async with admission(request):
                return await guarded(request, found, sent)

        async def guarded(request: Request, found: Policy, sent: str | None) -> Response:
            factory: sessionmaker[Session] = request.app.state.sessions
            session = factory()
            request.state.db = session
            # database work runs in worker threads, never on the event loop (a blocked
            # loop cannot finish the requests that would give connections back)
            try:
                await run_in_threadpool(_admit, request, session, found, sent)
            except RefusedError as no:
                await run_in_threadpool(_end, session, None, 0)
                return refusal(request, no.status, no.message)
            except BaseException:
                await run_in_threadpool(_end, session, None, 0)
                raise
            # a plain route function ends the request in its own thread (_ending)
            request.state.ended = False
            reset = _REQUEST.set(request)
            try:
                response = await inner(request)
            except BaseException:
                if not request.state.ended:
                    request.state.ended = True
                    await run_in_threadpool(_end, session, None, 0)
                raise
            finally:
                _REQUEST.reset(reset)
            if not request.state.ended:
                request.state.ended = True
                await run_in_threadpool(_end, session, request, response.status_code)
            response.headers["X-Request-ID"] = request.state.request_id
            return response

        return handler


#: NUL in text: PostgreSQL cannot store it, and no clinical text needs it (raw, JSON- and
#: URL-encoded)
NUL = (b"\x00", b"\\u0000", b"%00")


def _admit(request: Request, session: Session, found: Policy, sent: str | None) -> None:
    token, from_cookie = token_of(request)
    signed = auth.current(session, token)
    user: User | None = signed[0] if signed else None
    request.state.user = user
    # what pages show of the user, readable after the session has closed
    request.state.viewer = Viewer(user.id, user.username, user.display_name, user.role) \
        if user else None
    request.state.login = signed[1] if signed else None
    request.state.csrf_token = signed[1].csrf_token if signed else ""
    request.state.audit = audit.Pending(
        request.state.request_id,
        audit.Actor(user.id if user else None, user.username if user else "-",
                    user.role if user else "-"))
    request.state.break_glass = False
    if found.kind == "public":
        return
    if user is None or signed is None:
        raise RefusedError(401, "Sign in to continue.")
    if from_cookie and request.method in UNSAFE:
        check_csrf(sent, signed[1])
    if found.kind == "person":
        nhs_number = str(request.path_params.get("nhs_number", ""))
        allowed = found.roles is None or user.role in found.roles
        grant = access(session, user, nhs_number) if allowed else Access(False)
        if not grant.allowed:
            raise RefusedError(404, "There is no such person, or you do not have access to "
                               "their record.")
        request.state.break_glass = grant.break_glass
        action = found.action or ("read" if request.method in ("GET", "HEAD") else "write")
        request.state.audit.add(nhs_number, action, f"{request.method} {request.url.path}",
                                grant.break_glass)
        return
    if found.roles is not None and user.role not in found.roles:
        raise RefusedError(403, "Your role does not give access to this page.")
