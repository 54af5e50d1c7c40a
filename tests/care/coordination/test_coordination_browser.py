"""In a real browser (Debian's Chromium driven by Playwright) over a real server (VW-2
acceptance): a GP refers a person to their locality's integrated care co-ordinators from
the person page; the co-ordinator sees them on the co-ordination worklist, logs an
unanswered attempt there and a reached one on the person page, completes the co-designed
assessment, and the care plan form offers (and a new draft is filled with) the need the
answers suggest. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ltc.care.db import upgrade

from ..browsing import chromium_page, served, shot, sign_in
from ..care import OTHER_AREA, seed


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("coordination")
    url = f"sqlite:///{folder / 'care.db'}"
    upgrade(url)
    seed(url)  # matron2 is L2's "Care co-ordinator"; gp2 a GP of P2 in L2
    with served(url) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page



def test_a_gp_refers_and_the_coordinator_contacts_assesses_and_plans(server: str,
                                                                    page: Page) -> None:
    base = server
    # the GP refers from the person page
    sign_in(page, base, "gp2", f"/people/{OTHER_AREA}")
    page.get_by_label("Reason for referring to the locality's co-ordinators").fill(
        "Lives alone; two falls <script>alert(1)</script>")
    page.get_by_role("button", name="Refer to a co-ordinator").click()
    page.wait_for_url(f"**/people/{OTHER_AREA}?note=referred")
    expect(page.locator("#coordinator-referrals")).to_contain_text("Referred by a GP")
    expect(page.locator("#coordinator-referrals")).to_contain_text("<script>alert(1)</script>")
    shot(page, "coordination-01-referred")

    # the co-ordinator's worklist shows them, referred and identified
    sign_in(page, base, "matron2", "/coordination")
    row = page.locator(f"#row-{OTHER_AREA}")
    expect(row).to_contain_text("Referred by a GP; Identified by the tool")
    expect(row.locator(".last-attempt")).to_have_text("None yet")

    # an unanswered attempt, logged from the worklist
    row.get_by_text("Log an attempt").click()
    row.get_by_label("How").select_option("phone")
    row.get_by_label("Outcome").select_option("no_answer")
    row.get_by_role("button", name="Log the attempt").click()
    page.wait_for_url("**/coordination")
    expect(page.locator(f"#row-{OTHER_AREA} .last-attempt")).to_contain_text(
        "Telephone, No answer")
    shot(page, "coordination-02-worklist")

    # a reached one, from the person page
    page.locator(f"#row-{OTHER_AREA}").get_by_role("link", name="Open").click()
    page.wait_for_url(f"**/people/{OTHER_AREA}")
    page.locator("#attempt-form-method").select_option("visit")
    page.locator("#attempt-form-outcome").select_option("reached")
    page.locator("#attempt-form-note").fill("Seen at home with daughter")
    page.locator("#attempt-form-submit").click()
    page.wait_for_url(f"**/people/{OTHER_AREA}?note=attempt")
    log = page.locator("#contact-attempts tbody tr")
    expect(log).to_have_count(2)
    expect(log.nth(0)).to_contain_text("Reached")
    expect(log.nth(1)).to_contain_text("No answer")
    expect(page.locator("#uncontactable-suggested")).to_have_count(0)

    # the co-designed assessment
    page.locator("#codesigned-link").click()
    page.wait_for_url(f"**/people/{OTHER_AREA}/assessment/codesigned")
    page.get_by_label("Has the person fallen in the last 12 months").select_option("yes")
    page.get_by_label("Does the person live alone?").select_option("yes")
    page.get_by_label("What matters most to the person?").fill("Staying in the garden")
    shot(page, "coordination-03-assessment")
    page.get_by_role("button", name="Save the assessment").click()
    page.wait_for_url(f"**/people/{OTHER_AREA}?note=codesigned")
    expect(page.locator("#codesigned-newest")).to_contain_text(
        "Falls risk assessment and prevention; Social contact and loneliness support")

    # the plan form offers the suggested needs, filled in for a new draft
    page.goto(f"{base}/people/{OTHER_AREA}/careplan")
    expect(page.locator("#suggested-needs")).to_contain_text(
        "Falls risk assessment and prevention")
    expect(page.locator("#needs")).to_have_value(
        "Falls risk assessment and prevention\nSocial contact and loneliness support")
    shot(page, "coordination-04-careplan")
