"""The care plan's end of life and advance care planning and its carers (CM-5, issue 15
items 4 and 5), on SQLite and PostgreSQL: each mistake refused naming the field; every
version keeps both sections (the carers and the palliative care register as they were
when it was saved; the newest version as they are now); a plan saved before the sections
existed still reads; the form, the API, the person's copy, the PDF and the FHIR export
carry them."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B.careplan import CarePlan
from sqlalchemy import update

from ltc.care.auth.models import User
from ltc.care.careplans import carers
from ltc.care.careplans import services as plans
from ltc.care.careplans.models import CarePlanVersion
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import PersonResult
from web.careplans.test_export import _pdf_text  # the PDF's words, as the export tests read them

from ..care import IN_AREA, Community, api_client, signed_in

EOL = {"preferred_place_of_care": "Home, with my daughter",
       "preferred_place_of_death": "Loros hospice", "dnacpr": "in_place",
       "dnacpr_form_location": "Blue folder by the front door",
       "lpa_health_welfare": "yes", "lpa_attorney": "Susan Clarke"}
PLAN = {"status": "draft", "goals": ["Stay at home"], "end_of_life": EOL}
SUSAN = {"name": "Susan Clarke", "relationship": "daughter", "telephone": "07700 900123",
         "consents_to_contact": "yes", "main_carer": "yes",
         "assessment_offered_on": "2025-03-01"}


@pytest.mark.parametrize(("change", "words"), [
    ({"dnacpr": "maybe"}, "DNACPR status must be one of none_recorded, in_place, "
                          "not_for_dnacpr"),
    ({"dnacpr_form_location": ""}, "Where the DNACPR form is: say where the signed form"),
    ({"lpa_health_welfare": "perhaps"}, "Lasting power of attorney \\(health and welfare\\) "
                                        "must be yes, no or blank"),
    ({"lpa_attorney": ""}, "Name of the attorney: give the attorney's name"),
    ({"lpa_health_welfare": "no"}, "Name of the attorney: only with a lasting power"),
    ({"preferred_place_of_care": "x" * 301}, "Preferred place of care: at most 300"),
    ({"preferred_place_of_death": "x" * 301}, "Preferred place of death: at most 300"),
])
def test_each_end_of_life_mistake_names_the_field(change: dict[str, str], words: str) -> None:
    with pytest.raises(plans.CarePlanError, match=words):
        plans.clean({**PLAN, "end_of_life": {**EOL, **change}})


def test_the_register_is_never_taken_from_what_is_sent() -> None:
    cleaned = plans.clean({**PLAN, "end_of_life": {**EOL, "palliative_register": True}})
    assert "palliative_register" not in cleaned["end_of_life"]
    assert plans.clean({"status": "draft"})["end_of_life"]["dnacpr"] == "none_recorded"


def _store(community: Community) -> Any:
    return unit_of_work(sessions(make_engine(community.url)))


def _on_palliative_register(community: Community) -> None:
    with _store(community) as s:
        s.execute(update(PersonResult).where(PersonResult.nhs_number == IN_AREA).values(
            registers="copd,palliative_care"))


def test_versions_keep_the_sections_as_they_were(community: Community) -> None:
    with _store(community) as s:
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        carers.add(s, IN_AREA, SUSAN, matron)
        one = plans.save(s, IN_AREA, PLAN, 0, matron)
        assert one.content["carers"][0]["name"] == "Susan Clarke"
        assert one.content["end_of_life"] == {**EOL, "palliative_register": False}
    _on_palliative_register(community)
    with _store(community) as s:
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        tom = carers.add(s, IN_AREA, {"name": "Tom Clarke", "relationship": "son"}, matron)
        two = plans.save(s, IN_AREA, {**PLAN, "end_of_life": {**EOL, "dnacpr": "not_for_dnacpr"}},
                         1, matron)
        assert [c["name"] for c in two.content["carers"]] == ["Susan Clarke", "Tom Clarke"]
        assert two.content["end_of_life"]["palliative_register"] is True
        carers.end(s, tom, "")
        s.flush()
        old = plans.document(s, plans.PLANS.version(s, IN_AREA, 1))  # type: ignore[arg-type]
        new = plans.document(s, two)
        # version 1 as it was: one carer, DNACPR in place, not on the register then
        assert [c.name for c in old.carers] == ["Susan Clarke"]
        assert old.end_of_life.dnacpr == "in_place"
        assert old.end_of_life.palliative_register is False
        # the newest version as things are now: Tom ended, on the register
        assert [c.name for c in new.carers] == ["Susan Clarke"]
        assert new.end_of_life.dnacpr == "not_for_dnacpr"
        assert new.end_of_life.palliative_register is True
        # the comparison of versions shows the sections
        lines = plans.as_lines(two.content)
        assert "DNACPR: Not for DNACPR: attempt CPR" in lines
        assert "End-of-life register: On the palliative care register" in lines
        assert ("Carer: Tom Clarke (son) — does not consent to contact") in lines
        assert ("Lasting power of attorney (health and welfare): Yes: Susan Clarke is the "
                "attorney") in lines


def test_a_plan_saved_before_the_sections_still_reads(community: Community) -> None:
    with _store(community) as s:
        s.add(CarePlanVersion(nhs_number=IN_AREA, version=1, status="draft",
                              author_id=community.users["matron"],
                              content={"status": "draft", "goals": ["Old goal"]}))
        s.flush()
        doc = plans.document(s, plans.PLANS.latest(s, IN_AREA))  # type: ignore[arg-type]
        assert doc.goals == ("Old goal",)
        assert doc.carers == ()
        assert doc.end_of_life.lines() == [("DNACPR", "No DNACPR decision recorded")]


def test_the_form_page_copy_pdf_and_fhir_carry_both_sections(app: Any,
                                                             community: Community) -> None:
    _on_palliative_register(community)
    page = signed_in(app, "matron")
    added = page.post(f"/people/{IN_AREA}/carers", data=SUSAN, follow_redirects=False)
    assert added.status_code == 303
    form = page.get(f"/people/{IN_AREA}/careplan")
    assert 'id="palliative-register">On the palliative care register' in form.text
    assert "Susan Clarke (daughter), 07700 900123 — consents to contact" in form.text
    assert 'id="banner-carer"' in form.text
    refused = page.post(f"/people/{IN_AREA}/careplan", data={
        "based_on": "0", "status": "draft", "eol_dnacpr": "in_place"})
    assert refused.status_code == 422
    assert "Where the DNACPR form is" in refused.text
    saved = page.post(f"/people/{IN_AREA}/careplan", data={
        "based_on": "0", "status": "draft", "goals": "Stay at home",
        **{f"eol_{k}": v for k, v in EOL.items()}}, follow_redirects=False)
    assert saved.status_code == 303
    again = page.get(f"/people/{IN_AREA}/careplan").text
    assert 'value="Blue folder by the front door"' in again
    assert '<option value="in_place" selected>' in again

    copy = page.get(f"/people/{IN_AREA}/careplan/copy").text
    for words in ("My carers and family", "Main carer: Susan Clarke (daughter), 07700 900123 "
                  "— consents to contact", "Carer&#39;s assessment offered on 1 March 2025",
                  "Planning ahead: my wishes for the end of my life",
                  "On the palliative care register", "Loros hospice",
                  "Blue folder by the front door", "Susan Clarke is the attorney"):
        assert words in copy
    text = _pdf_text(page.get(f"/people/{IN_AREA}/careplan.pdf").content)
    for words in ("My carers and family", "Susan Clarke (daughter), 07700 900123",
                  "DNACPR decision in place: do not attempt CPR", "Loros hospice",
                  "Home, with my daughter", "On the palliative care register"):
        assert words in text

    fhir = api_client(app, "matron").get(f"/api/v1/people/{IN_AREA}/careplan/fhir").json()
    CarePlan.model_validate(fhir)
    related = [r for r in fhir["contained"] if r["resourceType"] == "RelatedPerson"]
    assert [(r["name"][0]["text"], r["relationship"][0]["text"], r["telecom"][0]["value"])
            for r in related] == [("Susan Clarke", "daughter", "07700 900123")]
    team = next(r for r in fhir["contained"] if r["resourceType"] == "CareTeam")
    assert {"role": [{"text": "Main carer"}], "member": {
        "reference": "#carer-1", "type": "RelatedPerson", "display": "Susan Clarke"}
        } in team["participant"]
    notes = [n["text"] for n in fhir["note"]]
    assert "End of life: DNACPR: DNACPR decision in place: do not attempt CPR" in notes
    assert "End of life: End-of-life register: On the palliative care register" in notes
    assert "End of life: Preferred place of death: Loros hospice" in notes


def test_the_api_saves_the_end_of_life_section(app: Any, community: Community) -> None:
    client = api_client(app, "matron")
    bad = client.put(f"/api/v1/people/{IN_AREA}/careplan", headers={"If-Match": '"none-0"'},
                     json={**PLAN, "end_of_life": {**EOL, "lpa_attorney": ""}})
    assert bad.status_code == 422
    assert "Name of the attorney" in bad.text
    ok = client.put(f"/api/v1/people/{IN_AREA}/careplan", headers={"If-Match": '"none-0"'},
                    json=PLAN)
    assert ok.status_code == 200, ok.text
    assert ok.json()["content"]["end_of_life"]["lpa_attorney"] == "Susan Clarke"
    assert ok.json()["content"]["end_of_life"]["palliative_register"] is False
