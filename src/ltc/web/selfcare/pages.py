"""Pages: a person's self care (SC-1, SC-2, SC-4, SC-5): programmes and their progress,
self-monitoring readings with a chart against the target and the person's own targets,
goals and action plans with their reviews, resources suggested; the forms that record
each, and the person's copy of their self-care plan. The lists across people and the
directory are :mod:`ltc.web.selfcare.lists`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.people.models import Person
from ltc.care.selfcare import goals, programmes, readings, signposting
from ltc.care.selfcare.errors import MAX_TEXT, NotFoundError, SelfCareError
from ltc.care.selfcare.models import Goal, ProgrammeReferral, Suggestion
from ltc.care.selfcare.setup import Setup
from ltc.care.selfcare.targets import PLACES, REPORTERS
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import CLINICIANS, READERS, policy
from ltc.web.selfcare.chart import chart
from ltc.web.selfcare.config import selfcare
from ltc.web.selfcare.panel import label, shown

router = guarded_router()
Config = Annotated[Setup, Depends(selfcare)]
Text = Annotated[str, Form(max_length=MAX_TEXT)]
Short = Annotated[str, Form(max_length=64)]
Day = Annotated[date | None, Form()]
Number = Annotated[float | None, Form(ge=-1e6, le=1e6)]

#: what each saved form says on the page it returns to
NOTES = {"referred": "Referral to the programme recorded.",
         "programme": "Programme progress recorded.",
         "reading": "Reading recorded.", "reading-prompted": "Reading recorded. It is out of "
         "range: a prompt was sent (see the reading).",
         "target": "The person's own target saved.", "goal": "Goal and action plan saved.",
         "review": "Goal review recorded.", "suggested": "Resource suggestion recorded."}


def to_selfcare(nhs_number: str, note: str, section: str) -> Response:
    return RedirectResponse(f"/people/{nhs_number}/selfcare?note={note}#{section}",
                            status_code=303)


def not_saved(request: Request, nhs_number: str, error: str) -> Response:
    return page(request, "selfcare/problem.html.j2", status=422, title="Not saved",
                error=error, nhs_number=nhs_number)


def _saved(request: Request, nhs_number: str, save: Callable[[], str], section: str
           ) -> Response:
    """Back to the person's self-care page with the note ``save`` returns, or the reason
    it was not saved."""
    try:
        note = save()
    except SelfCareError as e:
        return not_saved(request, nhs_number, str(e))
    except NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    return to_selfcare(nhs_number, note, section)


def person_of(db: Session, nhs_number: str) -> Person:
    person = db.get(Person, nhs_number)
    assert person is not None  # the guard found them
    return person


def view(db: Session, config: Setup, nhs_number: str) -> dict[str, Any]:
    """What the self-care page and the person's copy show."""
    person = person_of(db, nhs_number)
    today = date.today()
    who = readings.who(db, person, today)
    referrals = list(db.scalars(select(ProgrammeReferral).where(
        ProgrammeReferral.nhs_number == nhs_number).order_by(ProgrammeReferral.id.desc())))
    taken = readings.readings_of(db, nhs_number)
    charts = []
    for measure in dict.fromkeys(r.measure for r in taken):
        m = config.targets.measures.get(measure)
        drawn = chart(m, [r for r in taken if r.measure == measure]) if m else None
        if drawn is not None:
            charts.append(drawn)
    own = {m: readings.personal_target(db, nhs_number, m) for m in config.targets.measures}
    listed = goals.reviews_of(db, nhs_number)
    all_goals = list(db.scalars(select(Goal).where(Goal.nhs_number == nhs_number)
                                .order_by(Goal.id.desc())))
    suggested = list(db.scalars(select(Suggestion).where(
        Suggestion.nhs_number == nhs_number).order_by(Suggestion.id.desc())))
    offered = sorted(config.programmes.values(),
                     key=lambda p: (not p.serves(who.registers), p.name))
    return {"person": person, "who": who, "today": today, "referrals": referrals,
            "readings": taken, "charts": charts, "own_targets": own, "goals": all_goals,
            "reviews": listed, "suggestions": suggested, "offered": offered,
            "measures": config.targets.measures, "places": PLACES, "reporters": REPORTERS,
            "statuses": programmes.STATUSES, "actions": programmes.ACTIONS,
            "goal_statuses": goals.STATUSES, "outcomes": goals.OUTCOMES,
            "is_due": goals.is_due, "shown": shown, "label": label, "banner_for": nhs_number}


