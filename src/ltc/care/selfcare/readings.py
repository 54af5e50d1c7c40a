"""Self-monitoring readings (SC-2): a reading recorded by or for the person (at home, at a
pharmacy or at the practice) is checked, judged against the person's target
(:mod:`ltc.care.selfcare.targets`) and kept with that judgement; a reading out of range
prompts the person's named contact, or whoever stands in for them
(:mod:`ltc.care.selfcare.prompts`). A clinician can set the person's own target for a
measure. Services never commit: the request owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.db import now as utc_now
from ltc.care.db import to_store, uk_time
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.care.selfcare import prompts
from ltc.care.selfcare.errors import SelfCareError, choice, text
from ltc.care.selfcare.models import PersonalTarget, Reading
from ltc.care.selfcare.targets import (
    PLACES,
    REPORTERS,
    History,
    Judgement,
    Measure,
    Target,
    Targets,
    Who,
    age_on,
    judge,
)

#: a reading may be timed this far ahead of the server's clock (clocks differ a little)
CLOCK_SLACK = timedelta(minutes=5)


@dataclass(frozen=True)
class Recorded:
    reading: Reading
    judgement: Judgement
    prompt: prompts.Prompt | None


def who(session: Session, person: Person, day: date) -> Who:
    """The person's disease registers (in the current run) and age on ``day``."""
    result = session.scalar(select(PersonResult).join(
        StratRun, and_(StratRun.id == PersonResult.run_id, StratRun.current.is_(True)))
        .where(PersonResult.nhs_number == person.nhs_number))
    registers = frozenset(r for r in (result.registers or "").split(",") if r) \
        if result else frozenset()
    age = age_on(person.date_of_birth, day)
    return Who(registers, age if age is not None else (result.age if result else None))


def personal_target(session: Session, nhs_number: str, measure: str) -> Target | None:
    """The person's own target for ``measure`` (the newest set; None when there is none
    or the newest one went back to the configured targets)."""
    row = session.scalar(select(PersonalTarget).where(
        PersonalTarget.nhs_number == nhs_number, PersonalTarget.measure == measure)
        .order_by(PersonalTarget.at.desc(), PersonalTarget.id.desc()).limit(1))
    if row is None or not any(v is not None for v in (*row.at_least, *row.at_most)):
        return None
    return Target(measure=measure, at_least=tuple(row.at_least), at_most=tuple(row.at_most),
                  source=f"Set for this person on {row.set_on:%d %B %Y}: {row.reason}",
                  personal=True)


def _history(session: Session, nhs_number: str, m: Measure, target: Target | None,
             before: datetime) -> History:
    if target is None or not (target.of_best or target.rise_at_most):
        return History()
    earlier = session.execute(select(Reading.value, Reading.taken_at).where(
        Reading.nhs_number == nhs_number, Reading.measure == m.id,
        Reading.taken_at < before)).all()
    n = len(m.components)
    best = tuple(max((v[i] for v, _ in earlier), default=None) for i in range(n))
    since = before - timedelta(days=target.rise_days or 0)
    recent = [v for v, at in earlier if at >= since]
    lowest = tuple(min((v[i] for v in recent), default=None) for i in range(n))
    return History(best, lowest)


def _values(m: Measure, values: list[float | None]) -> list[float]:
    if len(values) != len(m.components):
        raise SelfCareError(f"Value (value): {m.label} has {len(m.components)} value(s) "
                            f"({', '.join(m.components)}); {len(values)} were given.")
    out = []
    for name, value, (low, high) in zip(m.components, values, m.plausible, strict=True):
        if value is None:
            raise SelfCareError(f"{name.capitalize()} (value): this is empty. Type the "
                                "reading.")
        if not low <= value <= high:
            raise SelfCareError(f"{name.capitalize()} (value): {value:g} {m.unit} is not a "
                                f"reading a meter gives. Check it: expected {low:g} to "
                                f"{high:g} {m.unit}.".replace("  ", " "))
        out.append(float(value))
    if m.id == "blood_pressure" and out[1] >= out[0]:
        raise SelfCareError(f"Diastolic (value): {out[1]:g} is not below the systolic "
                            f"{out[0]:g}. Check the two values have not been swapped.")
    return out


def title(m: Measure, values: list[float], day: date, place: str, judgement: Judgement
          ) -> str:
    """The prompt's title: what was read, when and where, and how it is out of range."""
    return (f"Self-monitoring: {m.label.lower()} {m.show(values)} on {day:%d %B %Y} "
            f"({PLACES[place].lower()}). {judgement.verdict}. Target: {judgement.target}."
            )[:300]


