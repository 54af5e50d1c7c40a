"""Two people edit the same care plan version: one save wins, the other is refused with
the newer version, and nothing is lost (CM-5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ltc.care.careplans.models import CarePlanVersion

from .care import IN_AREA, Community, api_client, db, signed_in

PLAN = {"status": "draft", "goals": ["Walk to the shops"]}


def test_api_second_save_on_a_stale_version_gets_412(app: Any, community: Community) -> None:
    matron, gp = api_client(app, "matron"), api_client(app, "gp")
    first = matron.put(f"/api/v1/people/{IN_AREA}/careplan", json=PLAN,
                       headers={"If-Match": '"none-0"'})
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag == f'"{IN_AREA}-1"'
    # both open version 1
    a = {**PLAN, "goals": ["Walk to the shops", "Garden again"]}
    b = {**PLAN, "goals": ["Sleep through the night"]}
    ok = matron.put(f"/api/v1/people/{IN_AREA}/careplan", json=a, headers={"If-Match": etag})
    stale = gp.put(f"/api/v1/people/{IN_AREA}/careplan", json=b, headers={"If-Match": etag})
    assert ok.status_code == 200
    assert stale.status_code == 412
    assert stale.json()["latest"]["content"]["goals"] == a["goals"]  # the newer text shown
    assert stale.headers["ETag"] == f'"{IN_AREA}-2"'
    # a save without If-Match is refused rather than overwriting
    assert gp.put(f"/api/v1/people/{IN_AREA}/careplan", json=b).status_code == 428
    again = gp.put(f"/api/v1/people/{IN_AREA}/careplan", json=b,
                   headers={"If-Match": stale.headers["ETag"]})
    assert again.status_code == 200
    with db(community.url) as s:
        rows = s.scalars(select(CarePlanVersion).where(CarePlanVersion.nhs_number == IN_AREA)
                         .order_by(CarePlanVersion.version)).all()
    assert [r.content["goals"] for r in rows] == [PLAN["goals"], a["goals"], b["goals"]]
    current = matron.get(f"/api/v1/people/{IN_AREA}/careplan")
    assert current.headers["ETag"] == f'"{IN_AREA}-3"'


def test_form_save_on_a_stale_version_keeps_the_text(app: Any, community: Community) -> None:
    one, two = signed_in(app, "matron"), signed_in(app, "gp")
    form = {"based_on": "0", "status": "draft", "goals": "First goal"}
    assert one.post(f"/people/{IN_AREA}/careplan", data=form,
                    follow_redirects=False).status_code == 303
    mine = {"based_on": "1", "status": "draft", "goals": "Matron's goal"}
    theirs = {"based_on": "1", "status": "draft", "goals": "GP's goal <script>x</script>"}
    assert one.post(f"/people/{IN_AREA}/careplan", data=mine,
                    follow_redirects=False).status_code == 303
    refused = two.post(f"/people/{IN_AREA}/careplan", data=theirs, follow_redirects=False)
    assert refused.status_code == 409
    assert "Not saved" in refused.text
    assert "GP&#39;s goal &lt;script&gt;x&lt;/script&gt;" in refused.text  # kept, as text
    assert "Matron&#39;s goal" in refused.text  # the newer version shown
    assert 'name="based_on" value="2"' in refused.text  # saving again builds on it