@router.get("/people/{nhs_number}/selfcare")
@policy("person", roles=READERS)
def selfcare_page(request: Request, nhs_number: str, db: Db, me: Me, config: Config,
                  note: str = "") -> Response:
    return page(request, "selfcare/person.html.j2", title="Self care",
                note=NOTES.get(note), records=me.role in CLINICIANS,
                **view(db, config, nhs_number))


@router.get("/people/{nhs_number}/selfcare/plan")
@policy("person", roles=READERS)
def plan(request: Request, nhs_number: str, db: Db, config: Config) -> Response:
    return page(request, "selfcare/plan.html.j2", title="My self-care plan",
                **view(db, config, nhs_number))


@router.post("/people/{nhs_number}/selfcare/programmes")
@policy("person", roles=CLINICIANS)
def refer(request: Request, nhs_number: str, db: Db, me: Me, config: Config,
          programme: Short = "", on: Day = None, note: Text = "") -> Response:
    def save() -> str:
        programmes.refer(db, nhs_number, me, config.programmes, programme, on, note)
        return "referred"
    return _saved(request, nhs_number, save, "programmes")


@router.post("/people/{nhs_number}/selfcare/programmes/{referral_id}")
@policy("person", roles=CLINICIANS)
def progress(request: Request, nhs_number: str, referral_id: int, db: Db,
             action: Short = "", on: Day = None, reason: Text = "") -> Response:
    def save() -> str:
        programmes.update(db, nhs_number, referral_id, action, on, reason)
        return "programme"
    return _saved(request, nhs_number, save, "programmes")


@router.post("/people/{nhs_number}/selfcare/readings")
@policy("person", roles=CLINICIANS)
def reading(request: Request, nhs_number: str, db: Db, me: Me, config: Config,
            measure: Short = "", value: Number = None, value2: Number = None,
            taken_at: Annotated[datetime | None, Form()] = None, place: Short = "",
            reported_by: Short = "", timing: Short = "", note: Text = "") -> Response:
    def save() -> str:
        m = config.targets.measures.get(measure)
        if m is not None and len(m.components) == 1 and value2 is not None:
            raise SelfCareError(f"Second value (value2): {m.label} has one value; leave the "
                                "second empty.")
        values = [value, value2][:len(m.components)] if m else [value]
        done = readings.record(db, nhs_number, me, config.targets, measure=measure,
                               values=values, taken_at=taken_at, place=place,
                               reported_by=reported_by, timing=timing or None, note=note)
        return "reading-prompted" if done.prompt is not None else "reading"
    return _saved(request, nhs_number, save, "readings")


@router.post("/people/{nhs_number}/selfcare/targets")
@policy("person", roles=CLINICIANS)
def own_target(request: Request, nhs_number: str, db: Db, me: Me, config: Config,
               measure: Short = "", at_least: Number = None, at_most: Number = None,
               at_least2: Number = None, at_most2: Number = None,
               reason: Text = "") -> Response:
    def save() -> str:
        m = config.targets.measures.get(measure)
        n = len(m.components) if m else 1
        readings.set_target(db, nhs_number, me, config.targets, measure=measure,
                            at_least=[at_least, at_least2][:n], at_most=[at_most, at_most2][:n],
                            reason=reason)
        return "target"
    return _saved(request, nhs_number, save, "targets")


@router.post("/people/{nhs_number}/selfcare/goals")
@policy("person", roles=CLINICIANS)
def goal(request: Request, nhs_number: str, db: Db, me: Me, goal: Text = "",
         steps: Text = "", when_to_act: Text = "", review_on: Day = None) -> Response:
    def save() -> str:
        goals.set_goal(db, nhs_number, me, goal, steps, when_to_act, review_on)
        return "goal"
    return _saved(request, nhs_number, save, "goals")


@router.post("/people/{nhs_number}/selfcare/goals/{goal_id}/review")
@policy("person", roles=CLINICIANS)
def review(request: Request, nhs_number: str, goal_id: int, db: Db, me: Me,
           outcome: Short = "", note: Text = "", next_review_on: Day = None) -> Response:
    def save() -> str:
        goals.review(db, nhs_number, goal_id, me, outcome, note, next_review_on)
        return "review"
    return _saved(request, nhs_number, save, "goals")


@router.post("/people/{nhs_number}/selfcare/suggestions")
@policy("person", roles=CLINICIANS)
def suggest(request: Request, nhs_number: str, db: Db, me: Me, config: Config,
            resource: Short = "", need: Short = "", note: Text = "") -> Response:
    def save() -> str:
        signposting.suggest(db, nhs_number, me, config.directory, resource, need, note)
        return "suggested"
    return _saved(request, nhs_number, save, "suggestions")
