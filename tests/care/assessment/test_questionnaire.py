"""The co-designed assessment (VW-2): the questionnaire's versions as data, answers
checked question by question, responses kept with their version (on SQLite and
PostgreSQL) and read against it, and the care-plan needs they suggest."""

from __future__ import annotations

from typing import Any

import pytest

from ltc.care.assessment import questionnaire
from ltc.care.assessment.models import CodesignedResponse
from ltc.care.auth.models import User
from ltc.care.db import make_engine, sessions, unit_of_work

from ..care import IN_AREA, Community


def test_every_version_loads_with_a_health_and_a_social_care_section() -> None:
    found = questionnaire.versions()
    assert sorted(found) == [1, 2]
    assert questionnaire.current().version == 2
    for q in found.values():
        assert [s.name for s in q.sections] == ["Health", "Social care"]
        assert {x.kind for x in q.questions()} == set(questionnaire.KINDS)
    assert "money_worries" in {x.id for x in found[2].questions()}
    assert "money_worries" not in {x.id for x in found[1].questions()}


@pytest.mark.parametrize(("typed", "question", "words"), [
    ({"falls": "maybe"}, "falls", "Answer yes or no"),
    ({"carer_coping": "Fine"}, "carer_coping", "Choose one of"),
    ({"admissions": "two"}, "admissions", "whole number"),
    ({"admissions": "-1"}, "admissions", "whole number"),
    ({"what_matters": "x" * 2001}, "what_matters", "At most 2000"),
    ({"shoe_size": "9"}, "shoe_size", "Unknown question"),
    ({}, "", "Nothing to save"),
])
def test_each_problem_names_its_question(typed: dict[str, str], question: str,
                                         words: str) -> None:
    with pytest.raises(questionnaire.AnswersError) as e:
        questionnaire.clean(questionnaire.current(), typed)
    assert [p.question for p in e.value.problems] == [question]
    assert words in e.value.problems[0].message
    if question and question != "shoe_size":
        text = next(q.text for q in questionnaire.current().questions() if q.id == question)
        assert text in e.value.problems[0].message


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(questionnaire.AnswersError) as e:
        questionnaire.clean(questionnaire.current(), {"falls": "?", "admissions": "x",
                                                      "lives_alone": "yes"})
    assert [p.question for p in e.value.problems] == ["falls", "admissions"]


def test_answers_suggest_needs_in_question_order() -> None:
    q = questionnaire.current()
    answers = questionnaire.clean(q, {"falls": "yes", "admissions": "2", "lives_alone": "no",
                                      "carer_coping": "Struggling", "what_matters": " Garden "})
    assert answers == {"falls": "yes", "admissions": 2, "lives_alone": "no",
                       "carer_coping": "Struggling", "what_matters": "Garden"}
    row = CodesignedResponse(questionnaire_version=q.version, answers=answers)
    assert questionnaire.suggested_needs(row) == [
        "Falls risk assessment and prevention", "Admission avoidance plan",
        "Carer's assessment and respite"]
    row.answers = {"admissions": 1}
    assert questionnaire.suggested_needs(row) == []
    assert questionnaire.suggested_needs(None) == []


@pytest.mark.parametrize(("raw", "words"), [
    ({"sections": []}, "'version' must be a whole number"),
    ({"version": 9, "sections": []}, "'sections' must list"),
    ({"version": 9, "sections": [{"name": "H", "questions": [
        {"id": "a", "text": "A?", "kind": "scale"}]}]}, "section 1, question 1: field 'kind'"),
    ({"version": 9, "sections": [{"name": "H", "questions": [
        {"id": "a", "text": "A?", "kind": "yes_no", "suggests": [
            {"when": "perhaps", "need": "N"}]}]}]}, "'perhaps', which is not one of yes, no"),
    ({"version": 9, "sections": [{"name": "H", "questions": [
        {"id": "a", "text": "A?", "kind": "text"}, {"id": "a", "text": "B?",
                                                    "kind": "text"}]}]}, "used twice"),
])
def test_a_bad_definition_names_the_file_and_field(raw: dict[str, Any], words: str) -> None:
    with pytest.raises(questionnaire.DefinitionError) as e:
        questionnaire.parse(raw, "codesigned-9.json")
    assert str(e.value).startswith("codesigned-9.json")
    assert words in str(e.value)


def test_a_response_keeps_its_version_and_an_older_one_reads_against_its_own(
        community: Community) -> None:
    with unit_of_work(sessions(make_engine(community.url))) as s:
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        # an older response, answered when version 1 was current: its falls question
        # had other words and it had no money question
        s.add(CodesignedResponse(nhs_number=IN_AREA, questionnaire_version=1,
                                 answers={"falls": "yes"}, author_id=matron.id))
        s.flush()
        new = questionnaire.save(s, IN_AREA, {"money_worries": "yes", "falls": "no"}, matron)
        assert new.questionnaire_version == 2
        newest, older = questionnaire.responses(s, IN_AREA)
        assert newest.id == new.id
        assert questionnaire.of(older).version == 1
        assert "near-falls" not in next(q.text for q in questionnaire.of(older).questions()
                                        if q.id == "falls")
        assert questionnaire.suggested_needs(older) == ["Falls risk assessment and prevention"]
        assert questionnaire.latest_needs(s, IN_AREA) == ["Welfare benefits advice"]
