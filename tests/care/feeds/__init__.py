"""Feed tests: an interface user signed in to the API, and counting what a feed wrote."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role
from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.events.models import Alert, CareEvent, Flag, InboundMessage, Notification
from ltc.care.work.models import Task

from ..care import PASSWORD, Community, api_client, db

INTERFACE = "pas-interface"


def interface_client(app: object, community: Community) -> TestClient:
    """An API client signed in as a new interface user."""
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        auth.create_user(s, INTERFACE, "Hospital PAS", Role.INTERFACE, PASSWORD)
    engine.dispose()
    return api_client(app, INTERFACE)


def on_caseload(community: Community, nhs_number: str) -> None:
    """Put ``nhs_number`` on the matron's caseload."""
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        s.add(CaseloadEntry(nhs_number=nhs_number, user_id=community.users["matron"],
                            started_on=date(2025, 4, 1),
                            allocated_by=community.users["matron"]))
    engine.dispose()


TABLES: dict[str, Any] = {"messages": InboundMessage, "events": CareEvent, "alerts": Alert,
                          "tasks": Task, "flags": Flag, "notifications": Notification}


def counts(url: str) -> dict[str, int]:
    """Rows in each table a feed writes."""
    with db(url) as s:
        return {name: s.scalar(select(func.count()).select_from(model)) or 0
                for name, model in TABLES.items()}
