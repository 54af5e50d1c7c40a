"""The care store's migrations create exactly the tables the models describe, on SQLite
and PostgreSQL; loading a run is all-or-nothing and repeatable."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ltc.care.db import Base, all_models, make_engine


def test_migrations_match_the_models(care_url: str) -> None:
    all_models()
    engine = make_engine(care_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []
