"""The versioned-document service (CM-4, CM-5), for every kind of document through one
set of tests: reading versions, adding the next one with optimistic locking (also when two
saves race for the same number), ETags and If-Match, and comparing two versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ltc.care.assessment import services as assessments
from ltc.care.assessment.models import Assessment
from ltc.care.auth.models import User
from ltc.care.careplans import services as plans
from ltc.care.careplans.models import CarePlanVersion
from ltc.care.documents import Documents, DocumentVersion, StaleVersion

from ..care import IN_AREA, IN_AREA_2, Community, db


@dataclass(frozen=True)
class Kind:
    docs: Documents[Any]
    error: type[Exception]  # the kind's own error, which its stale error also is
    save: Callable[[Session, str, str, int, User], DocumentVersion]  # text -> a version
    row: Callable[[str, str, int], DocumentVersion]  # an unsaved version (person, text, by)


KINDS = {
    "care plan": Kind(plans.PLANS, plans.CarePlanError,
                      lambda s, nhs, text, on, by: plans.save(s, nhs, {"goals": [text]}, on,
                                                              by),
                      lambda nhs, text, by: CarePlanVersion(
                          nhs_number=nhs, status="draft", content={"goals": [text]},
                          author_id=by)),
    "assessment": Kind(assessments.ASSESSMENTS, assessments.AssessmentError,
                       lambda s, nhs, text, on, by: assessments.save(
                           s, nhs, {}, {"physical": text}, on, by),
                       lambda nhs, text, by: Assessment(
                           nhs_number=nhs, answers={}, scores={}, notes={"physical": text},
                           author_id=by)),
}


@pytest.fixture(params=list(KINDS))
def kind(request: pytest.FixtureRequest) -> Kind:
    return KINDS[request.param]


def test_versions_are_numbered_per_person_and_read_back(kind: Kind,
                                                        community: Community) -> None:
    with db(community.url) as s:
        me = s.get(User, community.users["matron"])
        assert me is not None
        docs = kind.docs
        assert docs.latest(s, IN_AREA) is None
        assert docs.etag(None) == '"none-0"'
        one = kind.save(s, IN_AREA, "first", 0, me)
        two = kind.save(s, IN_AREA, "second", 1, me)
        other = kind.save(s, IN_AREA_2, "someone else's", 0, me)
        s.commit()
        assert (one.version, two.version, other.version) == (1, 2, 1)
        assert docs.latest(s, IN_AREA) is two
        assert docs.version(s, IN_AREA, 1) is one
        assert docs.version(s, IN_AREA, 3) is None
        assert docs.versions(s, IN_AREA) == [one, two]
        assert docs.count(s, IN_AREA) == 2
        assert docs.etag(two) == f'"{IN_AREA}-2"'


def test_a_save_on_a_stale_version_is_refused_with_the_newer(kind: Kind,
                                                             community: Community) -> None:
    with db(community.url) as s:
        me = s.get(User, community.users["matron"])
        assert me is not None
        kind.save(s, IN_AREA, "first", 0, me)
        newer = kind.save(s, IN_AREA, "second", 1, me)
        with pytest.raises(StaleVersion) as stale:
            kind.save(s, IN_AREA, "mine", 1, me)
        assert isinstance(stale.value, kind.error)
        assert stale.value.latest is newer
        assert "Not saved" in str(stale.value)
        with pytest.raises(kind.error) as missing:  # no version 3 to build on
            kind.save(s, IN_AREA_2, "first", 3, me)
        assert not isinstance(missing.value, StaleVersion)
        assert "no version 3" in str(missing.value)
        assert kind.docs.count(s, IN_AREA) == 2


@dataclass(frozen=True)
class ReadBeforeTheOtherSave(Documents[Any]):
    """The documents as a save sees them when another save of the same version committed
    between its read of the latest version and its insert: the first read is one
    version behind."""

    behind: list[bool]

    def latest(self, session: Session, nhs_number: str) -> Any:
        if self.behind:
            self.behind.pop()
            return self.version(session, nhs_number, 1)
        return super().latest(session, nhs_number)


def test_two_saves_racing_for_one_number_the_later_is_refused(kind: Kind,
                                                              community: Community) -> None:
    with db(community.url) as s:
        me = s.get(User, community.users["matron"])
        assert me is not None
        kind.save(s, IN_AREA, "first", 0, me)
        winner = kind.save(s, IN_AREA, "the other save", 1, me)
        s.commit()
        racing = ReadBeforeTheOtherSave(kind.docs.model, kind.docs.noun, kind.docs.lines,
                                        kind.docs.stale, kind.docs.missing, [True])
        with pytest.raises(StaleVersion) as stale:
            racing.add(s, kind.row(IN_AREA, "mine", me.id), 1)
        assert stale.value.latest.version == winner.version == 2
        # the refusal rolled back only its savepoint: the transaction goes on
        kind.save(s, IN_AREA, "third", 2, me)
        s.commit()
        assert [v.version for v in kind.docs.versions(s, IN_AREA)] == [1, 2, 3]


@pytest.mark.parametrize(("if_match", "number"), [
    (f'"{IN_AREA}-2"', 2), (f'W/"{IN_AREA}-12"', 12), ('"none-0"', 0), ("none-0", 0),
    (f'"{IN_AREA_2}-2"', None), ('"none-1"', None), (f'"{IN_AREA}-x"', None),
    (f'"{IN_AREA}-"', None), ("*", None), (f'"{IN_AREA}-{"9" * 12}"', None)])
def test_if_match_names_a_version_of_this_persons_document(if_match: str,
                                                           number: int | None) -> None:
    for kind in KINDS.values():
        assert kind.docs.based_on(IN_AREA, if_match) == number


def test_two_versions_compare_line_by_line(kind: Kind, community: Community) -> None:
    with db(community.url) as s:
        me = s.get(User, community.users["matron"])
        assert me is not None
        one = kind.save(s, IN_AREA, "Walks to the shops", 0, me)
        two = kind.save(s, IN_AREA, "Walks to the end of the road", 1, me)
        changes = kind.docs.compare(one, two)
        assert [line for change, line in changes if change == "-"] == [
            line for line in kind.docs.lines(one) if "shops" in line]
        assert [line for change, line in changes if change == "+"] == [
            line for line in kind.docs.lines(two) if "road" in line]
        assert all(change == " " for change, line in changes
                   if "shops" not in line and "road" not in line)
        assert kind.docs.compare(two, two) == [(" ", line) for line in kind.docs.lines(two)]
