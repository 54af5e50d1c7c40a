"""In a real browser (Debian's Chromium driven by Playwright) over a real server (DM-6,
SC-3): a practice nurse follows the navigation to her practice's achievement, sees an
indicator's figures beside the locality's and the community's with its bar, opens the
indicator's gap and the person behind it; then the medicines lists, moving between the
tabs. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ltc.care.db import upgrade

from ..browsing import chromium_page, served, shot
from ..care import IN_AREA, PASSWORD, seed
from ..samples_practice import ready


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("practice")
    url = f"sqlite:///{folder / 'care.db'}"
    upgrade(url)
    community = seed(url)
    ready(url, community.users)
    with served(url) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page


def test_a_nurse_follows_an_indicators_gap_to_a_person(server: str, page: Page) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("User name").fill("nurse")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#nav-achievement").click()
    page.wait_for_url("**/achievement")
    row = page.locator("#indicator-DM006")
    expect(row.locator("td").nth(4)).to_contain_text("80.0%")
    expect(row.locator("td").nth(5)).to_have_text("75.0%")
    bar = row.locator(".achievement-bar").bounding_box()
    track = row.locator(".achievement-bar").locator("xpath=..").bounding_box()
    assert bar is not None
    assert track is not None
    assert abs(bar["width"] / track["width"] - 0.8) < 0.02  # the bar is 80% long
    shot(page, "achievement-practice")
    row.get_by_role("link", name="DM006").click()
    page.wait_for_url("**/achievement/DM006")
    expect(page.locator("#gap-count")).to_have_text("2 people, page 1 of 1.")
    expect(page.locator("#excepted")).to_contain_text("diabetes quality indicator care")
    shot(page, "achievement-indicator")
    page.locator(f"#gap-{IN_AREA}").get_by_role("link", name="943 476 5919").click()
    page.wait_for_url(f"**/people/{IN_AREA}")

    page.locator("#nav-medicines").click()
    page.wait_for_url("**/medicines")
    expect(page.locator("#medicines-count")).to_contain_text("2 people")
    page.locator("#tab-adherence").click()
    page.wait_for_url("**/medicines?list=adherence")
    expect(page.locator(f"#medicines-{IN_AREA}")).to_contain_text(
        "Low adherence: Metformin 500mg tablets, Ramipril 5mg capsules (PDC 63%)")
    shot(page, "medicines-adherence")
