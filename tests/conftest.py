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
