"""In a real browser (Debian's Chromium driven by Playwright) over a real server (POP-2,
CM-5): a GP opens a person with a package of care open, an earlier one and markup in a
package's intensity, and sees the Social care panel and its timeline lines, the markup as
text; the practice's manager opens the same person and sees neither. Screenshots go to
``artifacts/screenshots/``."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
from ltc.care.people.models import PersonActivity

from ..browsing import chromium_page, served, shot, sign_in
from ..care import IN_AREA, seed
from ..contacts.team import add_team

XSS = "<script>window.hacked=1</script><iframe src=x></iframe>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('socialcare') / 'care.db'}"
    upgrade(url)
    community = seed(url)
    add_team(url, community.users)
    engine = make_engine(url)
    with unit_of_work(sessions(engine)) as s:
        s.add(PersonActivity(run_id="run-0001", nhs_number=IN_AREA, social_care=json.dumps(
            {"packages": [["2024-02-02", None, "21.0", "high"],
                          ["2023-01-05", "2024-02-01", "4.5", XSS]],
             "assessment": "2024-01-10", "review": "2024-06-01", "contact": None})))
    engine.dispose()
    with served(url) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page



def test_a_gp_sees_social_care_and_the_practice_manager_does_not(server: str,
                                                                page: Page) -> None:
    sign_in(page, server, "gp", f"/people/{IN_AREA}")
    expect(page.locator("#social-care")).to_have_text("Social care")
    expect(page.locator("#social-care-current")).to_have_text(
        "High intensity, 21 hours a week, since 2 February 2024")
    expect(page.locator("#social-care-earlier")).to_contain_text(
        f"5 January 2023 to 1 February 2024: {XSS} intensity, 4.5 hours a week")
    expect(page.locator("#social-care-assessment")).to_have_text("10 January 2024")
    expect(page.locator("#social-care-review")).to_have_text("1 June 2024")
    expect(page.locator("#timeline")).to_contain_text(
        "2 February 2024: Social care package started – high intensity, 21 hours a week")
    assert page.evaluate("window.hacked") is None
    assert page.locator("iframe").count() == 0
    shot(page, "socialcare-person-gp")

    sign_in(page, server, "pm", f"/people/{IN_AREA}")
    expect(page.locator("h1")).to_contain_text("NHS number")
    expect(page.locator("#social-care")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Social care package")  # the timeline
    expect(page.locator("body")).not_to_contain_text("21 hours a week")
    shot(page, "socialcare-person-practice-manager")
