"""In a real browser (Debian's Chromium driven by Playwright) over a real server (DM-3,
DM-4): a GP makes an MDT meeting for their practice, sees a person's agenda line with why
they are on it, records a decision and an action for the practice nurse with a due date,
and closes the meeting; the action is in the nurse's tasks; the printable record shows the
decision. A practice manager allocates named contacts in bulk (preview, then save) and the
person page shows the named contact. Markup typed into the free text shows as text.
Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
from ltc.care.people.models import Person

from ..browsing import chromium_page, served, shot, sign_in
from ..care import IN_AREA, seed
from ..contacts.team import add_team

XSS = "<script>window.hacked=1</script><iframe src=x></iframe>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('practice') / 'care.db'}"
    upgrade(url)
    community = seed(url)
    add_team(url, community.users)
    engine = make_engine(url)
    with unit_of_work(sessions(engine)) as s:  # who the person is, for the agenda
        person = s.get(Person, IN_AREA)
        assert person is not None
        person.given_name, person.family_name = "Mary Ann", "O'Brien"
    engine.dispose()
    with served(url) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page



def test_a_gp_runs_an_mdt_meeting_and_the_action_reaches_the_nurse(server: str,
                                                                   page: Page) -> None:
    sign_in(page, server, "gp", "/mdt")
    page.locator("#held_on").fill(date.today().isoformat())
    page.get_by_role("button", name="Make the meeting and its agenda").click()
    page.wait_for_url("**/mdt/*?note=made")
    line = page.locator("section.nhsuk-card", has_text="O'BRIEN, Mary Ann")
    expect(line).to_contain_text("New at level 3")
    expect(line).to_contain_text("At level 3 in run-0001 (case-finding rules met)")
    shot(page, "mdt-01-agenda")
    page.get_by_label("Nia Nurse", exact=True).check()
    page.locator("#others").fill(f"Jo Matron, community matron {XSS}")
    page.get_by_role("button", name="Save the attendees").click()
    page.wait_for_url("**note=attendees#attendees")
    expect(page.locator("#attendee-list")).to_contain_text("Nia Nurse")
    expect(page.locator("#attendee-list")).to_contain_text(f"Jo Matron, community matron {XSS}")

    line = page.locator("section.nhsuk-card", has_text="O'BRIEN, Mary Ann")
    line.get_by_label("Discussion notes").fill(f"Two admissions this winter {XSS}")
    line.get_by_label("Decision").fill("Refer to the community matron; medicines review")
    line.get_by_role("button", name="Save the decision").click()
    page.wait_for_url("**note=decision#item-*")
    line = page.locator("section.nhsuk-card", has_text="O'BRIEN, Mary Ann")
    expect(line.locator(".ltc-decision")).to_contain_text("Refer to the community matron")
    line.locator("summary", has_text="Add an action").click()
    due = date.today() + timedelta(days=7)
    line.get_by_label("Action").fill("Medicines review at home")
    line.get_by_label("Owner").select_option(label="Nia Nurse")
    line.get_by_label("Due").fill(due.isoformat())
    line.get_by_role("button", name="Add the action").click()
    page.wait_for_url("**note=action#item-*")
    line = page.locator("section.nhsuk-card", has_text="O'BRIEN, Mary Ann")
    expect(line.locator(".ltc-actions")).to_contain_text("Medicines review at home")
    expect(line.locator(".ltc-actions")).to_contain_text("Nia Nurse")
    shot(page, "mdt-02-decided")
    page.get_by_role("button", name="Close the meeting").click()
    page.wait_for_url("**note=closed")
    expect(page.locator("#mdt-closed")).to_contain_text("Closed on")
    assert page.get_by_role("button", name="Save the decision").count() == 0

    # the printable record shows the decision, and runs none of the markup
    page.locator("#record-link").click()
    page.wait_for_url("**/record")
    record = page.locator("body").inner_text()
    assert "Refer to the community matron; medicines review" in record
    assert f"Two admissions this winter {XSS}" in record
    assert "Medicines review at home" in record
    assert "Draft" not in record
    assert page.locator("iframe").count() == 0
    assert page.evaluate("window.hacked") is None
    page.emulate_media(media="print")
    shot(page, "mdt-03-record")
    page.emulate_media(media="screen")

    # the action is the nurse's task
    sign_in(page, server, "nurse", "/tasks")
    expect(page.locator("main")).to_contain_text("Medicines review at home")
    expect(page.locator("main")).to_contain_text(f"{due.day} {due:%B %Y}")
    shot(page, "mdt-04-nurse-tasks")


def test_a_practice_manager_allocates_named_contacts_in_bulk(server: str,
                                                             page: Page) -> None:
    sign_in(page, server, "pm", "/contacts")
    expect(page.locator("#contacts-waiting")).to_contain_text("people on a register")
    page.get_by_label("Nia Nurse").check()
    page.get_by_label("Gp").check()
    page.get_by_role("button", name="Preview the allocation").click()
    page.wait_for_url("**/contacts/allocation?**")
    expect(page.locator("#preview-total")).to_contain_text("would be given a named contact")
    expect(page.locator("#preview-people")).to_contain_text("O'BRIEN, Mary Ann")
    shot(page, "contacts-01-preview")
    page.get_by_role("button", name="Save the allocation").click()
    page.wait_for_url("**/contacts?note=allocated")
    expect(page.locator("#contacts-note")).to_contain_text("saved")
    expect(page.locator("#contacts-waiting")).to_contain_text("0")
    shot(page, "contacts-02-saved")
    # the person page shows the named contact (the first chosen takes the highest risk:
    # the clinicians are listed by name, Gp before Nia Nurse)
    page.goto(f"{server}/people/{IN_AREA}")
    expect(page.locator("#named-contact-name")).to_contain_text("Gp")
    shot(page, "contacts-03-person")
