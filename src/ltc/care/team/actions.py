"""Care-plan actions assigned to a user (CM-5): checking an action's assignee and giving
it a stable key when a plan is saved, keeping :class:`PlanAction` in step with the newest
plan, updating an action's status (its own audited write: no new plan version) and the
actions assigned to one user across people.

An action of a plan's content may carry ``assignee`` (a user id: an active clinician or
wider-team user) and carries ``key``: the same in every version, so a status survives a
new version. An action sent without a key takes the key of the previous version's action
with the same words (an API client that sends none keeps its statuses), else the next
unused one of ``a1``, ``a2``...
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care import access
from ltc.care.auth.models import CLINICAL_ROLES, WIDER_TEAM, Role, User
from ltc.care.db import now
from ltc.care.people.models import Person
from ltc.care.team.models import PlanAction

#: an action's status, in words
STATUSES = {"open": "Open", "in_progress": "In progress", "done": "Done",
            "cannot_do": "Cannot be done"}
NOTE_LIMIT = 2000
#: who may update the status of an action assigned to someone else: the person's case
#: manager or GP (the route's policy has checked they look after the person)
OVERSEERS = (Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN)
ASSIGNABLE = (*CLINICAL_ROLES, *WIDER_TEAM)
_KEY = re.compile(r"^[a-z0-9]{1,32}$")


class ActionError(ValueError):
    """An action or a status update that cannot be saved as given (the message says why)."""


def _assignee(session: Session, value: Any, number: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        user_id = int(value)
    except (TypeError, ValueError):
        raise ActionError(f"Action {number}: assigned to must be a user's id; got "
                          f"{value!r}.") from None
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in ASSIGNABLE:
        raise ActionError(f"Action {number}: assigned to: no active clinician or wider-team "
                          f"user with id {user_id}.")
    return user_id


def prepare(session: Session, sent: Sequence[dict[str, Any]], cleaned: list[dict[str, Any]],
            previous: Sequence[dict[str, Any]]) -> None:
    """Give each cleaned action (in place) its checked ``assignee`` and its ``key`` from
    what was ``sent`` (the same actions, in order, blank rows included) and the
    ``previous`` version's actions."""
    filled = [a for a in sent if str(a.get("what") or "").strip()
              or str(a.get("who") or "").strip()]
    by_words: dict[str, str] = {}
    for a in previous:
        if a.get("key"):
            by_words.setdefault(str(a.get("what")), str(a["key"]))
    used: set[str] = set()
    numbers = [int(k[1:]) for k in (*(str(a.get("key") or "") for a in previous),
                                    *(str(a.get("key") or "") for a in sent))
               if re.fullmatch(r"a[0-9]{1,9}", k)]
    following = iter(range(max(numbers, default=0) + 1, 1 << 31))
    for number, (action, raw) in enumerate(zip(cleaned, filled, strict=True), start=1):
        action["assignee"] = _assignee(session, raw.get("assignee"), number)
        key = str(raw.get("key") or "").strip()
        if key and not _KEY.match(key):
            raise ActionError(f"Action {number}: key must be up to 32 lower-case letters and "
                              f"digits; got {key!r}.")
        if not key and by_words.get(action["what"], "") not in used:
            key = by_words.get(action["what"], "")
        if key in used:
            raise ActionError(f"Action {number}: key {key!r} is given to two actions.")
        action["key"] = key or f"a{next(following)}"
        used.add(action["key"])


def sync(session: Session, nhs_number: str, version: int,
         actions: Sequence[dict[str, Any]]) -> None:
    """Keep the person's :class:`PlanAction` rows those of ``actions`` (the newest plan's,
    version ``version``) that are assigned: a kept key keeps its status unless its
    assignee changed; an action no longer assigned, or gone, is removed."""
    rows = {r.key: r for r in session.scalars(select(PlanAction).where(
        PlanAction.nhs_number == nhs_number))}
    for a in actions:
        if a.get("assignee") is None:
            continue
        due = date.fromisoformat(a["by"]) if a.get("by") else None
        row = rows.pop(a["key"], None)
        if row is None:
            session.add(PlanAction(nhs_number=nhs_number, key=a["key"],
                                   assignee_id=a["assignee"], what=a["what"], due_on=due,
                                   plan_version=version, status="open", note=""))
            continue
        if row.assignee_id != a["assignee"]:
            row.assignee_id, row.status, row.note = a["assignee"], "open", ""
            row.updated_by, row.updated_at = None, now()
        row.what, row.due_on, row.plan_version = a["what"], due, version
    for gone in rows.values():
        session.delete(gone)
    session.flush()


def of_person(session: Session, nhs_number: str) -> dict[str, PlanAction]:
    """The person's assigned actions by key."""
    return {r.key: r for r in session.scalars(select(PlanAction).where(
        PlanAction.nhs_number == nhs_number))}


def update_status(session: Session, nhs_number: str, key: str, status: str, note: str,
                  by: User) -> PlanAction:
    """Set an assigned action's status and note: its assignee, or the person's case
    manager or GP, may."""
    row = session.scalar(select(PlanAction).where(PlanAction.nhs_number == nhs_number,
                                                  PlanAction.key == key))
    if row is None:
        raise ActionError(f"Action: the newest care plan has no assigned action {key!r}.")
    if row.assignee_id != by.id and by.role not in OVERSEERS:
        raise ActionError("Action: only the person it is assigned to, or the person's case "
                          "manager or GP, may update it.")
    if status not in STATUSES:
        raise ActionError(f"Status must be one of {', '.join(STATUSES)}; got {status!r}.")
    text = (note or "").strip()
    if len(text) > NOTE_LIMIT:
        raise ActionError(f"Note: at most {NOTE_LIMIT} characters (got {len(text)}).")
    row.status, row.note, row.updated_by, row.updated_at = status, text, by.id, now()
    session.flush()
    return row


def assigned_to(session: Session, user: User) -> list[tuple[PlanAction, Person]]:
    """The actions assigned to ``user`` across the people they look after (the access
    rule): open ones first, then by date due."""
    rows = session.execute(
        select(PlanAction, Person).join(Person, Person.nhs_number == PlanAction.nhs_number)
        .where(PlanAction.assignee_id == user.id, access.LOOKS_AFTER)
        .order_by(PlanAction.nhs_number, PlanAction.id), access.params(user)).all()
    return sorted(((a, p) for a, p in rows),
                  key=lambda r: (r[0].status in ("done", "cannot_do"),
                                 r[0].due_on or date.max, r[0].nhs_number))
