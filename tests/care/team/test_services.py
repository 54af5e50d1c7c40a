"""The wider team (CM-5) on SQLite and PostgreSQL: allocating a person to a wider-team
user and ending it, the person's team, care-plan actions assigned to a user kept in step
with every plan save (a status survives a new version), status updates by the assignee
or the person's case manager or GP, and each bad input naming its field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from ltc.care.auth.models import User
from ltc.care.careplans import services as plans
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.team import actions, services
from ltc.care.team.models import PlanAction, TeamAllocation

from ..care import IN_AREA, Community


def _store(community: Community):  # type: ignore[no-untyped-def]
    return unit_of_work(sessions(make_engine(community.url)))


def _user(s: Any, community: Community, name: str) -> User:
    user = s.get(User, community.users[name])
    assert user is not None
    return user


def _plan(*acts: dict[str, Any]) -> dict[str, Any]:
    return {"status": "draft", "goals": ["Stay at home"], "actions": list(acts)}


def test_allocation_is_made_once_ended_and_kept(community: Community) -> None:
    with _store(community) as s:
        matron = _user(s, community, "matron")
        row = services.allocate(s, IN_AREA, community.users["social"], " Care Act review ",
                                matron, on=date(2025, 4, 1))
        assert (row.user_id, row.allocated_by, row.reason, row.ended_on) == (
            community.users["social"], matron.id, "Care Act review", None)
        with pytest.raises(services.TeamError, match="already allocated"):
            services.allocate(s, IN_AREA, community.users["social"], "", matron)
        assert [m.user_id for m in services.team(s, IN_AREA)
                if m.user_id == community.users["social"]]
        with pytest.raises(services.TeamError, match="End date"):
            services.end(s, IN_AREA, row.user_id, matron, on=date(2025, 3, 1))
        services.end(s, IN_AREA, row.user_id, matron, on=date(2025, 4, 2))
        assert services.open_allocations(s, IN_AREA) == []
        assert s.scalar(select(func.count()).select_from(TeamAllocation)) == 1
        with pytest.raises(services.TeamError, match="not allocated to user"):
            services.end(s, IN_AREA, row.user_id, matron)


@pytest.mark.parametrize(("who", "to", "message"), [
    ("matron", "gp", "Allocate to: no active wider-team user"),  # a GP is not wider team
    ("matron", "nobody", "Allocate to: no active wider-team user"),
    ("analyst", "social", "Only a case manager or a GP"),
    ("social", "dnurse", "Only a case manager or a GP"),
])
def test_a_bad_allocation_says_why(community: Community, who: str, to: str,
                                   message: str) -> None:
    with _store(community) as s:
        by = _user(s, community, who)
        with pytest.raises(services.TeamError, match=message):
            services.allocate(s, IN_AREA, community.users.get(to, 999_999), "", by)


def test_the_team_is_allocated_users_case_manager_and_practice_clinicians(
        community: Community) -> None:
    with _store(community) as s:
        services.allocate(s, IN_AREA, community.users["dnurse"], "", _user(s, community, "gp"))
        ids = {m.user_id for m in services.team(s, IN_AREA)}
        # gp is of P1 (IN_AREA's practice); gp2 of P2; the social worker not allocated
        assert community.users["dnurse"] in ids
        assert community.users["gp"] in ids
        assert not ids & {community.users[n] for n in ("gp2", "social", "analyst")}


def test_assigned_actions_follow_the_newest_plan_and_keep_their_status(
        community: Community) -> None:
    social, dnurse = community.users["social"], community.users["dnurse"]
    with _store(community) as s:
        matron = _user(s, community, "matron")
        v1 = plans.save(s, IN_AREA, _plan(
            {"who": "Sam", "agency": "Adult social care", "what": "Care Act assessment",
             "by": "2025-05-01", "assignee": str(social)},
            {"who": "Jo", "what": "Weekly visit"}), 0, matron)
        key = v1.content["actions"][0]["key"]
        assert v1.content["actions"][0]["assignee"] == social
        assert v1.content["actions"][1]["assignee"] is None
        row = s.scalar(select(PlanAction))
        assert row is not None
        assert (row.key, row.assignee_id, row.status, row.due_on, row.plan_version) == (
            key, social, "open", date(2025, 5, 1), 1)
        actions.update_status(s, IN_AREA, key, "in_progress", "Visit booked",
                              _user(s, community, "social"))
        # a new version from the form keeps the key: the status survives
        v2 = plans.save(s, IN_AREA, _plan(
            {"who": "Sam", "what": "Care Act assessment", "assignee": social, "key": key},
            {"who": "Jo", "what": "Weekly visit", "assignee": dnurse}), 1, matron)
        rows = actions.of_person(s, IN_AREA)
        assert (rows[key].status, rows[key].note, rows[key].plan_version) == (
            "in_progress", "Visit booked", 2)
        second = v2.content["actions"][1]["key"]
        assert (rows[second].assignee_id, rows[second].status) == (dnurse, "open")
        # an API client that sends no key keeps the key of the action with the same words
        plans.save(s, IN_AREA, _plan({"who": "Sam", "what": "Care Act assessment",
                                      "assignee": social}), 2, matron)
        rows = actions.of_person(s, IN_AREA)
        assert [(k, r.status) for k, r in rows.items()] == [(key, "in_progress")]
        # reassigned: open again for the new assignee; unassigned: gone
        plans.save(s, IN_AREA, _plan({"who": "Jo", "what": "Care Act assessment",
                                      "assignee": dnurse, "key": key}), 3, matron)
        assert actions.of_person(s, IN_AREA)[key].status == "open"
        doc = plans.document(s, plans.PLANS.latest(s, IN_AREA))  # type: ignore[arg-type]
        assert (doc.actions[0].assignee, doc.actions[0].status) == ("Dnurse", "Open")
        old = plans.document(s, plans.PLANS.version(s, IN_AREA, 1))  # type: ignore[arg-type]
        assert (old.actions[0].assignee, old.actions[0].status) == ("Social", "")
        plans.save(s, IN_AREA, _plan({"who": "Jo", "what": "Care Act assessment",
                                      "key": key}), 4, matron)
        assert actions.of_person(s, IN_AREA) == {}


@pytest.mark.parametrize(("action", "message"), [
    ({"who": "A", "what": "B", "assignee": "x"}, "Action 1: assigned to must be a user's id"),
    ({"who": "A", "what": "B", "assignee": "999999"},
     "Action 1: assigned to: no active clinician or wider-team user"),
    ({"who": "A", "what": "B", "assignee": "analyst"},
     "Action 1: assigned to: no active clinician or wider-team user"),
    ({"who": "A", "what": "B", "key": "NOT A KEY"}, "Action 1: key must be"),
])
def test_a_bad_action_names_its_field_and_saves_nothing(community: Community,
                                                         action: dict[str, Any],
                                                         message: str) -> None:
    if action.get("assignee") == "analyst":
        action = {**action, "assignee": str(community.users["analyst"])}
    with _store(community) as s:
        with pytest.raises(plans.CarePlanError, match=message):
            plans.save(s, IN_AREA, _plan(action), 0, _user(s, community, "matron"))
        assert plans.PLANS.latest(s, IN_AREA) is None
        assert s.scalar(select(func.count()).select_from(PlanAction)) == 0


def test_only_the_assignee_or_the_case_manager_or_gp_update_a_status(
        community: Community) -> None:
    with _store(community) as s:
        matron = _user(s, community, "matron")
        v1 = plans.save(s, IN_AREA, _plan({"who": "Sam", "what": "Assess",
                                           "assignee": community.users["social"]}), 0, matron)
        key = v1.content["actions"][0]["key"]
        with pytest.raises(actions.ActionError, match="only the person it is assigned to"):
            actions.update_status(s, IN_AREA, key, "done", "", _user(s, community, "dnurse"))
        with pytest.raises(actions.ActionError, match="Status must be one of"):
            actions.update_status(s, IN_AREA, key, "finished", "",
                                  _user(s, community, "social"))
        with pytest.raises(actions.ActionError, match="Note: at most"):
            actions.update_status(s, IN_AREA, key, "done", "x" * 2001,
                                  _user(s, community, "social"))
        with pytest.raises(actions.ActionError, match="no assigned action"):
            actions.update_status(s, IN_AREA, "nokey", "done", "",
                                  _user(s, community, "social"))
        done = actions.update_status(s, IN_AREA, key, "done", " Assessed ",
                                     _user(s, community, "gp"))
        assert (done.status, done.note, done.updated_by) == ("done", "Assessed",
                                                            community.users["gp"])
        # one action per person, open first
        assert [(a.key, p.nhs_number) for a, p in actions.assigned_to(
            s, _user(s, community, "social"))] == [(key, IN_AREA)]
        assert actions.assigned_to(s, _user(s, community, "dnurse")) == []
        assert plans.PLANS.latest(s, IN_AREA).version == 1  # type: ignore[union-attr]
