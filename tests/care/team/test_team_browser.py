"""In a real browser (Debian's Chromium driven by Playwright) over a real server (CM-5
acceptance): a case manager allocates a person to a social worker and writes their care
plan with an action assigned to the social worker; the social worker signs in, finds it
on My actions, opens the plan's actions and sets the action to done with a note; the
case manager sees the status on the person page, the plan's actions and the form.
Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ltc.care.db import upgrade

from ..browsing import chromium_page, served, shot, sign_in
from ..care import IN_AREA, seed

NOTE = "Care Act assessment done <b>with daughter</b>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("team")
    url = f"sqlite:///{folder / 'care.db'}"
    upgrade(url)
    seed(url)  # the matron (case manager of L1) and the social worker "social"
    with served(url) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page



def test_a_social_worker_updates_an_action_assigned_to_them(server: str, page: Page) -> None:
    base = server
    # the case manager allocates the person to the social worker
    sign_in(page, base, "matron", f"/people/{IN_AREA}")
    page.locator("#allocate-team-link").click()
    page.wait_for_url(f"**/people/{IN_AREA}/team")
    page.get_by_label("Allocate to").select_option(label="Social (Social worker)")
    page.get_by_label("Reason").fill("Needs a Care Act assessment")
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_url(f"**/people/{IN_AREA}?note=allocated-to-team")
    expect(page.locator("#team-allocations")).to_contain_text("Social")

    # and writes the plan with an action assigned to them
    page.goto(f"{base}/people/{IN_AREA}/careplan")
    page.locator("#goals").fill("Stay at home")
    page.get_by_label("Action 1: who").fill("Sam, social worker")
    page.get_by_label("Action 1: organisation").fill("Adult social care")
    page.get_by_label("Action 1: what").fill("Care Act assessment")
    page.get_by_label("Action 1: assigned to").select_option(label="Social (Social worker)")
    shot(page, "team-01-careplan")
    page.get_by_role("button", name="Save the care plan").click()
    page.wait_for_url(f"**/people/{IN_AREA}/careplan/versions?saved=1")

    # the social worker finds it on My actions and sets it to done
    sign_in(page, base, "social", "/")
    page.locator("#nav-my-actions").click()
    page.wait_for_url("**/team/actions")
    expect(page.locator("#my-actions")).to_contain_text("Care Act assessment")
    expect(page.locator("#my-actions")).to_contain_text("Open")
    shot(page, "team-02-my-actions")
    page.get_by_role("link", name="Care Act assessment").click()
    page.wait_for_url(f"**/people/{IN_AREA}/careplan/actions")
    expect(page.locator("#plan-actions")).to_contain_text("Social")
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Note").fill(NOTE)
    page.get_by_role("button", name="Update").click()
    page.wait_for_url(f"**/people/{IN_AREA}/careplan/actions?saved=a1")
    expect(page.locator("#plan-actions .action-status")).to_have_text("Done")
    expect(page.locator("#plan-actions .action-note")).to_have_text(NOTE)  # markup as text
    shot(page, "team-03-done")
    # the social worker may not edit the plan itself
    assert page.request.get(f"{base}/people/{IN_AREA}/careplan").status in (403, 404)

    # the case manager sees the status
    sign_in(page, base, "matron", f"/people/{IN_AREA}")
    expect(page.locator("#plan-actions-summary")).to_contain_text(f"Done: {NOTE}")
    page.goto(f"{base}/people/{IN_AREA}/careplan/actions")
    expect(page.locator("#plan-actions .action-status")).to_have_text("Done")
    page.goto(f"{base}/people/{IN_AREA}/careplan")
    expect(page.locator("#action_0_status")).to_contain_text("Done")
    page.goto(f"{base}/people/{IN_AREA}/careplan/copy")
    expect(page.locator("td.action-status")).to_have_text("Done")
    shot(page, "team-04-case-manager")
