"""The app ``ltc serve`` builds takes its folders from the settings: the data folder and
the folder of local condition protocols (DM-1) its recall, self-care and call pages read."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltc.web.app import app_from_settings


def test_the_served_app_reads_local_protocols_from_the_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = tmp_path / "protocols"
    local.mkdir()
    monkeypatch.setenv("LTC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LTC_CARE_DATABASE_URL", f"sqlite:///{tmp_path / 'care.db'}")
    monkeypatch.setenv("LTC_PROTOCOLS_DIR", str(local))
    app = app_from_settings()
    assert app.state.protocols_dir == local
    assert app.state.data_dir == tmp_path
    monkeypatch.delenv("LTC_PROTOCOLS_DIR")
    assert app_from_settings().state.protocols_dir is None
