"""Query-count baselines: the worklist, the caseload, the person page, the inbox and an MDT
meeting's agenda each cost a fixed number of SQL statements, whatever the number of rows
behind them.

Each page is requested on a small community (``SMALL`` of each thing: candidates, people on
the caseload, alerts, and a person's approaches, contacts, tasks, referrals, survey
responses, assessments, nominations, care plan versions, hospital events, alerts, flags and
admission reviews) and again after it has grown to four times that; the statements the
app's engine sends (SQLAlchemy's ``before_cursor_execute``) are counted. A page fails when
its count grows with the rows, or differs from its baseline here (a page that now needs
fewer statements should lower its baseline).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from ltc.care.assessment.models import Assessment
from ltc.care.careplans.models import CarePlanVersion
from ltc.care.casemgmt.models import Approach, CaseloadEntry, Nomination
from ltc.care.db import unit_of_work
from ltc.care.events.models import AdmissionReview, Alert, CareEvent, Flag, InboundMessage
from ltc.care.people.models import Person, PersonResult
from ltc.care.work.models import Contact, Referral, SurveyResponse, Task
from ltc.codes.nhs_number import check_digit

from .care import IN_AREA, Community, signed_in

SMALL = 3
PAGES = ("/worklist", "/caseload", f"/people/{IN_AREA}", "/inbox")
#: statements per page: sign-in, the page's reads (the person page: access, one read of
#: the person with their run, result, activity and caseload entry and which lists hold
#: anything, each of the 12 lists, the case managers suggested for someone on no
#: caseload, the banner's carers), the header's unread count, and on SQLite the audit
#: chain's last link and one INSERT (PostgreSQL's audit write goes to the driver, which
#: the count does not see: the chain's lock and last link in one round trip, then the rows)
BASELINE = {"postgresql": dict(zip(PAGES, (5, 4, 21, 5), strict=True)),
            "sqlite": dict(zip(PAGES, (8, 7, 24, 8), strict=True))}


def _numbers(start: int, count: int) -> Iterator[str]:
    """Valid NHS numbers from 8000000000 + 10 * start on."""
    n = 800_000_000 + start
    while count:
        digit = check_digit(str(n))
        if digit is not None:
            yield f"{n}{digit}"
            count -= 1
        n += 1


def grow(app: Any, community: Community, first: int, count: int) -> None:
    """``count`` more of everything each page lists, numbered from ``first``."""
    matron = community.users["matron"]
    at = datetime(2025, 4, 1, 9, tzinfo=UTC)
    with unit_of_work(app.state.sessions) as s:
        run = s.scalar(select(PersonResult.run_id).limit(1))
        numbers = list(_numbers(first * 2, count * 2))
        for i, nhs in enumerate(numbers):
            s.add(Person(nhs_number=nhs, date_of_birth=date(1940, 1, 1), sex="M",
                         practice_code="P1", locality_code="L1", given_name="Ann",
                         family_name=f"Smith{i}"))
            s.add(PersonResult(run_id=run, nhs_number=nhs, level=3, locality_code="L1",
                               practice_code="P1", level_basis="case-finding rules met",
                               reasons="Castlefields: Aged 65 or over", risk=0.5 + i / 1000,
                               risk_percentile=98.0, age=85, ltc_count=3, registers="copd"))
        s.flush()
        managed = numbers[count:]  # the others stay candidates
        message = InboundMessage(feed="hl7v2", sender="test", status="applied", raw="-")
        s.add(message)
        s.flush()
        for i, nhs in enumerate(managed):
            s.add(CaseloadEntry(nhs_number=nhs, user_id=matron, started_on=date(2025, 4, 1),
                                allocated_by=matron))
            s.add(Alert(nhs_number=nhs, kind="admission", title=f"Admitted {i}",
                        user_id=matron, created_at=at + timedelta(minutes=i)))
        for i in range(count):
            when = at + timedelta(days=first + i)
            on = when.date()
            care_event = CareEvent(message_id=message.id, nhs_number=IN_AREA,
                                   kind="admission", occurred_at=when)
            s.add(care_event)
            s.flush()
            s.add_all([
                Approach(nhs_number=IN_AREA, user_id=matron, on=on, outcome="agreed"),
                Contact(nhs_number=IN_AREA, user_id=matron, on=on, kind="telephone",
                        outcome=f"spoke {i}"),
                Task(nhs_number=IN_AREA, assigned_to=matron, title=f"task {i}", due_on=on),
                Referral(nhs_number=IN_AREA, user_id=matron, service="home_care",
                         reason="help", on=on),
                SurveyResponse(nhs_number=IN_AREA, on=on, satisfaction=4,
                               recorded_by=matron),
                Assessment(nhs_number=IN_AREA, version=first + i + 1, author_id=matron,
                           answers={}, scores={}, notes={}),
                CarePlanVersion(nhs_number=IN_AREA, version=first + i + 1, author_id=matron,
                                status="draft", content={"goals": ["walk"]}),
                Nomination(nhs_number=IN_AREA, action="nominate", reason="frail",
                           user_id=community.users["gp"]),
                Alert(nhs_number=IN_AREA, kind="admission", title="Admitted",
                      event_id=care_event.id, user_id=matron, created_at=when),
                Flag(nhs_number=IN_AREA, kind="bereaved", reason="carer died"),
                AdmissionReview(event_id=care_event.id, nhs_number=IN_AREA,
                                sector="primary", avoidable="no", recorded_by=matron, on=on),
            ])


@contextmanager
def counting(engine: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def counts(app: Any, client: Any) -> dict[str, int]:
    out = {}
    for path in PAGES:
        with counting(app.state.engine) as statements:
            r = client.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        out[path] = len(statements)
    return out


def test_pages_cost_the_same_statements_whatever_the_rows(app: Any,
                                                           community: Community) -> None:
    matron = signed_in(app, "matron")
    grow(app, community, 0, SMALL)
    small = counts(app, matron)
    page = matron.get(f"/people/{IN_AREA}").text
    assert page.count("task ") >= SMALL  # the lists are shown
    assert "Admitted" in page
    grow(app, community, SMALL, 3 * SMALL)
    large = counts(app, matron)
    page = matron.get(f"/people/{IN_AREA}").text
    assert f"task {3 * SMALL - 1}" in page
    assert large == small, f"statements grew with the rows: {small} -> {large}"
    assert small == BASELINE[app.state.engine.dialect.name], f"baseline changed: {small}"


#: an MDT meeting's agenda page (DM-4), for a GP of the practice: sign-in, the meeting, its
#: attendees, its lines with each person, their result and case manager, the actions with
#: their tasks, the users it names or offers, the header's unread count, and on SQLite the
#: audit chain's last link and one INSERT (one ``list`` row per person shown)
AGENDA_BASELINE = {"postgresql": 7, "sqlite": 10}


def test_the_mdt_agenda_costs_the_same_statements_whatever_its_length(
        app: Any, community: Community) -> None:
    gp = signed_in(app, "gp")

    def agenda(held_on: date) -> tuple[int, int]:
        """Make a meeting held on ``held_on`` (no earlier meeting: every level-3 person of
        the practice is new), then read its page: (lines, statements)."""
        r = gp.post("/mdt", data={"held_on": held_on.isoformat()}, follow_redirects=False)
        assert r.status_code == 303, r.text[-500:]
        path = r.headers["location"].split("?")[0]
        with counting(app.state.engine) as statements:
            page = gp.get(path)
        assert page.status_code == 200
        return page.text.count('class="nhsuk-card" id="item-'), len(statements)

    grow(app, community, 0, SMALL)
    small_lines, small = agenda(date.today())
    grow(app, community, SMALL, 3 * SMALL)
    large_lines, large = agenda(date.today() - timedelta(days=1))
    assert (small_lines, large_lines) == (2 + 2 * SMALL, 25)  # the cap on new entrants
    assert large == small, f"statements grew with the agenda: {small} -> {large}"
    assert small == AGENDA_BASELINE[app.state.engine.dialect.name], f"baseline: {small}"


#: the recall list (DM-2) of a practice clinician, when it is not kept: sign-in, the
#: change counter (ltc.care.recall.lists.kept_list), the page's reads (the run, the
#: outbox's waiting messages, the page's people with their first due date and how many in
#: all (one statement when filtered), then the people, their items, invitations and
#: reviews), the header's unread count and the audit rows (SQLite: the chain's last link
#: and one INSERT), without filters (from the summary rows) and filtered (from the items)
RECALL_PAGES = ("/recall", "/recall?status=overdue&condition=copd")
RECALL_BASELINE = {"postgresql": dict(zip(RECALL_PAGES, (11, 10), strict=True)),
                   "sqlite": dict(zip(RECALL_PAGES, (14, 13), strict=True))}


def grow_recall(app: Any, community: Community, first: int, count: int) -> None:
    """``count`` more people of practice P1 due for two items, invited twice, with a
    review recorded, numbered from ``first``."""
    from ltc.care.recall.models import Invitation, RecallItem, RecallPerson, RecallReview

    gp = community.users["gp"]
    with unit_of_work(app.state.sessions) as s:
        run = s.scalar(select(PersonResult.run_id).limit(1))
        for i, nhs in enumerate(_numbers(10_000 + first, count)):
            s.add(Person(nhs_number=nhs, practice_code="P1", locality_code="L1",
                         given_name="Ann", family_name=f"Due{i}"))
            for item, status in (("review", "overdue"), ("spirometry", "due")):
                s.add(RecallItem(run_id=run, nhs_number=nhs, condition="copd", item=item,
                                 practice_code="P1", status=status,
                                 due_on=date(2025, 1, 1) + timedelta(days=first + i)))
            s.add(RecallPerson(run_id=run, nhs_number=nhs, practice_code="P1",
                               first_due_on=date(2025, 1, 1) + timedelta(days=first + i),
                               due_items=2))
            for day in (1, 9):
                s.add(Invitation(nhs_number=nhs, practice_code="P1", on=date(2025, 4, day),
                                 channels="letter", items=[], by=gp))
            s.add(RecallReview(nhs_number=nhs, condition="copd", item="inhaler_technique",
                               label="Inhaler technique", outcome="done",
                               on=date(2024, 6, 1), status="done", by=gp))


def test_the_recall_list_costs_the_same_statements_whatever_the_rows(
        app: Any, community: Community) -> None:
    gp = signed_in(app, "gp")
    grow_recall(app, community, 0, SMALL)

    def recall_counts() -> dict[str, int]:
        out = {}
        for path in RECALL_PAGES:
            with counting(app.state.engine) as statements:
                r = gp.get(path)
            assert r.status_code == 200, (path, r.text[:500])
            assert r.text.count("Spirometry (FEV1, FVC)") >= SMALL  # the rows are shown
            out[path] = len(statements)
        return out

    small = recall_counts()
    grow_recall(app, community, SMALL, 3 * SMALL)
    large = recall_counts()
    assert gp.get("/recall").text.count('name="only"') == 4 * SMALL
    assert large == small, f"statements grew with the rows: {small} -> {large}"
    assert small == RECALL_BASELINE[app.state.engine.dialect.name], f"baseline changed: {small}"
