"""Acceptance, in a real browser (Debian's Chromium driven by Playwright) over a real
server (CM-5, issue 15 items 4 and 5): "a carer is added and appears in the PDF". The
matron opens the person's care plan, follows the link to their carers, adds the
person's daughter as main carer (a mistake first, named by its field), sees her in the
banner and the plan's carers, records the end-of-life wishes and DNACPR decision, saves
the plan and downloads its PDF, whose text holds the carer and the end-of-life section.
Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ltc.care.db import upgrade
from web.careplans.test_export import _pdf_text  # the PDF's words, as the export tests read them

from ..browsing import chromium_page, served, shot
from ..care import IN_AREA, PASSWORD, seed

XSS = "<script>window.hacked=1</script>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('carers') / 'care.db'}"
    upgrade(url)
    seed(url)
    with served(url) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page(accept_downloads=True) as page:
        yield page


def test_a_carer_is_added_and_appears_in_the_pdf(server: str, page: Page,
                                                 tmp_path: Path) -> None:
    plan = f"/people/{IN_AREA}/careplan"
    page.goto(f"{server}{plan}")
    page.get_by_label("User name").fill("matron")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{plan}")
    page.locator("#carers-link").click()
    page.wait_for_url(f"**/people/{IN_AREA}/carers")
    expect(page.locator("#no-carers")).to_be_visible()

    # a mistake first: the relationship is missing
    page.get_by_label("Carer's name").fill(f"Susan Clarke {XSS}")
    page.get_by_label("Telephone").fill("07700 900123")
    page.locator("#carer_consents_yes").check()
    page.get_by_label("The main carer").check()
    page.get_by_role("button", name="Add the carer").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Relationship to the person: this is needed")
    expect(page.get_by_label("Carer's name")).to_have_value(f"Susan Clarke {XSS}")
    page.get_by_label("Relationship to the person").fill("daughter")
    page.get_by_label("Offered on").fill("2025-03-01")
    page.get_by_role("button", name="Add the carer").click()
    page.wait_for_url("**/carers?saved=added")
    line = f"Susan Clarke {XSS} (daughter), 07700 900123 — consents to contact"
    expect(page.locator("#carers")).to_contain_text(line)
    expect(page.locator("#banner-carer")).to_have_text(line)
    assert page.evaluate("window.hacked") is None  # the markup shown as text
    shot(page, "carers-01-added")

    # the plan shows the carer; end-of-life wishes recorded and the plan saved
    page.get_by_role("link", name="The care plan").click()
    page.wait_for_url(f"**{plan}")
    expect(page.locator("#plan-carers")).to_contain_text(line)
    page.locator("#goals").fill("Stay at home with my daughter")
    page.get_by_label("Preferred place of death").fill("Home")
    page.get_by_label("DNACPR decision", exact=True).select_option("in_place")
    page.get_by_label("Where the DNACPR form is").fill("Blue folder by the front door")
    shot(page, "carers-02-plan")
    page.get_by_role("button", name="Save the care plan").click()
    page.wait_for_url("**/careplan/versions**")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()
    saved = tmp_path / "plan.pdf"
    download.value.save_as(saved)
    text = _pdf_text(saved.read_bytes())
    assert "My carers and family" in text
    assert "Main carer: Susan Clarke" in text
    assert "(daughter), 07700 900123 — consents to contact" in text
    assert "Carer's assessment offered on 1 March 2025" in text
    assert "DNACPR decision in place: do not attempt CPR" in text
    assert "Blue folder by the front door" in text
