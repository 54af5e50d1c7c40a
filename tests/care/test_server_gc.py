"""A server process builds its app before serving, reads its templates once, then freezes
what building it made out of the garbage collector's reach and collects young objects less
often (``ltc.web.server.ready``)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from ltc.care.db import upgrade
from ltc.web import server
from ltc.web.pages import TEMPLATES


def test_a_server_process_freezes_its_app_before_serving(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'care.db'}"
    upgrade(url)
    monkeypatch.setenv("LTC_CARE_DATABASE_URL", url)
    monkeypatch.setenv("LTC_DATA_DIR", str(tmp_path))
    threshold = gc.get_threshold()
    gc.unfreeze()
    try:
        ready = server.ready(server._config("127.0.0.1", 0))
        assert ready.config.loaded  # the app is built before the first request
        assert gc.get_freeze_count() > 10_000  # modules, app, routes, templates
        assert gc.get_threshold()[0] == server.YOUNG_THRESHOLD
        assert gc.get_threshold()[1:] == threshold[1:]
        assert not TEMPLATES.auto_reload
        assert TEMPLATES.cache is not None
        assert len(TEMPLATES.cache) >= len(TEMPLATES.list_templates())  # all compiled
    finally:
        TEMPLATES.auto_reload = True
        gc.unfreeze()
        gc.set_threshold(*threshold)