def record(session: Session, nhs_number: str, by: User, targets: Targets, *, measure: str,
           values: list[float | None], taken_at: datetime | None, place: str,
           reported_by: str, timing: str | None = None, note: str = "",
           now: datetime | None = None,
           named_contact: prompts.NamedContact | None = None) -> Recorded:
    """Record a reading (``taken_at`` in UK time when it has no offset) and prompt
    someone when it is out of range."""
    at = now or utc_now()
    m = targets.measures.get(measure)
    if m is None:
        raise SelfCareError(f"Measure (measure): {measure!r} is not one of the choices. "
                            f"Choose one of {', '.join(targets.measures)}.")
    numbers = _values(m, values)
    if m.timings and not timing:
        raise SelfCareError(f"When it was taken (timing): this is empty; a {m.label.lower()} "
                            f"reading's target depends on it. Choose one of "
                            f"{', '.join(m.timings)}.")
    if m.timings:
        timing = choice(timing or "", "When it was taken (timing)", m.timings)
    elif timing:
        raise SelfCareError(f"When it was taken (timing): {m.label} readings have no timing;"
                            " leave it empty.")
    else:
        timing = None
    choice(place, "Where it was taken (place)", PLACES)
    choice(reported_by, "Who took it (reported_by)", REPORTERS)
    if taken_at is None:
        raise SelfCareError("When (taken_at): this is empty. Give the date and time of the "
                            "reading.")
    try:
        stored = to_store(taken_at)
    except (OverflowError, ValueError):
        raise SelfCareError(f"When (taken_at): {taken_at.isoformat()} is not a time a "
                            "reading can have been taken. Give the date and time.") from None
    if stored > at + CLOCK_SLACK:
        raise SelfCareError(f"When (taken_at): {taken_at:%d %B %Y %H:%M} is in the future. "
                            "Give the time the reading was taken.")
    person = session.get(Person, nhs_number)
    assert person is not None  # the web guard found them
    day = uk_time(stored).date()
    target = targets.for_reading(measure, who(session, person, day), place, timing,
                                 personal_target(session, nhs_number, measure))
    judgement = judge(m, target, numbers, _history(session, nhs_number, m, target, stored))
    reading = Reading(nhs_number=nhs_number, measure=measure, value=numbers, unit=m.unit,
                      taken_at=stored, timing=timing, place=place, reported_by=reported_by,
                      recorded_by=by.id, note=text(note, "Note (note)", required=False),
                      target=judgement.target[:300], target_source=judgement.source,
                      limits=judgement.limits, in_range=judgement.in_range,
                      verdict=judgement.verdict[:300])
    session.add(reading)
    done = None
    if judgement.in_range is False:
        done = prompts.prompt(session, person, title(m, numbers, day, place, judgement),
                              max(day, uk_time(at).date()), named_contact)
        reading.prompted, reading.task_id, reading.alert_id = (done.words[:300],
                                                               done.task_id, done.alert_id)
    session.flush()
    return Recorded(reading, judgement, done)


def set_target(session: Session, nhs_number: str, by: User, targets: Targets, *,
               measure: str, at_least: list[float | None], at_most: list[float | None],
               reason: str, today: date | None = None) -> PersonalTarget:
    """Set the person's own target for ``measure`` (no limits at all: back to the
    configured targets)."""
    m = targets.measures.get(measure)
    if m is None:
        raise SelfCareError(f"Measure (measure): {measure!r} is not one of the choices. "
                            f"Choose one of {', '.join(targets.measures)}.")
    n = len(m.components)
    if len(at_least) != n or len(at_most) != n:
        raise SelfCareError(f"Target (at_least, at_most): {m.label} has {n} value(s) "
                            f"({', '.join(m.components)}); give a lowest and a highest for "
                            "each (either may be empty).")
    for name, low, high, (p_low, p_high) in zip(m.components, at_least, at_most,
                                                m.plausible, strict=True):
        for value in (low, high):
            if value is not None and not p_low <= value <= p_high:
                raise SelfCareError(f"Target for {name} (at_least, at_most): {value:g} is "
                                    f"not a reading a meter gives; expected {p_low:g} to "
                                    f"{p_high:g}.")
        if low is not None and high is not None and low > high:
            raise SelfCareError(f"Target for {name} (at_least, at_most): the lowest, "
                                f"{low:g}, is above the highest, {high:g}.")
    row = PersonalTarget(nhs_number=nhs_number, measure=measure, at_least=list(at_least),
                         at_most=list(at_most), set_by=by.id, set_on=today or date.today(),
                         reason=text(reason, "Why (reason)", required=True))
    session.add(row)
    session.flush()
    return row


def readings_of(session: Session, nhs_number: str, measure: str | None = None
                ) -> list[Reading]:
    """The person's readings, newest first (of one measure, when given)."""
    statement = select(Reading).where(Reading.nhs_number == nhs_number)
    if measure is not None:
        statement = statement.where(Reading.measure == measure)
    return list(session.scalars(statement.order_by(Reading.taken_at.desc(),
                                                   Reading.id.desc())).all())
