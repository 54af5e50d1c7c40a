"""The recall pages over HTTP (DM-2): a practice's team sees its own practice's list
(each person shown audited), invites from it (one or those ticked), sends the outbox, opens
a person's recall page and the printed letter; clinicians record a review that shows as
done on the list and the person page at once; a practice manager invites but records no
review; markup typed in shows as text; the person page prompts what is due."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ltc.care.audit.models import AuditEvent
from ltc.care.recall.models import Invitation, RecallReview

from ..care import IN_AREA, LOW, OTHER_AREA, Community, db, signed_in
from ..contacts.team import add_team, signed_in_as
from .setup import add_recall

XSS = "<script>alert(1)</script><iframe src=x></iframe>"


def _ready(community: Community) -> None:
    add_recall(community.url)
    add_team(community.url, community.users)


def test_the_list_is_the_practices_own_and_each_person_is_audited(
        app: Any, community: Community) -> None:
    _ready(community)
    nurse = signed_in_as(app, "nurse", "/recall")
    page = nurse.get("/recall")
    assert page.status_code == 200
    assert page.text.index("943 476 5919") < page.text.index("900 000 0025")  # by due date
    assert "COPD review" in page.text
    assert "Spirometry (FEV1, FVC)" in page.text
    assert "900 000 0017" not in page.text  # practice P2's
    with db(community.url) as s:
        listed = s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.action == "list", AuditEvent.what == "GET /recall")).all()
    assert sorted(listed) == sorted([IN_AREA, LOW] * 2)  # the list was read twice
    other = signed_in_as(app, "nurse2", "/recall").get("/recall")
    assert "900 000 0017" in other.text
    assert "943 476 5919" not in other.text
    filtered = nurse.get("/recall", params={"item": "inhaler_technique"})
    assert "900 000 0025" in filtered.text
    assert "943 476 5919" not in filtered.text
    assert signed_in(app, "matron").get("/recall").status_code == 403  # no practice list
    assert signed_in(app, "analyst").get("/recall").status_code == 403


def test_invite_from_the_list_then_send_the_outbox(app: Any, community: Community,
                                                   tmp_path: Path) -> None:
    _ready(community)
    app.state.data_dir = tmp_path
    manager = signed_in_as(app, "pm", "/recall")  # inviting is not a clinical finding
    done = manager.post("/recall/invitations", data={
        "nhs_number": [IN_AREA, LOW, OTHER_AREA], "back": "/recall?status=overdue"})
    assert done.status_code == 200
    assert "2 people invited" in done.text
    assert "900 000 0017: no such person" in done.text  # another practice's
    assert 'href="/recall?status=overdue"' in done.text
    page = manager.get("/recall")
    assert "3 letters and text messages are waiting in the outbox" in page.text
    sent = manager.post("/recall/outbox", follow_redirects=False)
    assert sent.headers["location"] == "/recall?sent=3"
    assert "3 letters and text messages sent to the outbox" in manager.get(
        sent.headers["location"]).text
    records = [json.loads(line) for f in (tmp_path / "outbox").glob("invitations-*.jsonl")
               for line in f.read_text().splitlines()]
    assert sorted(r["channel"] for r in records) == ["letter", "letter", "sms"]
    letters = sorted((tmp_path / "outbox" / "letters").glob("*.pdf"))
    assert len(letters) == 2
    assert all(p.read_bytes().startswith(b"%PDF") for p in letters)
    one = manager.post("/recall/invitations", data={"only": LOW}).text
    assert "invite again 7 days or more after that" in one
    nobody = manager.post("/recall/invitations", data={})
    assert nobody.status_code == 422
    assert "Select the people to invite" in nobody.text


def test_a_person_invited_and_a_review_recorded_shows_as_done_at_once(
        app: Any, community: Community) -> None:
    _ready(community)
    gp = signed_in(app, "gp")
    summary = gp.get(f"/people/{IN_AREA}").text
    assert 'id="recall-due"' in summary
    assert "COPD review" in summary
    invited = gp.post(f"/people/{IN_AREA}/recall/invitations", follow_redirects=True)
    assert "Invitation sent to the outbox" in invited.text
    assert "COPD review, Spirometry (FEV1, FVC)" in invited.text
    with db(community.url) as s:
        invitation = s.scalars(select(Invitation)).one()
    pdf = gp.get(f"/people/{IN_AREA}/recall/invitations/{invitation.id}/letter.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert gp.get(f"/people/{LOW}/recall/invitations/{invitation.id}/letter.pdf"
                  ).status_code == 404  # another person's invitation
    saved = gp.post(f"/people/{IN_AREA}/recall/reviews",
                    data={"item": "copd:spirometry", "outcome": "done",
                          "on": date.today().isoformat(), "note": XSS},
                    follow_redirects=True)
    assert "Review recorded" in saved.text
    assert XSS not in saved.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in saved.text
    row = saved.text.split('id="item-copd-spirometry"')[1].split("</tr>")[0]
    assert "Done" in row
    assert "recorded here" in row
    listed = gp.get("/recall", params={"status": "done"}).text
    item = listed.split('id="recall-9434765919"')[1].split("</tr>")[0]
    assert "Spirometry (FEV1, FVC)" in item
    assert "recorded here" in item
    assert "Review item recorded" in gp.get(f"/people/{IN_AREA}").text  # the timeline
    wrong = gp.post(f"/people/{IN_AREA}/recall/reviews",
                    data={"item": "copd:review", "outcome": "excepted", "on": "2025-04-02"})
    assert wrong.status_code == 422
    assert "Reason (reason): this is empty" in wrong.text


def test_a_practice_manager_reads_but_records_no_review(app: Any,
                                                        community: Community) -> None:
    _ready(community)
    manager = signed_in_as(app, "pm", "/recall")
    page = manager.get(f"/people/{IN_AREA}/recall")
    assert page.status_code == 200
    assert 'id="review-form"' not in page.text
    assert 'id="invite-person"' in page.text
    refused = manager.post(f"/people/{IN_AREA}/recall/reviews",
                           data={"item": "copd:review", "outcome": "done", "on": "2025-04-02"})
    assert refused.status_code == 404  # the route is not the manager's: as for no one
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(RecallReview)) == 0
