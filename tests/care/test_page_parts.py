"""Parts of pages rendered once and kept: a person's medicines and encounters from the
current run (``ltc.web.people.panel.activity_html``) and the rows of a kept worklist page
(``ltc.web.casemgmt.pages.rows``). Each is kept by what it shows, so a page never shows
another person's or an older page's part."""

from __future__ import annotations

import json

from ltc.care.db import unit_of_work
from ltc.care.people.models import PersonActivity
from ltc.web.casemgmt import pages as casemgmt_pages
from ltc.web.people import panel

from .care import IN_AREA, IN_AREA_2, Community, signed_in


def _activity(app: object, nhs: str, detail: str, drug: str) -> None:
    with unit_of_work(app.state.sessions) as s:  # type: ignore[attr-defined]
        s.add(PersonActivity(run_id="run-0001", nhs_number=nhs,
                             encounters=json.dumps([["2025-03-01", "0", detail]]),
                             medicines=json.dumps([[drug, "2025-02-01", "3"]])))


def test_medicines_and_encounters_are_rendered_once_per_person(app: object,
                                                               community: Community) -> None:
    _activity(app, IN_AREA, "face to face", "Furosemide 40mg tablets")
    _activity(app, IN_AREA_2, "telephone", "Ramipril 5mg capsules")
    matron = signed_in(app, "matron")
    first = matron.get(f"/people/{IN_AREA}").text
    hits = panel.activity_html.cache_info().hits
    again = matron.get(f"/people/{IN_AREA}").text
    assert panel.activity_html.cache_info().hits == hits + 1
    for page in (first, again):
        assert "face to face" in page
        assert "Furosemide 40mg tablets (last issued 1 February 2025, 3 issues)" in page
    other = matron.get(f"/people/{IN_AREA_2}").text
    assert "Ramipril 5mg capsules" in other
    assert "Furosemide" not in other


def test_a_kept_worklist_page_reuses_its_rows_until_it_changes(app: object,
                                                               community: Community) -> None:
    matron = signed_in(app, "matron")
    first = matron.get("/worklist").text
    hits = casemgmt_pages.rows.cache_info().hits
    assert matron.get("/worklist").text.count(f"/people/{IN_AREA}") == 1
    assert casemgmt_pages.rows.cache_info().hits == hits + 1
    assert f"/people/{IN_AREA}\"" in first
    done = matron.post(f"/people/{IN_AREA}/allocate",
                       data={"case_manager": community.users["matron"]},
                       follow_redirects=False)
    assert done.status_code == 303
    assert f"/people/{IN_AREA}\"" not in matron.get("/worklist").text
