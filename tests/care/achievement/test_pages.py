"""The practice achievement pages over HTTP (DM-6): a practice's team sees its own
figures per indicator (exact) beside its locality's and the community's (suppressed: a
locality with 3 in the denominator shows "*"); an indicator's page lists the practice's
people behind the gap and those excepted with the reason's words, each audited and linked
to their page; nobody else may open them; an unknown indicator is not found; markup shows
as text."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from ltc.care.achievement.labels import labels
from ltc.care.audit.models import AuditEvent
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import Person

from ..care import IN_AREA, IN_AREA_2, LOW, Community, db, signed_in
from ..contacts.team import add_team, signed_in_as
from ..medicines.setup import add_achievement

XSS = "<script>alert(1)</script><iframe src=x></iframe>"


def _ready(community: Community) -> None:
    add_achievement(community.url)
    add_team(community.url, community.users)


def _cells(page: str, indicator: str) -> list[str]:
    row = page.split(f'id="indicator-{indicator}"')[1].split("</tr>")[0]
    return [c.split(">", 1)[1].split("</td>")[0] for c in row.split("<td")[1:]]


def test_the_practices_figures_beside_the_locality_and_community(
        app: Any, community: Community) -> None:
    _ready(community)
    nurse = signed_in_as(app, "nurse", "/achievement")
    page = nurse.get("/achievement").text
    assert labels().indicators["DM006"].wording in page
    dm006 = _cells(page, "DM006")
    assert dm006[1:4] == ["40", "50", "3"]
    assert dm006[4].startswith("80.0%")
    assert "width: 80.0%" in dm006[4]
    # locality L1: 90 of 120 (rounded to 5: the same); community: 92 of 123 -> 90 of 125
    assert (dm006[5], dm006[6]) == ("75.0%", "72.0%")
    dm017 = _cells(page, "DM017")  # a register: its size
    assert dm017[1:5] == ["120", "120", "0", "Register"]
    assert (dm017[5], dm017[6]) == ("300", "305")
    assert 'href="/achievement/DM006"' in page
    # in the definitions' order: the diabetes register first
    assert page.index('id="indicator-DM017"') < page.index('id="indicator-DM006"')


def test_a_small_locality_is_suppressed(app: Any, community: Community) -> None:
    _ready(community)
    page = signed_in_as(app, "nurse2", "/achievement").get("/achievement").text
    dm006 = _cells(page, "DM006")
    assert dm006[1:4] == ["2", "3", "0"]  # the practice's own figures, exact
    assert dm006[4].startswith("66.7%")
    assert dm006[5] == "*"  # locality L2: 2 of 3, withheld
    assert dm006[6] == "72.0%"


def test_the_people_behind_the_gap_and_the_excepted(app: Any, community: Community) -> None:
    _ready(community)
    gp = signed_in_as(app, "gp", "/achievement")
    r = gp.get("/achievement/DM006")
    assert r.status_code == 200
    gap = r.text.split('id="gap"')[1].split("</table>")[0]
    assert "943 476 5919" in gap
    assert "900 000 0025" in gap
    assert gap.index("CLARKE, Edna") < gap.index("WARD, Lucy")  # by family name
    assert f'href="/people/{IN_AREA}"' in gap
    excepted = r.text.split('id="excepted"')[1].split("</table>")[0]
    assert "900 000 0009" in excepted
    assert labels().reasons["DMPCAPU"] in excepted
    assert "900 000 0017" not in r.text  # practice P2's
    assert "40 of 50 (80.0%), 3 excepted" in r.text
    with db(community.url) as s:
        listed = s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.action == "list", AuditEvent.what == "GET /achievement/DM006")).all()
    assert sorted(listed) == sorted([IN_AREA, LOW, IN_AREA_2])
    other = signed_in_as(app, "pm2", "/achievement").get("/achievement/DM006").text
    assert "900 000 0017" in other
    assert "943 476 5919" not in other


def test_an_unknown_indicator_is_not_found(app: Any, community: Community) -> None:
    _ready(community)
    nurse = signed_in_as(app, "nurse", "/achievement")
    assert nurse.get("/achievement/DM999").status_code == 404
    # an indicator of the run with none of the practice's people: shown, empty
    r = nurse.get("/achievement/DM017")
    assert r.status_code == 200
    assert "0 people" in r.text


@pytest.mark.parametrize("path", ["/achievement", "/achievement/DM006"])
@pytest.mark.parametrize("user", ["matron", "analyst", "admin"])
def test_nobody_else_may_open_them(app: Any, community: Community, user: str,
                                   path: str) -> None:
    _ready(community)
    r = signed_in(app, user).get(path)
    assert r.status_code == 403
    assert "943 476 5919" not in r.text


def test_markup_shows_as_text(app: Any, community: Community) -> None:
    _ready(community)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        s.execute(update(Person).where(Person.nhs_number.in_([IN_AREA, IN_AREA_2]))
                  .values(family_name=XSS))
    nurse = signed_in_as(app, "nurse", "/achievement")
    for path in ("/achievement/DM006", f"/achievement/{XSS[:20]}"):
        text = nurse.get(path).text
        assert "<script>alert(1)" not in text
        assert "<iframe src=x>" not in text
    assert "&lt;SCRIPT&gt;ALERT(1)" in nurse.get("/achievement/DM006").text
