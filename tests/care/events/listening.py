"""A listener on a real TCP port in a thread of its own, and a community with many people
(case-managed, other level 3, level 1) for the listener tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.events import rules as alert_rules
from ltc.care.events.notify import Notifier
from ltc.care.people.models import Person, PersonResult
from ltc.codes.nhs_number import from_serials
from ltc.interop.hl7v2.listener import Listener, server

from ..care import Community, seed


@dataclass
class People:
    case_managed: list[str]
    level3: dict[str, str]  # NHS number: practice
    level1: list[str]
    unknown: list[str]  # valid NHS numbers of nobody in the store


def numbers(start: int, count: int) -> list[str]:
    return [str(n) for n in from_serials(np.arange(start, start + count), prefix=4)]


def populate(url: str, per_group: int = 25) -> tuple[Community, People]:
    """The seeded community plus ``per_group`` people in each group."""
    community = seed(url)
    cm, l3, l1, unknown = (numbers(1000 * (i + 1), per_group) for i in range(4))
    engine = make_engine(url)
    with unit_of_work(sessions(engine)) as s:
        for group, level in ((cm, 3), (l3, 3), (l1, 1)):
            for i, nhs in enumerate(group):
                practice = "P1" if group is not l3 or i % 2 == 0 else "P2"
                locality = "L1" if practice == "P1" else "L2"
                s.add(Person(nhs_number=nhs, date_of_birth=date(1938, 2, 1), sex="M",
                             practice_code=practice, locality_code=locality))
                s.add(PersonResult(run_id="run-0001", nhs_number=nhs, level=level,
                                   locality_code=locality, practice_code=practice,
                                   level_basis="test", reasons="", risk=0.5, age=87,
                                   ltc_count=2, registers="copd,diabetes"))
        s.flush()
        for nhs in cm:
            s.add(CaseloadEntry(nhs_number=nhs, user_id=community.users["matron"],
                                started_on=date(2025, 4, 1),
                                allocated_by=community.users["matron"]))
    engine.dispose()
    level3 = {nhs: ("P1" if i % 2 == 0 else "P2") for i, nhs in enumerate(l3)}
    return community, People(cm, level3, l1, unknown)


@contextmanager
def listening(url: str, rules: alert_rules.Rules | None = None, threads: int = 4,
              notifier: Notifier | None = None) -> Iterator[tuple[int, Listener]]:
    """A listener serving ``url`` on a free port; yields (port, listener)."""
    engine = make_engine(url)
    listener = Listener(sessions(engine), rules or alert_rules.load())
    loop = asyncio.new_event_loop()
    mllp = server(listener, "127.0.0.1", 0, threads=threads, notifier=notifier,
                  deliver_every=0.2)
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()  # the loop runs in its own thread (a test may run another loop)
    port = asyncio.run_coroutine_threadsafe(mllp.start(), loop).result(30)
    try:
        yield port, listener
    finally:
        asyncio.run_coroutine_threadsafe(mllp.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        engine.dispose()


def session(url: str) -> Session:
    return sessions(make_engine(url))()
