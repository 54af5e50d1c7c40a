"""What an applied event means for whom (CM-8, CM-9, DM-5, STRAT-2): the alert rules
(``ltc.care.events.rules``, configurable) turned into alerts, tasks, flags and
notifications for one person's event, in the caller's transaction. See
:mod:`ltc.care.events.services` for the rules in words."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import Role, User
from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.db import now, uk_time
from ltc.care.events.feed import Event
from ltc.care.events.models import (
    Alert,
    CareEvent,
    Flag,
    Notification,
    PersonLink,
)
from ltc.care.events.outcome import Outcome
from ltc.care.events.rules import Rules
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.care.work.models import Task
from ltc.codes import nhs_number as nhs


def when_words(value: datetime) -> str:
    """A stored time as people read it, in UK time."""
    local = uk_time(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


class AlertRules:
    """The alert rules for one applied event of one person."""

    def __init__(self, session: Session, rules: Rules, person: Person, event: CareEvent,
                 outcome: Outcome) -> None:
        self.session, self.rules, self.person = session, rules, person
        self.event, self.outcome = event, outcome
        self.case_manager = session.scalar(
            select(CaseloadEntry.user_id).where(CaseloadEntry.nhs_number == person.nhs_number,
                                                CaseloadEntry.ended_on.is_(None)).limit(1))
        current = select(StratRun.id).where(StratRun.current.is_(True)).scalar_subquery()
        self.result = session.scalar(  # a primary-key read, whatever the planner knows
            select(PersonResult).where(PersonResult.run_id == current,
                                       PersonResult.nhs_number == person.nhs_number))

    def run(self, event: Event) -> None:
        kind = self.event.kind
        self._links(event.links)
        if kind == "admission":
            self._admission()
        elif kind == "discharge":
            self._discharge()
        elif kind in ("cancel_admission", "cancel_discharge"):
            self._cancel("admission" if kind == "cancel_admission" else "discharge")
        elif kind == "ambulance":
            self._ambulance()
        if self.event.died and not self._death_known():
            self._death()

    # -- what the rules make -------------------------------------------------------
    def _alert(self, kind: str, title: str, *, user_id: int | None = None,
               practice: bool = False, person: Person | None = None) -> None:
        who = person or self.person
        if practice and not who.practice_code:
            return
        alert = Alert(nhs_number=who.nhs_number, kind=kind, title=title[:300],
                      event_id=self.event.id, user_id=None if practice else user_id,
                      practice_code=who.practice_code if practice else None)
        self.session.add(alert)
        self.session.flush()
        recipients = [user_id] if user_id and not practice else list(self.session.scalars(
            select(User.id).where(User.role == Role.PRACTICE_CLINICIAN.value,
                                  User.practice_code == who.practice_code,
                                  User.active.is_(True))))
        for uid in recipients:
            self.session.add(Notification(alert_id=alert.id, user_id=uid))
        self.outcome.alerts.append(alert.id)

    def _task(self, kind: str, title: str, working_days: int) -> None:
        assert self.case_manager is not None
        due = self.rules.add_working_days(uk_time(self.event.occurred_at).date(), working_days)
        task = Task(nhs_number=self.person.nhs_number, assigned_to=self.case_manager,
                    title=title[:300], due_on=due, created_by=None, kind=kind,
                    event_id=self.event.id)
        self.session.add(task)
        self.session.flush()
        self.outcome.tasks.append(task.id)

    def _flag(self, kind: str, reason: str, person: Person | None = None) -> bool:
        who = person or self.person
        open_flag = self.session.scalar(select(Flag.id).where(
            Flag.nhs_number == who.nhs_number, Flag.kind == kind, Flag.cleared_at.is_(None)))
        if open_flag is not None:
            return False
        flag = Flag(nhs_number=who.nhs_number, kind=kind, reason=reason[:300],
                    event_id=self.event.id)
        self.session.add(flag)
        self.session.flush()
        self.outcome.flags.append(flag.id)
        return True

    def _practice_level(self) -> bool:
        return (self.result is not None
                and self.result.level in self.rules.practice_alert_levels)

    def _where(self) -> str:
        parts = [p for p in (self.event.location, self.event.facility) if p]
        return f" ({', '.join(parts)})" if parts else ""

    # -- the rules -------------------------------------------------------------------
    def _admission(self) -> None:
        when = when_words(self.event.occurred_at)
        how = {True: "Unplanned admission", False: "Planned admission",
               None: "Admission"}[self.event.unplanned]
        if self.case_manager is not None:
            if self.rules.alert_case_manager:
                self._alert("admission", f"{how} on {when}{self._where()}: begin discharge "
                            "planning", user_id=self.case_manager)
                self._task("discharge_planning", "Discharge planning: keep in touch while in "
                           f"hospital{self._where()}",
                           self.rules.discharge_planning_working_days)
            if self.event.unplanned and self.rules.review:
                self._task("admission_review", f"Avoidable admission review: unplanned "
                           f"admission on {when} (primary, secondary and social care)",
                           self.rules.review_working_days)
        elif self._practice_level():
            self._alert("practice_admission", f"{how} on {when}{self._where()}",
                        practice=True)

    def _discharge(self) -> None:
        when = when_words(self.event.occurred_at)
        days = self.rules.follow_up_working_days
        due = self.rules.add_working_days(uk_time(self.event.occurred_at).date(), days)
        if self.case_manager is not None:
            self._task("follow_up", f"Follow-up contact after discharge on {when}{self._where()}",
                       days)
        elif self._practice_level():
            self._alert("practice_discharge", f"Discharged on {when}{self._where()}: follow "
                        f"up by {due.day} {due:%B %Y}", practice=True)

    def _cancel(self, kind: str) -> None:
        q = (select(CareEvent).where(CareEvent.nhs_number == self.person.nhs_number,
                                     CareEvent.kind == kind, CareEvent.cancelled_at.is_(None),
                                     CareEvent.id != self.event.id)
             .order_by(CareEvent.occurred_at.desc(), CareEvent.id.desc()).limit(1))
        if self.event.spell_id:
            q = q.where(CareEvent.spell_id == self.event.spell_id)
        target = self.session.scalar(q)
        if target is None:
            return
        targets = [target]
        if kind == "admission" and target.spell_id:  # no admission, so no discharge either
            targets += self.session.scalars(select(CareEvent).where(
                CareEvent.nhs_number == self.person.nhs_number,
                CareEvent.kind == "discharge", CareEvent.spell_id == target.spell_id,
                CareEvent.cancelled_at.is_(None)))
        stamp = now()
        for cancelled in targets:
            cancelled.cancelled_at = stamp
            for alert in self.session.scalars(select(Alert).where(
                    Alert.event_id == cancelled.id, Alert.cancelled_at.is_(None))):
                alert.cancelled_at = stamp
            for task in self.session.scalars(select(Task).where(
                    Task.event_id == cancelled.id, Task.done_at.is_(None),
                    Task.cancelled_at.is_(None))):
                task.cancelled_at = stamp
        self.session.flush()

    def _has_ltc(self) -> bool:
        return self.result is not None and (bool(self.result.registers)
                                            or (self.result.ltc_count or 0) > 0)

    def _ambulance(self) -> None:
        when = when_words(self.event.occurred_at)
        if self.event.conveyed is False and self.rules.non_conveyance_alert and self._has_ltc():
            self._alert("ambulance_not_conveyed", f"Ambulance attended on {when}; not taken "
                        "to hospital", practice=True)
        busiest = self._busiest_window()
        if busiest is not None:
            calls, last = busiest
            reason = (f"{calls} ambulance calls in {self.rules.frequent_caller_days} days "
                      f"(to {when_words(last)})")
            if self._flag("frequent_caller", reason):
                self._alert("frequent_caller", f"Frequent ambulance caller: {reason}",
                            practice=True)
                if self.case_manager is not None:
                    self._alert("frequent_caller", f"Frequent ambulance caller: {reason}",
                                user_id=self.case_manager)

    def _busiest_window(self) -> tuple[int, datetime] | None:
        """The calls, and the last of them, of a window of ``frequent_caller_days`` that
        holds this call and at least ``frequent_caller_calls`` calls; None if there is
        none. Every window holding this call is looked at, as incidents may arrive out of
        order (a late one can complete a window that ends after it)."""
        span = timedelta(days=self.rules.frequent_caller_days)
        at = self.event.occurred_at
        times = sorted(self.session.scalars(select(CareEvent.occurred_at).where(
            CareEvent.nhs_number == self.person.nhs_number, CareEvent.kind == "ambulance",
            CareEvent.cancelled_at.is_(None), CareEvent.occurred_at > at - span,
            CareEvent.occurred_at < at + span)))
        for last in (t for t in times if t >= at):  # each window (last - span, last]
            calls = sum(1 for t in times if last - span < t <= last)
            if calls >= self.rules.frequent_caller_calls:
                return calls, last
        return None

    def _links(self, links: tuple[tuple[str, str], ...]) -> None:
        for related, relationship in links:
            if related == self.person.nhs_number or not nhs.is_valid(related):
                continue
            link = self.session.get(PersonLink, (self.person.nhs_number, related))
            if link is None:
                self.session.add(PersonLink(nhs_number=self.person.nhs_number,
                                            related_nhs_number=related,
                                            relationship=relationship))
            else:
                link.relationship = relationship
        self.session.flush()

    def _death_known(self) -> bool:
        """Whether an earlier message already told of this person's death (an update or a
        discharge after it repeats it): the people it bereaved are flagged once."""
        return self.session.scalar(select(exists().where(
            CareEvent.nhs_number == self.person.nhs_number, CareEvent.died.is_(True),
            CareEvent.cancelled_at.is_(None), CareEvent.id != self.event.id))) or False

    def _death(self) -> None:
        if not self.rules.bereavement_flag:
            return
        when = when_words(self.event.occurred_at)
        for link in self.session.scalars(select(PersonLink).where(
                PersonLink.related_nhs_number == self.person.nhs_number)).all():
            other = self.session.get(Person, link.nhs_number)
            if other is None or other.date_of_death is not None:
                continue
            carer = link.relationship in self.rules.carer_relationships
            kind = "carer_died" if carer else "bereaved"
            reason = (f"Their carer died on {when}: review" if carer
                      else f"Bereaved on {when} (relationship {link.relationship}): review")
            if not self._flag(kind, reason, other):
                continue
            manager = self.session.scalar(select(CaseloadEntry.user_id).where(
                CaseloadEntry.nhs_number == other.nhs_number,
                CaseloadEntry.ended_on.is_(None)).limit(1))
            if manager is not None:
                self._alert("bereavement", reason, user_id=manager, person=other)
            else:
                self._alert("bereavement", reason, practice=True, person=other)


# -- the review queue and the quarantine -------------------------------------------------
