"""A person's carers (CM-5, issue 15 item 4): added, changed and ended through the
service on SQLite and PostgreSQL; each mistake refused naming the field; one main carer;
the banner's line; the carer an old assessment named still shown when there is no
carer record."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ltc.care.assessment.models import Assessment
from ltc.care.auth.models import User
from ltc.care.careplans import carers
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people import banner

from ..care import IN_AREA, LOW, Community

TODAY = date(2025, 4, 3)
SUSAN = {"name": "Susan Clarke", "relationship": "daughter", "telephone": "07700 900123",
         "consents_to_contact": "yes", "main_carer": "yes"}


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"name": "  "}, "name", "Carer's name: this is needed"),
    ({"relationship": ""}, "relationship", "Relationship to the person: this is needed"),
    ({"name": "x" * 201}, "name", "at most 200 characters"),
    ({"telephone": "call me maybe"}, "telephone", "Telephone: give a number"),
    ({"consents_to_contact": "perhaps"}, "consents_to_contact",
     "Consents to be contacted: answer yes or no"),
    ({"assessment_offered_on": "3/4/2025"}, "assessment_offered_on",
     "Carer's assessment offered on: give a date like"),
    ({"assessment_done_on": "2025-05-01"}, "assessment_done_on", "is in the future"),
    ({"assessment_offered_on": "2025-03-01", "assessment_done_on": "2025-02-01"},
     "assessment_done_on", "cannot be done before it was offered"),
    ({"assessment_done_on": "2025-03-01", "assessment_declined": "yes"},
     "assessment_declined", "was not declined"),
])
def test_each_mistake_is_refused_naming_the_field(change: dict[str, Any], field: str,
                                                  words: str) -> None:
    with pytest.raises(carers.CarerError, match=words) as refused:
        carers.clean({**SUSAN, **change}, today=TODAY)
    assert refused.value.field == field


def test_clean_keeps_what_was_given() -> None:
    got = carers.clean({**SUSAN, "address": " 4  Mill Lane ", "assessment_declined": "on",
                        "assessment_offered_on": "2025-03-01"}, today=TODAY)
    assert got == {"name": "Susan Clarke", "relationship": "daughter",
                   "telephone": "07700 900123", "address": "4 Mill Lane",
                   "consents_to_contact": True, "main_carer": True,
                   "assessment_declined": True, "assessment_offered_on": date(2025, 3, 1),
                   "assessment_done_on": None}


def _store(community: Community) -> Any:
    return unit_of_work(sessions(make_engine(community.url)))


def test_carers_are_added_changed_ended_with_one_main_carer(community: Community) -> None:
    with _store(community) as s:
        matron = s.get(User, community.users["matron"])
        susan = carers.add(s, IN_AREA, SUSAN, matron)
        tom = carers.add(s, IN_AREA, {"name": "Tom Clarke", "relationship": "son",
                                      "consents_to_contact": "no"}, matron)
        carers.add(s, LOW, {**SUSAN, "name": "Someone else"}, matron)
        assert [c.name for c in carers.active(s, IN_AREA)] == ["Susan Clarke", "Tom Clarke"]
        assert carers.banner_line(s, IN_AREA) == (
            "Susan Clarke (daughter), 07700 900123 — consents to contact")
        # Tom becomes the main carer: Susan no longer is
        carers.change(s, tom, {"name": "Tom Clarke", "relationship": "son",
                               "main_carer": "yes", "assessment_offered_on": "2025-03-01"})
        s.flush()
        s.refresh(susan)
        assert (susan.main_carer, tom.main_carer) == (False, True)
        assert carers.banner_line(s, IN_AREA) == "Tom Clarke (son) — does not consent to contact"
        assert carers.active(s, IN_AREA)[0].assessment_words() == (
            "Carer's assessment offered on 2025-03-01")
        # another person's carer is not this person's
        assert carers.get(s, LOW, susan.id) is None
        assert carers.get(s, IN_AREA, susan.id) is susan
        carers.end(s, tom, "2025-04-01", today=TODAY)
        assert [c.name for c in carers.active(s, IN_AREA)] == ["Susan Clarke"]
        assert tom.main_carer is False
        with pytest.raises(carers.CarerError, match="already ended on 2025-04-01"):
            carers.end(s, tom, "", today=TODAY)
        with pytest.raises(carers.CarerError, match="in the future"):
            carers.end(s, susan, "2025-05-01", today=TODAY)
        # ended carers are kept, listed after the active ones
        assert [c.name for c in carers.every(s, IN_AREA)] == ["Susan Clarke", "Tom Clarke"]


def test_the_banner_shows_the_main_carer(community: Community) -> None:
    with _store(community) as s:
        assert banner.for_person(s, IN_AREA).carer is None  # type: ignore[union-attr]
        carers.add(s, IN_AREA, {"name": "Tom Clarke", "relationship": "son"},
                   s.get(User, community.users["matron"]))
        carers.add(s, IN_AREA, SUSAN, s.get(User, community.users["matron"]))
        shown = banner.for_person(s, IN_AREA)
        assert shown is not None
        assert shown.carer == "Susan Clarke (daughter), 07700 900123 — consents to contact"


def test_the_carer_an_assessment_named_is_still_shown(community: Community) -> None:
    """Before carers were records, an assessment held one carer as text: it is shown
    (marked as from the assessment) until the person has a carer record."""
    with _store(community) as s:
        s.add(Assessment(nhs_number=IN_AREA, version=1, author_id=community.users["matron"],
                         answers={}, scores={}, notes={"carer": {
                             "name": "Ann Jones", "relationship": "neighbour",
                             "contact": "0116 496 0000", "needs_assessment": True}}))
        s.flush()
        old = carers.active(s, IN_AREA)
        assert [(c.name, c.relationship, c.telephone, c.from_assessment) for c in old] == [
            ("Ann Jones", "neighbour", "0116 496 0000", True)]
        assert carers.banner_line(s, IN_AREA) == (
            "Ann Jones (neighbour), 0116 496 0000 — consent to contact not recorded")
        carers.add(s, IN_AREA, SUSAN, s.get(User, community.users["matron"]))
        assert [c.name for c in carers.active(s, IN_AREA)] == ["Susan Clarke"]
