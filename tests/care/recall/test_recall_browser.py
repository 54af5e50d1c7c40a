"""In a real browser (Debian's Chromium driven by Playwright) over a real server (DM-2,
DM-7): a practice nurse opens her practice's recall list, invites a person due for two
COPD items, sends the outbox (the letter's words are checked there, and its PDF), records
one review item as done, which shows as done on the list and the person page at once;
then she schedules and makes a telephone call whose red-flag answer escalates to the
person's named contact, a GP, who finds a task due today. Screenshots go to
``artifacts/screenshots/``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect

from ltc.care.contacts import services as contacts
from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
from ltc.care.recall.letters import long_date
from ltc.web.app import create_app

from ..browsing import chromium_page, free_port, shot, sign_in
from ..care import IN_AREA, seed
from ..contacts.team import add_team
from .setup import add_recall

XSS = "<script>window.hacked=1</script><iframe src=x></iframe>"


@contextmanager
def served(url: str, data_dir: Path) -> Iterator[str]:
    """The web app over ``url`` with its data folder (where the outbox is), on a free port."""
    port = free_port()
    app = create_app(url, data_dir=data_dir)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("recall")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[str]:
    url = f"sqlite:///{data_dir / 'care.db'}"
    upgrade(url)
    community = seed(url)
    add_team(url, community.users)
    add_recall(url)
    engine = make_engine(url)
    with unit_of_work(sessions(engine)) as s:  # the person's named contact is the GP
        gp = s.get(contacts.User, community.users["gp"])
        assert gp is not None
        contacts.set_contact(s, IN_AREA, gp.id, gp)
    engine.dispose()
    with served(url, data_dir) as base:
        yield base


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as page:
        yield page



def test_a_nurse_invites_from_the_recall_list_and_records_a_review(
        server: str, page: Page, data_dir: Path) -> None:
    sign_in(page, server, "nurse", "/recall")
    row = page.locator(f"#recall-{IN_AREA}")
    expect(row).to_contain_text("Edna")
    expect(row.locator(".recall-overdue")).to_contain_text("COPD review")
    expect(row.locator(".recall-due")).to_contain_text("Spirometry (FEV1, FVC)")
    expect(row).not_to_contain_text("Heart failure review")  # done: not due
    shot(page, "recall-01-list")

    # invite the person ticked, then send what waits in the outbox
    row.locator(f"#select-{IN_AREA}").check()
    page.locator("#invite-selected").click()
    expect(page.locator("#invited")).to_contain_text("943 476 5919: 2 items by letter and "
                                                     "text message")
    page.locator("#back-to-recall").click()
    expect(page.locator("#outbox-form")).to_contain_text(
        "2 letters and text messages are waiting in the outbox")
    page.get_by_role("button", name="Send them").click()
    expect(page.locator("#recall-note")).to_contain_text("2 letters and text messages sent")
    expect(page.locator(f"#recall-{IN_AREA}")).to_contain_text("1, last")
    shot(page, "recall-02-sent")
    outbox = data_dir / "outbox"
    sent = [json.loads(line) for f in outbox.glob("invitations-*.jsonl")
            for line in f.read_text().splitlines()]
    letter = next(m for m in sent if m["channel"] == "letter")
    assert letter["to"] == "Edna Clarke\n4 Mill Lane\nLeicester\nLE1 5WW"
    assert letter["text"].startswith(f"Castle Surgery\n{long_date(date.today())}\n\n"
                                     "NHS number: 943 476 5919\n\nDear Edna Clarke,")
    assert ("- COPD review (COPD): overdue since 1 October 2024\n"
            "- Spirometry (FEV1, FVC) (COPD): due since 1 March 2025") in letter["text"]
    assert (outbox / letter["pdf"]).read_bytes().startswith(b"%PDF")
    text = next(m for m in sent if m["channel"] == "sms")
    assert text["to"] == "07700900461"
    assert "COPD" not in text["text"]

    # the person's recall page: the invitation with its letter, then a review recorded
    page.locator(f"#recall-{IN_AREA}").get_by_role("link", name="943 476 5919").click()
    page.wait_for_url(f"**/people/{IN_AREA}/recall")
    expect(page.locator("#invitation-list")).to_contain_text("COPD review, Spirometry")
    expect(page.locator("#invitation-list")).to_contain_text("letter (sent)")
    page.locator("#review_item").select_option("copd:review")
    page.locator("#review_outcome").select_option("done")
    page.locator("#review_on").fill(date.today().isoformat())
    page.locator("#review_note").fill(f"Reviewed with her daughter {XSS}")
    page.get_by_role("button", name="Record the review item").click()
    page.wait_for_url("**/recall?note=reviewed#items")
    item = page.locator("#item-copd-review")
    expect(item).to_contain_text("Done")
    expect(item).to_contain_text("recorded here")
    expect(page.locator("#review-list")).to_contain_text(f"Reviewed with her daughter {XSS}")
    shot(page, "recall-03-reviewed")

    # done at once on the list and on the person page
    page.goto(f"{server}/recall")
    listed = page.locator(f"#recall-{IN_AREA}")
    expect(listed.locator(".recall-done")).to_contain_text("COPD review")
    expect(listed.locator(".recall-done")).to_contain_text("recorded here")
    expect(listed.locator(".recall-due")).to_contain_text("Spirometry")
    page.goto(f"{server}/people/{IN_AREA}")
    due = page.locator("#recall-due")
    expect(due).to_contain_text("Spirometry (FEV1, FVC)")
    expect(due).not_to_contain_text("COPD review")
    expect(page.locator("#timeline")).to_contain_text("Review item recorded – COPD review")
    assert page.locator("iframe").count() == 0
    assert page.evaluate("window.hacked") is None
    shot(page, "recall-04-person")


def test_a_red_flag_on_a_telephone_check_makes_a_task_for_the_named_contact(
        server: str, page: Page) -> None:
    sign_in(page, server, "nurse", f"/people/{IN_AREA}/phone")
    page.locator("#due_on").fill(date.today().isoformat())
    page.get_by_role("button", name="Schedule the call").click()
    expect(page.locator("#phone-note")).to_contain_text("Call scheduled.")
    page.goto(f"{server}/phone")
    page.locator("#calls-due").get_by_role("link", name="Make the call").click()
    expect(page.locator("#escalates-to")).to_contain_text("Gp (named contact)")
    page.locator("#copd\\.breathless-yes").check()
    page.locator("#copd\\.severe-yes").check()  # a red flag
    page.locator("#medicines\\.taken-no").check()
    page.locator("#coaching").fill("Rescue pack started; pacing")
    shot(page, "phone-01-check")
    page.get_by_role("button", name="Record the call").click()
    expect(page.locator("#phone-note")).to_contain_text("A red flag was escalated today")
    card = page.locator(".nhsuk-card").first
    expect(card).to_contain_text("Task due today and alert for Gp (named contact)")
    expect(card).to_contain_text("Red flag")
    expect(page.locator("#next-call")).to_contain_text("Next call:")
    shot(page, "phone-02-recorded")

    sign_in(page, server, "gp", "/tasks")
    task = page.locator("tr", has_text="Red flag on a telephone check")
    expect(task).to_contain_text("Are you too breathless to speak in sentences")
    expect(task).to_contain_text(long_date(date.today()))
    shot(page, "phone-03-task")
