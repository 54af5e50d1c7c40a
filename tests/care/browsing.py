"""What the browser tests share: a free port, the web app served by uvicorn in a thread,
Debian's Chromium driven by Playwright, and screenshots in ``artifacts/screenshots/``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import Page, sync_playwright

from ltc.web.app import create_app

from .care import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def served(url: str) -> Iterator[str]:
    """The web app over the care store at ``url``, served on a free port: its base URL."""
    port = free_port()
    app = create_app(url)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
        app.state.engine.dispose()


@contextmanager
def chromium_page(**context: Any) -> Iterator[Page]:
    """A page in a new headless Chromium (``context``: Playwright browser-context options)."""
    assert CHROMIUM.exists(), "Chromium is missing: run `make test` (it installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser.new_context(viewport={"width": 1280, "height": 900},
                                      **context).new_page()
        finally:
            browser.close()


def sign_in(page: Page, base: str, username: str, path: str) -> None:
    """Sign in through the form as ``username`` (the test password), starting at ``path``
    (the sign-in page sends them back there)."""
    page.context.clear_cookies()
    page.goto(f"{base}{path}")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{path}")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
