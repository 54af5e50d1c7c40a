"""Goals and action plans (SC-4): a goal in the person's own words, the steps they will
take, what to do when (e.g. "If my peak flow falls below 250, take my rescue pack and
call the practice") and the date it is reviewed. A review says how it went: the goal goes
on (to a new review date), is achieved, or is stopped. Clinicians are reminded of the
goals due for review (:func:`due`, within :data:`DUE_SOON_DAYS` days or overdue) of the
people they look after. Services never commit: the request owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care import access
from ltc.care.auth.models import User
from ltc.care.people.models import Person
from ltc.care.selfcare.errors import (
    NotFoundError,
    SelfCareError,
    choice,
    future,
    lines,
    past,
    text,
)
from ltc.care.selfcare.models import Goal, GoalReview

STATUSES = {"active": "Active", "achieved": "Achieved", "stopped": "Stopped"}
OUTCOMES = {"continue": "Carry on, with a new review date", "achieved": "Achieved",
            "stopped": "Stopped"}
#: a goal is listed as due for review this many days before its review date (a reminder,
#: not a clinical interval: the review date itself is agreed with the person)
DUE_SOON_DAYS = 14
LIMIT = 500  # goals a list shows


def set_goal(session: Session, nhs_number: str, by: User, goal: str, steps: str,
             when_to_act: str, review_on: date | None, today: date | None = None) -> Goal:
    """Record a goal with its action plan (steps and what to do when: one per line)."""
    today = today or date.today()
    row = Goal(nhs_number=nhs_number, set_by=by.id, set_on=today, status="active",
               goal=text(goal, "The goal, in the person's words (goal)", required=True),
               steps=lines(steps, "Steps of the action plan (steps)", required=True),
               when_to_act=lines(when_to_act, "What to do when (when_to_act)",
                                 required=False),
               review_on=future(review_on, "Review date (review_on)", today))
    session.add(row)
    session.flush()
    return row


def review(session: Session, nhs_number: str, goal_id: int, by: User, outcome: str,
           note: str = "", next_review_on: date | None = None,
           today: date | None = None) -> GoalReview:
    """Review a goal: it goes on to ``next_review_on``, is achieved or is stopped."""
    today = today or date.today()
    goal = session.get(Goal, goal_id)
    if goal is None or goal.nhs_number != nhs_number:
        raise NotFoundError("There is no such goal for this person.")
    choice(outcome, "Outcome (outcome)", OUTCOMES)
    if goal.status != "active":
        raise SelfCareError(f"This goal was already {STATUSES[goal.status].lower()} at its "
                            f"review on {goal.reviewed_on:%d %B %Y}; set a new goal instead.")
    following = (future(next_review_on, "Next review date (next_review_on)", today)
                 if outcome == "continue" else None)
    if outcome != "continue" and next_review_on is not None:
        raise SelfCareError("Next review date (next_review_on): a goal that is "
                            f"{STATUSES[outcome].lower()} has no next review; leave it empty.")
    row = GoalReview(goal_id=goal.id, nhs_number=nhs_number, on=past(None, "", today),
                     outcome=outcome, by=by.id,
                     note=text(note, "How it went (note)", required=outcome == "stopped"),
                     next_review_on=following)
    session.add(row)
    goal.reviewed_on = today
    if following is not None:
        goal.review_on = following
    else:
        goal.status = outcome
    session.flush()
    return row


def reviews_of(session: Session, nhs_number: str) -> dict[int, list[GoalReview]]:
    """Each of the person's goals' reviews, newest first."""
    out: dict[int, list[GoalReview]] = {}
    for r in session.scalars(select(GoalReview).where(GoalReview.nhs_number == nhs_number)
                             .order_by(GoalReview.at.desc(), GoalReview.id.desc())):
        out.setdefault(r.goal_id, []).append(r)
    return out


def is_due(goal: Goal, today: date) -> bool:
    """An active goal whose review date is within :data:`DUE_SOON_DAYS` days, or past."""
    return goal.status == "active" and goal.review_on <= today + timedelta(
        days=DUE_SOON_DAYS)


@dataclass(frozen=True)
class Due:
    goal: Goal
    person: Person
    overdue: bool


def due(session: Session, user: User, today: date | None = None) -> list[Due]:
    """Active goals due for review of the people ``user`` looks after, the most overdue
    first."""
    today = today or date.today()
    rows = session.execute(
        select(Goal, Person).join(Person, Person.nhs_number == Goal.nhs_number)
        .where(Goal.status == "active",
               Goal.review_on <= today + timedelta(days=DUE_SOON_DAYS), access.LOOKS_AFTER)
        .order_by(Goal.review_on, Goal.id).limit(LIMIT), access.params(user)).all()
    return [Due(g, p, g.review_on < today) for g, p in rows]
