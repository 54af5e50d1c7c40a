"""Integrated care co-ordination (VW-2, POP-5) on SQLite and PostgreSQL: referrals to a
locality's co-ordinators, their status, the contact attempt log and its link to the
case-management approach, and the co-ordinator's worklist."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from ltc.care.auth.models import User
from ltc.care.casemgmt.models import Approach, CaseloadEntry, CaseManager
from ltc.care.coordination import services as coordination
from ltc.care.coordination import worklist
from ltc.care.coordination.models import ContactAttempt
from ltc.care.db import make_engine, sessions, unit_of_work

from ..care import IN_AREA, IN_AREA_2, OTHER_AREA, Community

AT = datetime(2025, 4, 2, 10, 30)


def _user(s: object, community: Community, name: str) -> User:
    user = s.get(User, community.users[name])  # type: ignore[attr-defined]
    assert user is not None
    return user


def _store(community: Community):  # type: ignore[no-untyped-def]
    return unit_of_work(sessions(make_engine(community.url)))


def test_a_gp_refers_to_the_locality_and_a_second_live_referral_is_refused(
        community: Community) -> None:
    with _store(community) as s:
        gp2 = _user(s, community, "gp2")
        row = coordination.refer(s, OTHER_AREA, gp2, "  Lives alone, three falls  ",
                                 source="other")
        assert (row.source, row.locality_code, row.to_user_id, row.status, row.reason) == (
            "gp", "L2", None, "open", "Lives alone, three falls")
        with pytest.raises(coordination.CoordinationError) as e:
            coordination.refer(s, OTHER_AREA, gp2, "again")
        assert e.value.field == "nhs_number"
        assert "already has a referral open" in str(e.value)


@pytest.mark.parametrize(("reason", "source", "to", "field"), [
    ("", "hidden_population", None, "reason"),
    ("x" * 2001, "hidden_population", None, "reason"),
    ("why", "gp", None, "source"),  # a case manager's referral is not a GP's
    ("why", "hidden_population", "matron", "to_user"),  # a matron is not a co-ordinator
])
def test_a_bad_referral_names_its_field(community: Community, reason: str, source: str,
                                        to: str | None, field: str) -> None:
    with _store(community) as s:
        matron = _user(s, community, "matron")
        with pytest.raises(coordination.CoordinationError) as e:
            coordination.refer(s, IN_AREA, matron, reason, source=source,
                               to_user_id=community.users[to] if to else None)
        assert e.value.field == field
        assert str(e.value).startswith(f"{field}: ")


def test_a_referral_is_accepted_then_closed_and_cannot_be_reopened(
        community: Community) -> None:
    with _store(community) as s:
        matron, matron2 = _user(s, community, "matron"), _user(s, community, "matron2")
        coordination.refer(s, OTHER_AREA, matron, "Hidden", source="hidden_population",
                           to_user_id=matron2.id)
        assert coordination.set_status(s, OTHER_AREA, "accepted", matron2).status == "accepted"
        with pytest.raises(coordination.CoordinationError, match="may become closed"):
            coordination.set_status(s, OTHER_AREA, "declined", matron2)
        done = coordination.set_status(s, OTHER_AREA, "closed", matron2)
        assert (done.status, done.closed_by) == ("closed", matron2.id)
        assert done.closed_at is not None
        with pytest.raises(coordination.CoordinationError, match="no open or accepted"):
            coordination.set_status(s, OTHER_AREA, "accepted", matron2)
        # closed: the person may be referred again
        assert coordination.refer(s, OTHER_AREA, matron, "Again",
                                  source="mdt").status == "open"


@pytest.mark.parametrize(("method", "outcome", "at", "field"), [
    ("pigeon", "reached", AT, "method"),
    ("phone", "maybe", AT, "outcome"),
    ("phone", "reached", datetime.now() + timedelta(days=2), "at"),
    ("phone", "declined", AT, "review_on"),  # declined needs a review date
])
def test_a_bad_attempt_names_its_field_and_saves_nothing(
        community: Community, method: str, outcome: str, at: datetime, field: str) -> None:
    with _store(community) as s:
        matron = _user(s, community, "matron")
        with pytest.raises(coordination.CoordinationError) as e:
            coordination.log_attempt(s, IN_AREA, matron, at, method, outcome)
        assert e.value.field == field
        s.rollback()
        assert coordination.attempts(s, IN_AREA) == []


def test_a_declined_attempt_records_the_declined_approach(community: Community) -> None:
    with _store(community) as s:
        matron = _user(s, community, "matron")
        s.add(CaseloadEntry(nhs_number=IN_AREA, user_id=matron.id, started_on=date(2025, 1, 1),
                            allocated_by=matron.id))
        s.flush()
        coordination.log_attempt(s, IN_AREA, matron, AT, "visit", "declined", "Not now",
                                 review_on=date(2025, 10, 1))
        approach = s.scalars(select(Approach).where(Approach.nhs_number == IN_AREA)).one()
        assert (approach.outcome, approach.on, approach.review_on) == (
            "declined", AT.date(), date(2025, 10, 1))
        entry = s.scalars(select(CaseloadEntry)).one()
        assert entry.ended_on == AT.date()  # the approach's own rule: off the caseload


def test_three_unanswered_attempts_in_a_row_suggest_uncontactable(
        community: Community) -> None:
    with _store(community) as s:
        matron = _user(s, community, "matron")
        outcomes = ["no_answer", "reached", "no_answer", "left_message"]
        for i, outcome in enumerate(outcomes):
            coordination.log_attempt(s, IN_AREA, matron, AT + timedelta(days=i), "phone",
                                     outcome)
        log = coordination.attempts(s, IN_AREA)
        assert [a.outcome for a in log] == list(reversed(outcomes))
        assert coordination.unanswered_in_a_row(log) == 2
        assert not coordination.suggests_uncontactable(log, [])
        coordination.log_attempt(s, IN_AREA, matron, AT + timedelta(days=4), "letter",
                                 "wrong_number")
        log = coordination.attempts(s, IN_AREA)
        assert coordination.suggests_uncontactable(log, coordination.approaches(s, IN_AREA))
        # an approach recorded since the newest attempt answers the suggestion
        s.add(Approach(nhs_number=IN_AREA, user_id=matron.id, on=(AT + timedelta(days=4)).date(),
                       outcome="uncontactable"))
        s.flush()
        assert not coordination.suggests_uncontactable(log, coordination.approaches(s, IN_AREA))


def test_is_coordinator_reads_the_job_title(community: Community) -> None:
    with _store(community) as s:
        assert coordination.is_coordinator(s.get(CaseManager, community.users["matron2"]))
        assert not coordination.is_coordinator(s.get(CaseManager, community.users["matron"]))
        assert not coordination.is_coordinator(None)
        assert coordination.is_coordinator(CaseManager(job_title="Integrated Care Coordinator"))


def test_the_worklist_holds_identified_and_referred_people_with_the_last_attempt(
        community: Community) -> None:
    with _store(community) as s:
        matron, matron2 = _user(s, community, "matron"), _user(s, community, "matron2")
        gp = _user(s, community, "gp")
        assert worklist.worklist(s, matron) is None  # not a co-ordinator
        # identified by the tool: OTHER_AREA (level 3 in L2, on no caseload)
        items = worklist.worklist(s, matron2)
        assert items is not None
        assert [(i.nhs_number, i.sources, i.last_attempt) for i in items] == [
            (OTHER_AREA, (worklist.TOOL,), None)]
        # IN_AREA_2 lives in L1: referred to matron2 by name, it is on her list too
        coordination.refer(s, IN_AREA_2, gp, "Carer struggling", to_user_id=matron2.id)
        coordination.refer(s, OTHER_AREA, matron, "Hidden", source="hidden_population")
        coordination.refer(s, IN_AREA, gp, "Not hers: to L1's co-ordinators")
        for i, outcome in enumerate(("no_answer", "reached")):
            coordination.log_attempt(s, OTHER_AREA, matron2, AT + timedelta(hours=i),
                                     "phone", outcome)
        items = worklist.worklist(s, matron2)
        assert items is not None
        got = {i.nhs_number: i for i in items}
        assert list(got) == [IN_AREA_2, OTHER_AREA]  # referrals first, oldest first
        assert got[IN_AREA_2].sources == ("Referred by a GP",)
        assert got[OTHER_AREA].sources == ("Hidden populations", worklist.TOOL)
        last = got[OTHER_AREA].last_attempt
        assert last is not None
        assert last.outcome == "reached"
        assert got[IN_AREA_2].last_attempt is None
        # a closed referral leaves the list; one on a caseload is no longer identified
        coordination.set_status(s, IN_AREA_2, "declined", matron2)
        s.execute(update(CaseManager).where(CaseManager.user_id == matron2.id)
                  .values(job_title="Integrated care co-ordinator"))
        items = worklist.worklist(s, matron2)
        assert items is not None
        assert [i.nhs_number for i in items] == [OTHER_AREA]
        assert s.scalar(select(ContactAttempt.id).limit(1)) is not None
