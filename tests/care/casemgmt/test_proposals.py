"""Rebalancing proposals (CM-2) on SQLite and PostgreSQL: saved from the preview, approved
only by a team lead of the locality (every move in one transaction, an audit row per person
moved; refused whole when the caseloads changed; a failure part-way leaves nothing moved),
undone while nobody in it has moved since; the admin's form sets the team-lead flag."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ltc.care.audit.models import AuditEvent
from ltc.care.auth import services as auth
from ltc.care.auth.models import Role, User
from ltc.care.casemgmt import proposals, services
from ltc.care.casemgmt.balance import Move
from ltc.care.casemgmt.models import CaseloadEntry, CaseManager, RebalanceProposal
from ltc.care.db import make_engine, sessions, unit_of_work

from ..care import IN_AREA, IN_AREA_2, LOW, PASSWORD, Community, db, signed_in

TODAY = date(2025, 4, 1)


def _setup(community: Community) -> int:
    """Three L1 people on the matron's caseload; a team lead of L1 with none. The lead."""
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        lead = auth.create_user(s, "lead", "Lead", Role.CASE_MANAGER, PASSWORD)
        s.add(CaseManager(user_id=lead.id, job_title="Team lead matron", locality_code="L1",
                          team_lead=True))
        s.flush()
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        for nhs in (IN_AREA, IN_AREA_2, LOW):
            services.allocate(s, nhs, matron.id, matron, TODAY)
        lead_id = lead.id
    engine.dispose()
    return lead_id


def _open(url: str) -> dict[str, int]:
    with db(url) as s:
        return {e.nhs_number: e.user_id for e in s.scalars(
            select(CaseloadEntry).where(CaseloadEntry.ended_on.is_(None)))}


def _saved(app: object) -> None:
    r = signed_in(app, "matron").post("/caseloads/proposals", follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/caseloads/proposals?note=saved"


def _newest(url: str) -> RebalanceProposal:
    with db(url) as s:
        found = s.scalars(select(RebalanceProposal).order_by(RebalanceProposal.id.desc()))
        return found.first()  # type: ignore[return-value]


def test_a_team_lead_approves_every_move_at_once_each_audited(
        app: object, community: Community) -> None:
    lead = _setup(community)
    _saved(app)
    proposal = _newest(community.url)
    with db(community.url) as s:
        moves = proposals.moves_of(s, [proposal.id])[proposal.id]
    assert moves
    assert all(m.to_user == lead for m in moves)
    client = signed_in(app, "lead")
    listed = client.get("/caseloads/proposals")
    assert f"Approve proposal {proposal.id}" in listed.text
    r = client.post(f"/caseloads/proposals/{proposal.id}/approve", follow_redirects=False)
    assert r.status_code == 303, r.text
    now_open = _open(community.url)
    assert {m.nhs_number for m in moves} == {n for n, u in now_open.items() if u == lead}
    assert len(now_open) == 3  # nobody lost
    with db(community.url) as s:
        rows = s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.what == f"POST /caseloads/proposals/{proposal.id}/approve")).all()
        ended = s.scalars(select(CaseloadEntry).where(
            CaseloadEntry.ended_on.is_not(None))).all()
    assert sorted(n for n in rows if n) == sorted(m.nhs_number for m in moves)
    assert {e.nhs_number for e in ended} == {m.nhs_number for m in moves}
    assert _newest(community.url).status == "approved"


def test_only_a_team_lead_of_the_locality_may_approve(app: object,
                                                      community: Community) -> None:
    _setup(community)
    _saved(app)
    proposal = _newest(community.url)
    before = _open(community.url)
    r = signed_in(app, "matron").post(f"/caseloads/proposals/{proposal.id}/approve")
    assert r.status_code == 403
    assert "team lead" in r.text
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:  # a lead elsewhere is no lead here
        cm = s.get(CaseManager, community.users["matron2"])
        assert cm is not None
        cm.team_lead = True
    engine.dispose()
    assert signed_in(app, "matron2").post(
        f"/caseloads/proposals/{proposal.id}/approve").status_code == 403
    assert _open(community.url) == before
    assert _newest(community.url).status == "proposed"


def test_approval_is_refused_whole_when_a_person_has_moved_since(
        app: object, community: Community) -> None:
    _setup(community)
    _saved(app)
    proposal = _newest(community.url)
    with db(community.url) as s:
        moved = proposals.moves_of(s, [proposal.id])[proposal.id][0].nhs_number
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        services.discharge(s, moved, TODAY, "moved away")
    engine.dispose()
    before = _open(community.url)
    r = signed_in(app, "lead").post(f"/caseloads/proposals/{proposal.id}/approve")
    assert r.status_code == 409
    assert "nothing was moved" in r.text
    assert moved in r.text
    assert _open(community.url) == before
    assert _newest(community.url).status == "proposed"


