"""In a real browser (Debian's Chromium driven by Playwright) over a real server (CM-2):
an administrator makes a case manager the team lead of locality L1; the matron, over her
cap, saves the rebalancing proposal from the preview; the lead approves it (the people
move to the lead's caseload) and undoes it (they are back on the matron's). Then an
out-of-hours clinician opens a person through break-glass and lands on the out-of-hours
summary, never the full record (CM-5). Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role, User
from ltc.care.casemgmt import services
from ltc.care.casemgmt.models import CaseManager
from ltc.care.db import make_engine, sessions, unit_of_work, upgrade

from ..browsing import chromium_page, served, shot, sign_in
from ..care import IN_AREA, IN_AREA_2, LOW, PASSWORD, seed

SHOWN = "943 476 5919"  # IN_AREA as pages show it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("proposals")
    url = f"sqlite:///{folder / 'care.db'}"
    upgrade(url)
    seed(url)
    engine = make_engine(url)
    with unit_of_work(sessions(engine)) as s:
        lead = auth.create_user(s, "lead", "Lena Lead", Role.CASE_MANAGER, PASSWORD)
        s.add(CaseManager(user_id=lead.id, job_title="Community matron", locality_code="L1"))
        auth.create_user(s, "ooh", "Owen Outofhours", Role.OUT_OF_HOURS, PASSWORD)
        matron = s.scalar(select(User).where(User.username == "matron"))
        assert matron is not None
        for nhs in (IN_AREA, IN_AREA_2, LOW):
            services.allocate(s, nhs, matron.id, matron)
        cm = s.get(CaseManager, matron.id)
        assert cm is not None
        cm.hard_stop = 1  # over her cap: two people must move
    engine.dispose()
    with served(url) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page



def test_a_lead_approves_and_undoes_a_saved_proposal(server: str, page: Page) -> None:
    base = server
    sign_in(page, base, "admin", "/admin/users")
    page.get_by_role("link", name="lead").first.click()
    page.get_by_label("Team lead").check()
    page.get_by_role("button", name="Save the profile").click()
    page.wait_for_url("**note=profile")

    sign_in(page, base, "matron", "/caseloads/rebalance")
    expect(page.locator("#moves")).to_contain_text("Lena Lead")
    page.get_by_role("button", name="Save proposal").click()
    page.wait_for_url("**/caseloads/proposals?note=saved")
    expect(page.get_by_role("button", name="Approve proposal 1")).to_have_count(0)

    sign_in(page, base, "lead", "/caseloads/proposals")
    page.get_by_role("button", name="Approve proposal 1").click()
    page.wait_for_url("**note=approved")
    expect(page.locator("#proposal-1")).to_contain_text("approved")
    shot(page, "proposals-01-approved")
    page.goto(f"{base}/caseload")
    expect(page.locator("main")).to_contain_text(SHOWN)

    page.goto(f"{base}/caseloads/proposals")
    page.get_by_role("button", name="Undo proposal 1").click()
    page.wait_for_url("**note=undone")
    expect(page.locator("#proposal-1")).to_contain_text("undone")
    page.goto(f"{base}/caseload")
    expect(page.locator("main")).not_to_contain_text(SHOWN)


def test_out_of_hours_break_glass_opens_the_summary(server: str, page: Page) -> None:
    base = server
    sign_in(page, base, "ooh", f"/break-glass/{IN_AREA}")
    page.get_by_label("Reason for emergency access").fill(
        "999 call at night: collapsed at home, no other record")
    page.get_by_role("button", name="Open the record").click()
    page.wait_for_url(f"**/people/{IN_AREA}/out-of-hours")
    expect(page.locator("#allergies")).to_contain_text("None recorded in LTC")
    shot(page, "outofhours-01-summary")
    assert page.goto(f"{base}/people/{IN_AREA}").status == 404  # type: ignore[union-attr]
