"""The audit chains stay intact whatever the size of a request's batch (a few rows are
INSERTed, more go by COPY on PostgreSQL) and however many requests write at once."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from ltc.care.audit import services as audit
from ltc.care.audit.models import AuditEvent
from ltc.care.db import make_engine, sessions, unit_of_work, upgrade


def _batch(request: int, rows: int) -> audit.Pending:
    pending = audit.Pending(f"request-{request}", audit.Actor(1, "matron", "case_manager"))
    for i in range(rows):
        pending.add(f"943476{i % 10000:04d}", "read", f"GET /people/{i}")
    return pending


def test_batches_of_every_size_chain_in_commit_order(care_url: str) -> None:
    upgrade(care_url)
    factory = sessions(make_engine(care_url))
    sizes = [1, audit._FEW, audit._FEW + 1, 50, 2, 1]
    for n, size in enumerate(sizes):
        with unit_of_work(factory) as s:
            audit.flush(s, _batch(n, size))
    with unit_of_work(factory) as s:
        check = audit.verify(s)
        assert check.intact
        assert check.rows == sum(sizes)
        # links number each chain's rows from 1 without a gap
        for chain, count, top in s.execute(select(
                AuditEvent.chain, func.count(), func.max(AuditEvent.link))
                .group_by(AuditEvent.chain)):
            assert top == count, chain
    # a failed request leaves no rows and does not break a chain
    try:
        with unit_of_work(factory) as failed:
            audit.flush(failed, _batch(99, 3))
            raise RuntimeError("the request fails after its audit rows")
    except RuntimeError:
        pass
    with unit_of_work(factory) as s:
        assert audit.verify(s).rows == sum(sizes)
        audit.flush(s, _batch(100, 1))
    with unit_of_work(factory) as s:
        assert audit.verify(s).intact


def test_requests_writing_at_once_keep_every_chain_intact(care_url: str) -> None:
    upgrade(care_url)
    factory = sessions(make_engine(care_url))
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for n in range(15):
                with unit_of_work(factory) as s:
                    audit.flush(s, _batch(worker * 100 + n, 1 + (n % 3) * 6))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with unit_of_work(factory) as s:
        check = audit.verify(s)
        assert check.intact
        assert check.rows == 6 * sum(1 + (n % 3) * 6 for n in range(15))