def test_approval_refused_when_a_receiver_would_go_over_their_cap(
        app: object, community: Community) -> None:
    lead = _setup(community)
    _saved(app)
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        cm = s.get(CaseManager, lead)
        assert cm is not None
        cm.hard_stop = 0
    engine.dispose()
    before = _open(community.url)
    r = signed_in(app, "lead").post(f"/caseloads/proposals/{_newest(community.url).id}/approve")
    assert r.status_code == 409
    assert "over their cap" in r.text
    assert _open(community.url) == before


def test_a_failure_part_way_through_an_approval_moves_nobody(community: Community) -> None:
    lead_id = _setup(community)
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        matron.active = False  # a leaver: everyone moves
        s.flush()
        pid = proposals.save(s, matron).proposal.id
    before = _open(community.url)
    calls: list[str] = []

    def fail_on_second(nhs: str) -> None:
        calls.append(nhs)
        if len(calls) == 2:
            raise RuntimeError("the store went away")

    with unit_of_work(sessions(engine)) as s:
        assert len(proposals.moves_of(s, [pid])[pid]) >= 2

    def approve() -> None:
        with unit_of_work(sessions(engine)) as s:
            lead = s.get(User, lead_id)
            assert lead is not None
            proposals.approve(s, pid, lead, TODAY, on_person=fail_on_second)

    with pytest.raises(RuntimeError):
        approve()
    engine.dispose()
    assert len(calls) == 2  # the first move had been made when the failure came
    assert _open(community.url) == before
    assert _newest(community.url).status == "proposed"


def test_the_lead_undoes_an_approved_proposal_until_a_later_change(
        app: object, community: Community) -> None:
    _setup(community)
    before = _open(community.url)
    _saved(app)
    pid = _newest(community.url).id
    client = signed_in(app, "lead")
    assert client.post(f"/caseloads/proposals/{pid}/approve",
                       follow_redirects=False).status_code == 303
    assert _open(community.url) != before
    r = client.post(f"/caseloads/proposals/{pid}/undo", follow_redirects=False)
    assert r.status_code == 303, r.text
    assert _open(community.url) == before
    with db(community.url) as s:
        audited = s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.what == f"POST /caseloads/proposals/{pid}/undo")).all()
    assert audited
    assert all(audited)
    # a second approval, then a discharge of someone it moved: undo is refused, whole
    _saved(app)
    pid2 = _newest(community.url).id
    assert client.post(f"/caseloads/proposals/{pid2}/approve",
                       follow_redirects=False).status_code == 303
    with db(community.url) as s:
        moved = proposals.moves_of(s, [pid2])[pid2][0].nhs_number
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        services.discharge(s, moved, date.today(), "died")
    engine.dispose()
    after = _open(community.url)
    r = client.post(f"/caseloads/proposals/{pid2}/undo")
    assert r.status_code == 409
    assert "nothing was undone" in r.text
    assert _open(community.url) == after


def test_saving_with_nothing_to_move_is_refused_clearly(app: object,
                                                        community: Community) -> None:
    r = signed_in(app, "matron").post("/caseloads/proposals")
    assert r.status_code == 422
    assert "No moves are needed" in r.text


def test_the_administrator_sets_the_team_lead_flag(app: object, community: Community) -> None:
    client = signed_in(app, "admin")
    uid = community.users["matron"]
    form = {"job_title": "Community matron", "locality_code": "L1", "practices": "P1",
            "capacity": "50", "team_lead": "yes"}
    assert client.post(f"/admin/users/{uid}/profile", data=form,
                       follow_redirects=False).status_code == 303
    with db(community.url) as s:
        assert s.get(CaseManager, uid).team_lead  # type: ignore[union-attr]
    assert 'id="team_lead" name="team_lead" type="checkbox" value="yes" checked' in \
        client.get(f"/admin/users/{uid}").text
    bad = client.post(f"/admin/users/{uid}/profile", data=form | {"team_lead": "maybe"})
    assert bad.status_code == 422
    assert "Team lead" in bad.text
    form.pop("team_lead")
    client.post(f"/admin/users/{uid}/profile", data=form)
    with db(community.url) as s:
        assert not s.get(CaseManager, uid).team_lead  # type: ignore[union-attr]


def test_a_person_moved_twice_by_the_proposal_is_saved_as_one_move() -> None:
    moves = [Move("a", 1, 2, 1.5), Move("b", 1, 3, 1.2), Move("a", 2, 3, 1.5),
             Move("c", 2, 3, 1.0), Move("c", 3, 2, 1.0)]
    assert proposals.net_moves(moves) == [Move("a", 1, 3, 1.5), Move("b", 1, 3, 1.2)]
