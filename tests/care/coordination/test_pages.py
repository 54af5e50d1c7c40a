"""Co-ordination pages (VW-2, POP-5) on SQLite and PostgreSQL: the co-ordinator's worklist
(each person shown one ``list`` audit row; not a co-ordinator's), a GP's referral from the
person page, a case manager's from the hidden populations page, a refused attempt naming
its field, the co-designed assessment's form naming a wrong question, and the care plan
form pre-filled with the needs a response suggests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ltc.care.audit.models import AuditEvent
from ltc.care.coordination.models import ContactAttempt, CoordinatorReferral

from ..care import IN_AREA, OTHER_AREA, Community, db, signed_in


def _last(url: str) -> int:
    with db(url) as s:
        return s.scalar(select(func.max(AuditEvent.seq))) or 0


def _since(url: str, seq: int) -> list[AuditEvent]:
    with db(url) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.seq > seq,
                                                       AuditEvent.nhs_number.is_not(None))))


def test_the_worklist_shows_a_gps_referral_and_audits_each_person(
        app: Any, community: Community) -> None:
    gp2 = signed_in(app, "gp2")
    r = gp2.post(f"/people/{OTHER_AREA}/coordination/referral",
                 data={"reason": "Lives alone <b>and</b> falls"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/people/{OTHER_AREA}?note=referred"
    coordinator = signed_in(app, "matron2")
    last = _last(community.url)
    page = coordinator.get("/coordination")
    assert page.status_code == 200
    assert "Referred by a GP; Identified by the tool" in page.text
    assert "Lives alone &lt;b&gt;and&lt;/b&gt; falls" in page.text
    assert IN_AREA not in page.text  # another locality
    assert [(a.nhs_number, a.action, a.what) for a in _since(community.url, last)] == [
        (OTHER_AREA, "list", "GET /coordination")]
    matron = signed_in(app, "matron").get("/coordination")
    assert "This worklist is for integrated care co-ordinators" in matron.text
    assert signed_in(app, "gp").get("/coordination").status_code == 403


def test_a_case_manager_refers_from_the_hidden_page(app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    assert f'id="refer-{IN_AREA}"' in matron.get("/hidden").text
    r = matron.post(f"/people/{IN_AREA}/coordination/referral",
                    data={"source": "hidden_population", "back": "hidden",
                          "reason": "Hidden population"}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/hidden?note=referred")
    page = matron.get("/hidden").text
    assert f'id="refer-{IN_AREA}"' not in page
    assert '<span class="referred">Referred</span>' in page
    with db(community.url) as s:
        row = s.scalars(select(CoordinatorReferral)).one()
    assert (row.nhs_number, row.source, row.locality_code) == (IN_AREA, "hidden_population",
                                                               "L1")


def test_a_refused_attempt_names_its_field_and_saves_nothing(
        app: Any, community: Community) -> None:
    r = signed_in(app, "matron").post(f"/people/{IN_AREA}/coordination/attempts", data={
        "at": "2025-04-02T10:30", "method": "pigeon", "outcome": "no_answer"})
    assert r.status_code == 422
    assert "method: expected one of phone, visit, letter, text" in r.text
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(ContactAttempt)) == 0


def test_the_codesigned_assessment_feeds_the_care_plan_form(
        app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    form = matron.get(f"/people/{IN_AREA}/assessment/codesigned")
    assert "Social care" in form.text
    assert 'name="money_worries"' in form.text
    bad = matron.post(f"/people/{IN_AREA}/assessment/codesigned",
                      data={"admissions": "lots", "falls": "yes"})
    assert bad.status_code == 422
    assert 'href="#q-admissions"' in bad.text
    assert "Emergency admissions in the last 12 months Give a whole number" in bad.text
    assert '<option value="yes" selected>' in bad.text  # what was typed is kept
    ok = matron.post(f"/people/{IN_AREA}/assessment/codesigned",
                     data={"falls": "yes", "carer_coping": "Struggling"},
                     follow_redirects=False)
    assert ok.status_code == 303
    person = matron.get(f"/people/{IN_AREA}").text
    assert "Falls risk assessment and prevention; Carer&#39;s assessment and respite" in person
    plan = matron.get(f"/people/{IN_AREA}/careplan").text
    assert 'id="suggested-needs"' in plan
    needs = plan.split('name="needs" rows="3">')[1].split("</textarea>")[0]
    assert needs == "Falls risk assessment and prevention\nCarer&#39;s assessment and respite"
    responses = matron.get(f"/people/{IN_AREA}/assessment/codesigned/responses").text
    assert "version 2 of the questionnaire" in responses


def test_three_unanswered_attempts_offer_to_record_uncontactable(
        app: Any, community: Community) -> None:
    matron = signed_in(app, "matron")
    for i, outcome in enumerate(("no_answer", "left_message", "no_answer")):
        r = matron.post(f"/people/{IN_AREA}/coordination/attempts", data={
            "at": f"2025-04-0{i + 1}T10:30", "method": "phone", "outcome": outcome},
            follow_redirects=False)
        assert r.status_code == 303
        shown = 'id="uncontactable-suggested"' in matron.get(f"/people/{IN_AREA}").text
        assert shown is (i == 2)
    person = matron.get(f"/people/{IN_AREA}").text
    assert 'name="outcome" value="uncontactable"' in person
    done = matron.post(f"/people/{IN_AREA}/approach", data={
        "outcome": "uncontactable", "on": "2025-04-03", "note": "Three unanswered"},
        follow_redirects=False)
    assert done.status_code == 303
    assert 'id="uncontactable-suggested"' not in matron.get(f"/people/{IN_AREA}").text
