"""Settings, read from the environment (``LTC_*``) or a ``.env`` file.

This is the only module that reads the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LTC_", env_file=".env", extra="ignore")

    #: Where the record store, extracts and run outputs live.
    data_dir: Path = Path("data")

    @property
    def records_dir(self) -> Path:
        return self.data_dir / "records"


def settings() -> Settings:
    return Settings()
