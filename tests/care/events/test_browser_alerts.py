"""In a real browser (Debian's Chromium driven by Playwright) over a real web server and a
real MLLP listener on one care store: a case manager has the inbox open when a hospital
sends an admission; the alert appears without the page being reloaded by hand, she opens
the person and acknowledges it; after the hospital's discharge message the follow-up task
is in her tasks. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from ltc.care.db import upgrade
from ltc.interop.hl7v2 import adt

from ..browsing import chromium_page, served, shot
from ..care import PASSWORD
from .listening import People, listening, populate


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, People]:
    url = f"sqlite:///{tmp_path_factory.mktemp('alerts') / 'care.db'}"
    upgrade(url)
    return url, populate(url, per_group=3)[1]


@pytest.fixture(scope="module")
def web(store: tuple[str, People]) -> Iterator[str]:
    with served(store[0]) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page


def test_an_admission_alert_appears_is_acknowledged_and_discharge_makes_a_task(
        store: tuple[str, People], web: str, page: Page) -> None:
    url, people = store
    nhs = people.case_managed[0]
    admitted = datetime.now().replace(microsecond=0) - timedelta(hours=2)
    with listening(url) as (port, _):
        page.goto(f"{web}/inbox")
        page.get_by_label("User name").fill("matron")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/inbox")
        expect(page.locator("#inbox-count")).to_have_text("0")
        assert page.locator("#inbox-open tbody tr").count() == 0

        # the hospital admits the person while the inbox is open
        ack = adt.send("127.0.0.1", port, [adt.message(
            "A01", "BROWSER-1", nhs, admitted, spell_id="SP1", ward="Ward 12",
            facility="Royal Infirmary")])
        assert adt.ack_code(ack[0]) == "AA"
        row = page.locator("#inbox-open tbody tr")
        expect(row).to_have_count(1, timeout=20_000)  # it appears without a reload by hand
        expect(page.locator("#inbox-count")).to_have_text("1")
        assert "Unplanned admission" in row.inner_text()
        assert "Ward 12" in row.inner_text()
        shot(page, "07-inbox-new-alert")

        # she opens the person: the admission is on their timeline
        row.get_by_role("link").first.click()
        page.wait_for_url(f"**/people/{nhs}")
        expect(page.locator("#events-timeline")).to_contain_text("Admitted")
        shot(page, "08-person-timeline")

        # back in the inbox she acknowledges it
        page.goto(f"{web}/inbox")
        page.locator("#inbox-open tbody tr").get_by_role(
            "button", name="Acknowledge").click()
        page.wait_for_url("**/inbox**")
        expect(page.locator("#inbox-open tbody tr")).to_have_count(0)
        expect(page.locator("#inbox-acknowledged tbody tr")).to_have_count(1)
        expect(page.locator("#inbox-count")).to_have_text("0")
        shot(page, "09-inbox-acknowledged")

        # the discharge: a follow-up contact within two working days
        discharged = admitted + timedelta(hours=1)
        ack = adt.send("127.0.0.1", port, [adt.message(
            "A03", "BROWSER-2", nhs, discharged, spell_id="SP1", ward="Ward 12",
            facility="Royal Infirmary")])
        assert adt.ack_code(ack[0]) == "AA"
    page.goto(f"{web}/tasks")
    tasks = page.locator("main")
    expect(tasks).to_contain_text("Follow-up contact after discharge")
    expect(tasks).to_contain_text("Discharge planning")
    shot(page, "10-tasks-after-discharge")
