"""Settings, read from the environment (``LTC_*``) or a ``.env`` file (infrastructure: no
capability of its own).

This is the only module that reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LTC_", env_file=".env", extra="ignore")

    #: Where the record store, extracts and run outputs live.
    data_dir: Path = Path("data")

    #: The care store; by default an SQLite file in the data directory. For PostgreSQL:
    #: ``postgresql+psycopg://user@host:5432/dbname``.
    care_database_url: str | None = None
    #: Where ``ltc serve`` listens.
    host: str = "127.0.0.1"
    port: int = 8000
    #: requests each server process works on at once (``LTC_WEB_THREADS``)
    web_threads: int = 4
    #: a local alert rules file for the web app's feeds and message pages
    #: (``LTC_ALERT_RULES``; default: the packaged ``ltc/data/policy/alerts.toml``)
    alert_rules: Path | None = None
    #: a folder of local condition protocols that change the defaults, file by file and
    #: item by item (``LTC_PROTOCOLS_DIR``; DM-1, see ``ltc.protocols``)
    protocols_dir: Path | None = None

    @property
    def records_dir(self) -> Path:
        return self.data_dir / "records"

    def care_url(self, data_dir: Path | None = None) -> str:
        if self.care_database_url:
            return self.care_database_url
        return f"sqlite:///{(data_dir or self.data_dir).resolve() / 'care.db'}"


def settings() -> Settings:
    return Settings()


#: Environment the Spark engine's JVM needs: bind to the loopback address, so a session
#: starts on a machine whose host name does not resolve (containers, laptops offline).
SPARK_ENVIRONMENT = {"SPARK_LOCAL_IP": "127.0.0.1"}


def prepare_spark_environment() -> None:
    """Set the variables of :data:`SPARK_ENVIRONMENT` that are not already set (the JVM
    Spark starts inherits this process's environment)."""
    for name, value in SPARK_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def pass_to_workers(data_dir: Path, care_database_url: str) -> None:
    """Put the data directory and care store in the environment, for server worker
    processes that build their own app (``ltc serve --workers``)."""
    os.environ["LTC_DATA_DIR"] = str(data_dir)
    os.environ["LTC_CARE_DATABASE_URL"] = care_database_url
