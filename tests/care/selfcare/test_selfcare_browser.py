"""In a real browser (Debian's Chromium driven by Playwright) over a real server (SC-2,
SC-4, SC-5; DM-3): a GP records a home blood pressure reading out of range for a person
whose named contact is the practice nurse (and who is on a case manager's caseload: the
named contact comes first); the nurse finds the prompt in her tasks and inbox, opens the
person and sees the reading against its target and the chart; she records a goal with
its action plan, which shows on the self-care page and the person's copy; she finds a
resource by need and suggests it, and it shows on the person page. Markup typed into the
free text shows as text. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from ltc.care.auth.models import User
from ltc.care.casemgmt import services as cases
from ltc.care.contacts import services as contacts
from ltc.care.db import make_engine, sessions, unit_of_work, upgrade

from ..browsing import chromium_page, served, shot, sign_in
from ..care import IN_AREA, seed
from ..contacts.team import add_team

XSS = "<script>window.hacked=1</script><iframe src=x></iframe>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('selfcare') / 'care.db'}"
    upgrade(url)
    community = seed(url)
    engine = make_engine(url)
    users = add_team(url, community.users)
    with unit_of_work(sessions(engine)) as s:
        matron, gp = s.get(User, users["matron"]), s.get(User, users["gp"])
        assert matron is not None
        assert gp is not None
        cases.allocate(s, IN_AREA, matron.id, matron)  # on the matron's caseload
        contacts.set_contact(s, IN_AREA, users["nurse"], gp)  # named contact: the nurse
    engine.dispose()
    with served(url) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page



def test_an_out_of_range_reading_prompts_and_a_goal_and_a_resource_are_recorded(
        server: str, page: Page) -> None:
    # a practice clinician records a home blood pressure above the person's target
    sign_in(page, server, "gp", f"/people/{IN_AREA}")
    page.locator("#selfcare-link").click()
    page.wait_for_url(f"**/people/{IN_AREA}/selfcare")
    taken = (datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.locator("#reading_measure").select_option("blood_pressure")
    page.locator("#reading_value").fill("172")
    page.locator("#reading_value2").fill("96")
    page.locator("#reading_taken_at").fill(taken)
    page.locator("#reading_place").select_option("home")
    page.locator("#reading_reported_by").select_option("person")
    page.locator("#reading_note").fill(f"Headache this morning {XSS}")
    page.get_by_role("button", name="Record the reading").click()
    page.wait_for_url("**/selfcare?note=reading-prompted#readings")
    expect(page.locator("#selfcare-note")).to_contain_text("It is out of range")
    row = page.locator("#selfcare-readings tbody tr").first
    expect(row).to_contain_text("172/96 mmHg")
    expect(row).to_contain_text("below 145/85 mmHg")  # aged 84, at home (NICE NG136)
    expect(row).to_contain_text("Prompt: Task and alert for Nia Nurse (named contact)")
    expect(row).to_contain_text(f"Headache this morning {XSS}")
    assert page.locator("svg[role=img] circle.ltc-chart-dot").count() == 2
    shot(page, "selfcare-01-reading")

    # the named contact finds the prompt in her tasks and inbox, and opens the person
    sign_in(page, server, "nurse", "/tasks")
    task = page.locator("#tasks tbody tr", has_text="Self-monitoring: blood pressure")
    expect(task).to_contain_text("172/96 mmHg")
    page.goto(f"{server}/inbox")
    alert = page.locator("#inbox-open tbody tr", has_text="Self-monitoring: blood pressure")
    expect(alert).to_have_count(1)
    shot(page, "selfcare-02-inbox")
    alert.get_by_role("link", name="943 476 5919").click()
    page.wait_for_url(f"**/people/{IN_AREA}")
    latest = page.locator("#selfcare-latest")
    expect(latest).to_contain_text("Out of range")
    expect(latest).to_contain_text("172/96 mmHg")

    # a goal with its action plan, in the person's words
    page.locator("#selfcare-link").click()
    page.wait_for_url(f"**/people/{IN_AREA}/selfcare")
    page.locator("#goal_text").fill(f"Get my blood pressure down so I can garden {XSS}")
    page.locator("#goal_steps").fill("Take my tablets every morning\nWalk for 20 minutes")
    page.locator("#goal_when").fill("If my blood pressure is over 180/110, call the practice "
                                    "the same day")
    page.locator("#goal_review_on").fill(
        (datetime.now() + timedelta(days=10)).strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Save the goal").click()
    page.wait_for_url("**/selfcare?note=goal#goals")
    goal = page.locator(".nhsuk-card", has_text="so I can garden")
    expect(goal).to_contain_text(f"Get my blood pressure down so I can garden {XSS}")
    expect(goal.locator(".selfcare-steps li")).to_have_count(2)
    expect(goal).to_contain_text("If my blood pressure is over 180/110, call the practice")
    expect(goal).to_contain_text("Review due")  # within 14 days
    shot(page, "selfcare-03-goal")
    page.goto(f"{server}/people/{IN_AREA}/selfcare/plan")
    expect(page.locator("main")).to_contain_text("What I will do when:")
    expect(page.locator("main")).to_contain_text("Take my tablets every morning")

    # a resource found by need, and suggested
    page.goto(f"{server}/people/{IN_AREA}/selfcare/directory")
    page.locator("#need").select_option("physical_activity")
    page.locator("#place").select_option("")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**need=physical_activity**")
    card = page.locator("#resource-demo_walking_north")
    expect(card).to_contain_text("Riverside Health Walks")
    card.locator("input[name=note]").fill("Starts from the library")
    card.get_by_role("button", name="Suggest").click()
    page.wait_for_url("**/selfcare?note=suggested#suggestions")
    expect(page.locator("#selfcare-suggestion-list")).to_contain_text(
        "Riverside Health Walks (demonstration)")
    page.goto(f"{server}/people/{IN_AREA}")
    expect(page.locator("#selfcare-suggestions")).to_contain_text("Riverside Health Walks")
    expect(page.locator("#selfcare-goals-due")).to_contain_text("so I can garden")
    assert page.locator("iframe").count() == 0
    assert page.evaluate("window.hacked") is None
    shot(page, "selfcare-04-person")
