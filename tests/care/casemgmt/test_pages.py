"""The hidden-populations page and the rebalancing preview, on SQLite and PostgreSQL: a
case manager sees their own area's hidden people only, each shown writing one audit row;
an analyst sees the suppressed counts and nobody's NHS number; others are refused; the
preview names the proposed moves (each person named audited) and moves nobody."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ltc.care.audit.models import AuditEvent
from ltc.care.auth import services as auth
from ltc.care.auth.models import Role
from ltc.care.casemgmt.models import CaseloadEntry, CaseManager
from ltc.care.db import make_engine, sessions, unit_of_work

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, PASSWORD, Community, db, signed_in

TODAY = date(2025, 4, 1)


def _last(url: str) -> int:
    with db(url) as s:
        return s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0


def _since(url: str, seq: int) -> list[AuditEvent]:
    with db(url) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.seq > seq)).all())


def test_hidden_page_shows_own_area_audited(app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    last = _last(community.url)
    r = matron.get("/hidden")
    assert r.status_code == 200
    assert IN_AREA in r.text
    assert IN_AREA_2 in r.text
    assert OTHER_AREA not in r.text
    assert LOW not in r.text
    rows = [a for a in _since(community.url, last) if a.nhs_number]
    assert sorted(a.nhs_number or "" for a in rows) == sorted([IN_AREA, IN_AREA_2])
    assert {(a.action, a.what) for a in rows} == {("list", "GET /hidden")}
    assert 'id="hidden-counts"' in r.text


def test_hidden_page_for_analysts_is_counts_only(app: Any, community: Community) -> None:
    r = signed_in(app, "analyst").get("/hidden")
    assert r.status_code == 200
    assert 'id="hidden-counts"' in r.text
    assert 'id="hidden-people"' not in r.text
    for nhs in (IN_AREA, IN_AREA_2, OTHER_AREA):
        assert nhs not in r.text
    assert "<td class=\"nhsuk-table__cell\">*</td>" in r.text  # 1-7 withheld
    assert signed_in(app, "gp").get("/hidden", follow_redirects=False).status_code in (
        403, 404)


def test_rebalance_preview_names_moves_and_moves_nobody(app: Any,
                                                         community: Community) -> None:
    with unit_of_work(sessions(make_engine(community.url))) as s:
        u = auth.create_user(s, "matron3", "Matron Three", Role.CASE_MANAGER, PASSWORD, None)
        s.add(CaseManager(user_id=u.id, job_title="Community matron", locality_code="L1"))
        s.flush()
        for nhs in (IN_AREA, IN_AREA_2):
            s.add(CaseloadEntry(nhs_number=nhs, user_id=community.users["matron"],
                                started_on=TODAY, allocated_by=community.users["admin"]))
    last = _last(community.url)
    r = signed_in(app, "matron3").get("/caseloads/rebalance")
    assert r.status_code == 200
    assert 'id="moves"' in r.text
    assert IN_AREA_2 in r.text  # the lighter person moves: 1.61 against 1.42
    assert IN_AREA not in r.text.split('id="moves"')[1]
    rows = [a for a in _since(community.url, last) if a.nhs_number]
    assert [(a.nhs_number, a.what) for a in rows] == [(IN_AREA_2, "GET /caseloads/rebalance")]
    with db(community.url) as s:
        owners = set(s.scalars(select(CaseloadEntry.user_id).where(
            CaseloadEntry.ended_on.is_(None))).all())
    assert owners == {community.users["matron"]}  # a preview only
    assert signed_in(app, "analyst").get("/caseloads/rebalance",
                                         follow_redirects=False).status_code in (403, 404)
