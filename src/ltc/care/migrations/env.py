"""Alembic environment of the care store (migrations run online only; infrastructure: no
capability of its own)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from ltc.care.db import Base, make_engine
from ltc.care.tables import all_models

all_models()
config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None
connectable = config.attributes.get("connection")

if connectable is None:
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
else:
    context.configure(connection=connectable, target_metadata=Base.metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
