"""What the write-route sweep (``tests/care/test_write_routes_atomic.py``) needs for the
rebalancing proposal routes (CM-2): a team lead of locality L1 and a matron over her cap,
so that a proposal has moves to save, approve and undo."""

from __future__ import annotations

from sqlalchemy import func, select

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role, User
from ltc.care.casemgmt.models import CaseManager, RebalanceProposal
from ltc.care.db import make_engine, sessions, unit_of_work

from ..care import PASSWORD

LEAD = "lead"


def lead(url: str) -> str:
    """Make (once) the L1 team lead, and put the matron over her cap; the lead's username."""
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            if s.scalar(select(User.id).where(User.username == LEAD)) is None:
                user = auth.create_user(s, LEAD, "Lead", Role.CASE_MANAGER, PASSWORD)
                s.add(CaseManager(user_id=user.id, job_title="Team lead matron",
                                  locality_code="L1", team_lead=True))
            matron = s.scalar(select(CaseManager).join(User, User.id == CaseManager.user_id)
                              .where(User.username == "matron"))
            assert matron is not None
            matron.hard_stop = 0
    finally:
        engine.dispose()
    return LEAD


def newest(url: str) -> int:
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            found = s.scalar(select(func.max(RebalanceProposal.id)))
    finally:
        engine.dispose()
    assert found is not None
    return int(found)
