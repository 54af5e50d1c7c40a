"""The carers pages (CM-5, issue 15 item 4) over HTTP on SQLite and PostgreSQL: a carer
added shows on the list, in the banner and on the plan; a mistake keeps what was typed
and names the field; another person's carer is not found; ended carers stay listed as
ended."""

from __future__ import annotations

from typing import Any

from ..care import IN_AREA, LOW, Community, signed_in

SUSAN = {"name": "Susan Clarke", "relationship": "daughter", "telephone": "07700 900123",
         "consents_to_contact": "yes", "main_carer": "yes"}


def test_a_carer_is_added_changed_and_ended(app: Any, community: Community) -> None:
    page = signed_in(app, "matron")
    empty = page.get(f"/people/{IN_AREA}/carers")
    assert empty.status_code == 200
    assert 'id="no-carers"' in empty.text
    added = page.post(f"/people/{IN_AREA}/carers", data=SUSAN, follow_redirects=False)
    assert added.headers["location"] == f"/people/{IN_AREA}/carers?saved=added"
    listed = page.get(f"/people/{IN_AREA}/carers?saved=added").text
    assert "Carer added." in listed
    assert "Susan Clarke (daughter), 07700 900123 — consents to contact" in listed
    assert ('<dd id="banner-carer">Susan Clarke (daughter), 07700 900123 — consents to '
            'contact</dd>') in listed
    person = page.get(f"/people/{IN_AREA}/careplan").text
    assert 'id="banner-carer"' in person
    # change: no longer consents; a mistake keeps the typed text and names the field
    bad = page.post(f"/people/{IN_AREA}/carers/1", data={**SUSAN, "telephone": "ring <b>me</b>"})
    assert bad.status_code == 422
    assert "Telephone: give a number" in bad.text
    assert 'value="ring &lt;b&gt;me&lt;/b&gt;"' in bad.text
    assert 'nhsuk-form-group--error' in bad.text
    changed = page.post(f"/people/{IN_AREA}/carers/1",
                        data={**SUSAN, "consents_to_contact": "no"}, follow_redirects=False)
    assert changed.status_code == 303
    assert "does not consent to contact" in page.get(f"/people/{IN_AREA}/carers").text
    ended = page.post(f"/people/{IN_AREA}/carers/1/end", data={"on": "2025-04-01"},
                      follow_redirects=False)
    assert ended.status_code == 303
    after = page.get(f"/people/{IN_AREA}/carers").text
    assert "Ended 2025-04-01" in after
    assert 'id="banner-carer"' not in after
    again = page.post(f"/people/{IN_AREA}/carers/1/end", data={"on": "2025-04-02"})
    assert again.status_code == 422
    assert "already ended on 2025-04-01" in again.text


def test_a_mistake_adding_names_the_field_and_saves_nothing(app: Any,
                                                           community: Community) -> None:
    page = signed_in(app, "matron")
    refused = page.post(f"/people/{IN_AREA}/carers", data={**SUSAN, "relationship": ""})
    assert refused.status_code == 422
    assert "Relationship to the person: this is needed" in refused.text
    assert 'href="#carer_relationship"' in refused.text
    assert 'value="Susan Clarke"' in refused.text
    assert 'id="no-carers"' in refused.text


def test_another_persons_carer_is_not_found(app: Any, community: Community) -> None:
    page = signed_in(app, "matron")
    page.post(f"/people/{IN_AREA}/carers", data=SUSAN, follow_redirects=False)
    assert page.get(f"/people/{LOW}/carers/1").status_code == 404
    assert page.post(f"/people/{LOW}/carers/1/end", data={"on": ""}).status_code == 404
    assert page.get(f"/people/{IN_AREA}/carers/99").status_code == 404
    assert page.get(f"/people/{IN_AREA}/carers/1").status_code == 200
