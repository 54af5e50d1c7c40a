"""In a real browser (Debian's Chromium driven by Playwright) over a real server: a case
manager signs in, opens the worklist, allocates a candidate, records consent, completes an
assessment, writes and saves a care plan, downloads its PDF and sees the person summary;
markup typed into every free-text field shows as text. Screenshots go to
``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
from ltc.care.people.models import Person

from .browsing import chromium_page, served, shot
from .care import IN_AREA, PASSWORD, seed

XSS = "<script>window.hacked=1</script><iframe src=x></iframe>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'care.db'}"
    upgrade(url)
    seed(url)
    with unit_of_work(sessions(make_engine(url))) as s:  # who the person is, for the banner
        person = s.get(Person, IN_AREA)
        assert person is not None
        person.given_name, person.family_name = "Mary Ann", "O'Brien"
        person.address, person.postcode = "12 Mill Lane, Castleford", "LT1 2AB"
    with served(url) as base:
        yield base


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Page]:
    with chromium_page(accept_downloads=True) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs  # type: ignore[attr-defined]
        yield page


def test_a_case_manager_works_a_candidate_through_to_a_care_plan(
        server: str, browser_page: Page, tmp_path: Path) -> None:
    page = browser_page
    page.goto(f"{server}/worklist")
    assert "/login" in page.url  # not signed in yet
    page.get_by_label("User name").fill("matron")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/worklist")
    shot(page, "01-worklist")
    assert page.locator("h1").count() == 1
    rows = page.locator("#worklist tbody tr")
    assert rows.count() == 2
    page.get_by_role("link", name="943 476 5919").click()
    page.wait_for_url(f"**/people/{IN_AREA}")
    shot(page, "02-person-before")

    # allocate to the suggested case manager, then record consent
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_url(f"**/people/{IN_AREA}**")
    assert page.locator("#case-manager").inner_text() == "Matron"
    page.locator("#outcome").select_option("agreed")
    page.locator("#approach_note").fill(f"Agreed at home {XSS}")
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_url(f"**/people/{IN_AREA}**")
    assert "Agreed at home <script>" in page.locator("#timeline").inner_text()

    # the assessment: PHQ-2 answered, the other scales left out, a note
    page.goto(f"{server}/people/{IN_AREA}/assessment")
    assert page.locator("h1").count() == 1
    for scale in ("barthel", "lawton", "phq9"):
        page.locator(f"#omit-{scale}").check()
    page.locator('input[name="phq2.item1"][value="2"]').check()
    page.locator('input[name="phq2.item2"][value="1"]').check()
    page.locator("#physical").fill(f"Breathless on stairs {XSS}")
    shot(page, "03-assessment")
    page.get_by_role("button", name="Save the assessment").click()
    page.wait_for_url("**/assessment/versions**")
    assert "Breathless" not in page.url
    assessed = page.locator("main").inner_text()
    assert "PHQ-2" in assessed
    assert "3" in assessed  # the PHQ-2 total: 2 + 1

    # the care plan, with markup in every free-text field
    page.goto(f"{server}/people/{IN_AREA}")
    page.get_by_role("link", name="Write the care plan").click()
    page.wait_for_url(f"**/people/{IN_AREA}/careplan")
    for field in ("goals", "needs", "person_contribution", "prevention", "emergency_plan",
                  "participants"):
        page.locator(f"#{field}").fill(f"{field} {XSS}")
    page.locator("#action_0_who").fill(f"Jo Matron {XSS}")
    page.locator("#action_0_agency").fill(f"Community nursing {XSS}")
    page.locator("#action_0_what").fill(f"Visit weekly {XSS}")
    page.locator("#action_0_by").fill("2025-05-01")
    page.locator("#review_date").fill("2025-07-01")
    page.get_by_label("Status").select_option("active")
    shot(page, "04-careplan-form")
    page.get_by_role("button", name="Save the care plan").click()
    page.wait_for_url("**/careplan/versions?saved=1")
    assert "Version 1 saved" in page.content()

    # the person's copy shows every field as text, and runs none of it
    page.goto(f"{server}/people/{IN_AREA}/careplan/copy")
    text = page.locator("body").inner_text()
    for field in ("goals", "needs", "person_contribution", "prevention", "emergency_plan",
                  "participants"):
        assert f"{field} {XSS}" in text, field
    assert "Visit weekly <script>" in text
    assert page.locator("iframe").count() == 0
    assert page.evaluate("window.hacked") is None
    shot(page, "05-person-copy")

    # the PDF downloads
    page.goto(f"{server}/people/{IN_AREA}/careplan/versions")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()
    saved = tmp_path / "plan.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    # the person summary shows the plan, the named case manager and the timeline
    page.goto(f"{server}/people/{IN_AREA}")
    summary = page.locator("main").inner_text()
    assert "Version 1 (active)" in summary
    assert "Matron" in page.locator("#case-manager").inner_text()
    assert page.locator("iframe").count() == 0
    assert page.evaluate("window.hacked") is None
    assert page.dialogs == []  # type: ignore[attr-defined]
    shot(page, "06-person-after")


def test_every_person_page_shows_the_patient_banner(server: str, browser_page: Page) -> None:
    page = browser_page
    page.goto(f"{server}/people/{IN_AREA}")
    if "/login" in page.url:
        page.get_by_label("User name").fill("matron")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/people/{IN_AREA}")
    for path in ("", "/assessment", "/careplan", "/careplan/versions",
                 "/assessment/versions"):
        page.goto(f"{server}/people/{IN_AREA}{path}")
        banner = page.locator("#patient-banner")
        assert banner.count() == 1, path
        assert page.locator("#banner-name").inner_text() == "O'BRIEN, Mary Ann", path
        assert page.locator("#banner-nhs-number").inner_text() == "943 476 5919", path
        assert page.locator("#banner-dob").inner_text().startswith("17-May-1940 ("), path
        assert page.locator("#banner-sex").inner_text() == "Female"
        assert page.locator("#banner-address").inner_text() == \
            "12 Mill Lane, Castleford, LT1 2AB"
    shot(page, "07-patient-banner")
    # the worklist and the caseload name their people too (on one or the other, as the
    # person may have been allocated already)
    listed = ""
    for path in ("/worklist", "/caseload"):
        page.goto(f"{server}{path}")
        listed += page.locator("main").inner_text()
    assert "O'BRIEN, Mary Ann" in listed
    assert "Name not known" in listed  # the seeded people without a name say so
