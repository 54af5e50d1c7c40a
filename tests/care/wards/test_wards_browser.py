"""In a real browser (Debian's Chromium driven by Playwright) over a real server (VW-1
acceptance): the ward's co-ordinator admits a person to the virtual ward from the
worklist, the ward board shows them, a daily round is recorded and shows on the board,
the person is discharged with an outcome: the board no longer shows them and the
occupancy page counts the stay. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ltc.care.auth.models import User
from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
from ltc.care.wards import services

from ..browsing import chromium_page, served, shot
from ..care import IN_AREA, PASSWORD, seed


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    folder: Path = tmp_path_factory.mktemp("wards")
    url = f"sqlite:///{folder / 'care.db'}"
    upgrade(url)
    community = seed(url)
    engine = make_engine(url)
    with unit_of_work(sessions(engine)) as s:  # the matron co-ordinates L1's ward
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        ward = services.save_ward(s, matron, services.WardIn(
            "Virtual ward Charnwood", "L1", ["P1"], None, [], 40))
        ward_id = ward.id
    engine.dispose()
    with served(url) as base:
        yield base, ward_id


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page


def test_a_coordinator_admits_rounds_and_discharges(server: tuple[str, int],
                                                    page: Page) -> None:
    base, ward = server
    page.goto(f"{base}/worklist")
    page.get_by_label("User name").fill("matron")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/worklist")

    # from the worklist to the person's ward page, and admitted
    page.locator(f'a[href="/wards/admit?nhs_number={IN_AREA}"]').click()
    page.wait_for_url(f"**/people/{IN_AREA}/ward")
    page.get_by_label("How they come").select_option("worklist")
    page.get_by_label("Reason").fill("Two falls this month; breathless at night")
    page.get_by_role("button", name="Admit to the ward").click()
    expect(page.locator("#ward-note")).to_contain_text("Admitted to the ward.")
    expect(page.locator("#on-ward")).to_contain_text("Virtual ward Charnwood")
    shot(page, "wards-01-admitted")

    # the board shows them, day 0
    page.get_by_role("link", name="Virtual ward Charnwood").click()
    bed = page.locator(f"#bed-{IN_AREA}")
    expect(bed).to_contain_text("943 476 5919")
    expect(page.locator("#beds-taken")).to_contain_text("1 of 40 beds taken")

    # the day's ward round, shown on the board
    bed.get_by_role("link", name="Ward round").click()
    page.get_by_label("Notes").fill("Comfortable, eating well")
    page.get_by_label("Observations").fill("SpO2 95%, pulse 82")
    page.get_by_label("Plan for the day").fill("Nurse visit at noon")
    page.get_by_role("button", name="Save the ward round").click()
    expect(page.locator("#ward-note")).to_contain_text("Ward round saved.")
    expect(page.locator(f"#bed-{IN_AREA}")).to_contain_text("SpO2 95%, pulse 82")
    expect(page.locator(f"#bed-{IN_AREA}")).to_contain_text("today")
    shot(page, "wards-02-board")

    # discharged back to level 2: off the board, counted on the occupancy page
    page.locator(f"#bed-{IN_AREA}").get_by_role("link", name="Discharge").click()
    page.get_by_label("Outcome").select_option("to_level_2")
    page.get_by_label("Note").fill("Settled; back to the practice's care")
    page.get_by_role("button", name="Discharge").click()
    expect(page.locator("#ward-note")).to_contain_text("Discharged from the ward.")
    expect(page.locator("#stays")).to_contain_text("Back to level 2")
    page.goto(f"{base}/wards/{ward}")
    expect(page.locator("#board-empty")).to_contain_text("Nobody is on the ward.")
    page.locator("#occupancy-link").click()
    expect(page.locator("#admissions")).to_have_text("1")
    expect(page.locator("#discharges")).to_have_text("1")
    expect(page.locator("#mean-los")).to_contain_text("0.0 days")
    shot(page, "wards-03-occupancy")
