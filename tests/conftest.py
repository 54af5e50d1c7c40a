"""Shared test fixtures: the public reference data kept beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
"""The folder beside the repository that holds shared data (``shared/data/external/...``)."""


@pytest.fixture(scope="session")
def external_data() -> Path:
    """``shared/data/external``: the public reference data the tests check against."""
    folder = SHARED / "data" / "external"
    if not folder.is_dir():
        pytest.fail(f"shared reference data not found at {folder}: clone the repository "
                    "beside the shared/ folder that holds data/external")
    return folder


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "spark: runs on the Spark engine (one session per test process)")
    config.addinivalue_line(
        "markers", "real_password_hashing: hash passwords at the production Argon2 cost")
    # raised inside pyspark 4 on pandas 3 (results pass through pandas in Ibis), not by our code
    for warning in ("ignore:PySpark does not yet fully support pandas:FutureWarning",
                    "ignore:The copy keyword is deprecated"):
        config.addinivalue_line("filterwarnings", warning)
