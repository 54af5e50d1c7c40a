"""The care store's migrations create exactly the tables the models describe, on SQLite
and PostgreSQL; loading a run is all-or-nothing and repeatable."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ltc.care.db import Base, make_engine
from ltc.care.tables import all_models


def test_migrations_match_the_models(care_url: str) -> None:
    all_models()
    engine = make_engine(care_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def _old_chain(url: str, tamper: bool) -> None:
    """Audit rows as revision 0002 wrote them: one chain, sha256(previous | seq | fields)."""
    import hashlib
    from datetime import datetime

    from sqlalchemy import text

    engine = make_engine(url)
    previous = "0" * 64
    with engine.begin() as c:
        for seq in range(1, 6):
            at = datetime(2025, 4, 1, 9, 0, seq, 0 if seq == 2 else 1234)
            fields = [at.isoformat(), f"request-{seq}", "1", "matron", "case_manager",
                      "9434765919", "read", "GET /people/9434765919", "0"]
            previous = hashlib.sha256("|".join([previous, str(seq), *fields]).encode()
                                      ).hexdigest()
            what = "GET /elsewhere" if tamper and seq == 3 else fields[7]
            c.execute(text(
                "INSERT INTO audit_event (seq, at, request_id, user_id, username, role, "
                "nhs_number, action, what, break_glass, digest) VALUES (:seq, :at, :r, 1, "
                "'matron', 'case_manager', '9434765919', 'read', :what, :bg, :d)"),
                {"seq": seq, "at": at, "r": f"request-{seq}", "what": what, "bg": False,
                 "d": previous})
    engine.dispose()


def test_upgrading_rechains_an_intact_audit_trail(care_url: str) -> None:
    import pytest
    from alembic import command
    from sqlalchemy import text

    from ltc.care.audit import services as audit
    from ltc.care.db import alembic_config, sessions, upgrade

    command.downgrade(alembic_config(care_url), "0002")
    _old_chain(care_url, tamper=False)
    upgrade(care_url)
    with sessions(make_engine(care_url))() as s:
        check = audit.verify(s)
        assert check.intact
        assert check.rows == 5

    command.downgrade(alembic_config(care_url), "0002")
    with make_engine(care_url).begin() as c:
        c.execute(text("DELETE FROM audit_event"))
    _old_chain(care_url, tamper=True)
    with pytest.raises(RuntimeError, match="row 3 does not follow"):
        upgrade(care_url)


def test_a_database_error_does_not_show_the_patient_data_it_was_given(care_url: str) -> None:
    engine = make_engine(care_url)
    secret = "Margaret Example, born 17/05/1940"
    with pytest.raises(DBAPIError) as caught, engine.begin() as c:
        c.execute(text("INSERT INTO person (nhs_number, date_of_birth, sex) "
                       "VALUES (:n, :d, :s)"), {"n": None, "d": None, "s": secret})
    assert secret not in str(caught.value)
    assert "hidden" in str(caught.value)  # SQLAlchemy says the parameters were hidden
    engine.dispose()


def test_downgrading_to_nothing_drops_every_table_and_upgrading_again_rebuilds_them(
        care_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from ltc.care.db import alembic_config, upgrade

    command.downgrade(alembic_config(care_url), "base")
    engine = make_engine(care_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(care_url)
    test_migrations_match_the_models(care_url)
