"""The co-designed assessment (VW-2): a questionnaire defined as data, versioned, with a
Health and a Social care section, and the care-plan needs its answers suggest.

Each version is a JSON file ``questionnaires/codesigned-<version>.json``: ``version``,
``title``, ``source`` and ``sections``, each with ``name`` and ``questions``; a question
has ``id``, ``text``, ``kind`` (``yes_no``, ``choice``, ``text`` or ``number``),
``choices`` (a choice question's answers) and ``suggests``: the care-plan needs it
suggests, each ``{"when": answer, "need": text}`` or, for a number, ``{"at_least": n,
"need": text}``. A new version is a new file; responses keep the version they answered,
so an older response is always read against its own questions.

Answers are validated all at once; every problem names the question. Unanswered
questions are allowed (a contact may be cut short), an empty response is not. Services
never commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.assessment.models import CodesignedResponse
from ltc.care.auth.models import User

KINDS = ("yes_no", "choice", "text", "number")
YES_NO = ("yes", "no")
TEXT_LIMIT = 2000
NUMBER_LIMIT = 1000


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str
    choices: tuple[str, ...]
    suggests: tuple[dict[str, Any], ...]

    def needs(self, answer: Any) -> list[str]:
        """The care-plan needs this answer suggests."""
        out = []
        for rule in self.suggests:
            if "at_least" in rule:
                if isinstance(answer, int) and answer >= rule["at_least"]:
                    out.append(str(rule["need"]))
            elif answer == rule.get("when"):
                out.append(str(rule["need"]))
        return out


@dataclass(frozen=True)
class Section:
    name: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    version: int
    title: str
    source: str
    sections: tuple[Section, ...]

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]


class DefinitionError(ValueError):
    """A questionnaire file that does not define a questionnaire, naming the file and
    field."""


@dataclass(frozen=True)
class Problem:
    question: str  # the question id
    message: str


class AnswersError(ValueError):
    """Answers that cannot be saved, with every problem found (each names its question)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.message for p in problems))
        self.problems = tuple(problems)


def _question(raw: Mapping[str, Any], where: str) -> Question:
    for key in ("id", "text", "kind"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise DefinitionError(f"{where}: field {key!r} must be non-empty text")
    if raw["kind"] not in KINDS:
        raise DefinitionError(f"{where}: field 'kind' must be one of {', '.join(KINDS)}; got "
                              f"{raw['kind']!r}")
    choices = tuple(raw.get("choices") or ())
    if raw["kind"] == "choice" and not choices:
        raise DefinitionError(f"{where}: a choice question needs 'choices'")
    suggests = tuple(raw.get("suggests") or ())
    allowed = YES_NO if raw["kind"] == "yes_no" else choices
    for rule in suggests:
        if "need" not in rule or ("when" not in rule and "at_least" not in rule):
            raise DefinitionError(f"{where}: each of 'suggests' needs 'need' and 'when' (or "
                                  "'at_least' for a number)")
        if "when" in rule and rule["when"] not in allowed:
            raise DefinitionError(f"{where}: 'suggests' names the answer {rule['when']!r}, "
                                  f"which is not one of {', '.join(allowed)}")
    return Question(raw["id"], raw["text"], raw["kind"], choices, suggests)


def parse(raw: Mapping[str, Any], name: str) -> Questionnaire:
    """A questionnaire from its JSON document (``name``: the file, for errors)."""
    if not isinstance(raw.get("version"), int):
        raise DefinitionError(f"{name}: field 'version' must be a whole number")
    sections = []
    seen: set[str] = set()
    for i, s in enumerate(raw.get("sections") or ()):
        questions = tuple(_question(q, f"{name}, section {i + 1}, question {j + 1}")
                          for j, q in enumerate(s.get("questions") or ()))
        for q in questions:
            if q.id in seen:
                raise DefinitionError(f"{name}: question id {q.id!r} is used twice")
            seen.add(q.id)
        sections.append(Section(str(s.get("name", "")), questions))
    if not sections:
        raise DefinitionError(f"{name}: field 'sections' must list at least one section")
    return Questionnaire(raw["version"], str(raw.get("title", "")), str(raw.get("source", "")),
                         tuple(sections))


@cache
def versions() -> dict[int, Questionnaire]:
    """Every version of the co-designed questionnaire, by version number."""
    folder = resources.files("ltc.care.assessment") / "questionnaires"
    out: dict[int, Questionnaire] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("codesigned-") and entry.name.endswith(".json"):
            q = parse(json.loads(entry.read_text(encoding="utf-8")), entry.name)
            out[q.version] = q
    return out


def current() -> Questionnaire:
    """The newest version: the one new responses answer."""
    found = versions()
    return found[max(found)]


def clean(questionnaire: Questionnaire, typed: Mapping[str, str]) -> dict[str, Any]:
    """The answers as stored (yes/no and choices as given, numbers as whole numbers, text
    stripped; unanswered questions left out), or :class:`AnswersError` naming each
    question that is wrong."""
    problems: list[Problem] = []
    known = {q.id for q in questionnaire.questions()}
    problems += [Problem(key, f"Unknown question {key!r}: not in version "
                              f"{questionnaire.version} of the questionnaire.")
                 for key in typed if key not in known]
    out: dict[str, Any] = {}
    for q in questionnaire.questions():
        value = str(typed.get(q.id, "")).strip()
        if not value:
            continue
        if q.kind == "yes_no" and value not in YES_NO:
            problems.append(Problem(q.id, f"{q.text} Answer yes or no (got {value!r})."))
        elif q.kind == "choice" and value not in q.choices:
            problems.append(Problem(q.id, f"{q.text} Choose one of: {'; '.join(q.choices)} "
                                          f"(got {value!r})."))
        elif q.kind == "number":
            if not value.isdigit() or int(value) > NUMBER_LIMIT:
                problems.append(Problem(q.id, f"{q.text} Give a whole number from 0 to "
                                              f"{NUMBER_LIMIT} (got {value!r})."))
            else:
                out[q.id] = int(value)
            continue
        elif q.kind == "text" and len(value) > TEXT_LIMIT:
            problems.append(Problem(q.id, f"{q.text} At most {TEXT_LIMIT} characters (got "
                                          f"{len(value)})."))
        out[q.id] = value
    if not problems and not out:
        problems.append(Problem("", "Nothing to save: answer at least one question."))
    if problems:
        raise AnswersError(problems)
    return out


def save(session: Session, nhs_number: str, typed: Mapping[str, str],
         author: User) -> CodesignedResponse:
    """Save a response to the current version."""
    q = current()
    row = CodesignedResponse(nhs_number=nhs_number, questionnaire_version=q.version,
                             answers=clean(q, typed), author_id=author.id)
    session.add(row)
    session.flush()
    return row


def responses(session: Session, nhs_number: str) -> list[CodesignedResponse]:
    """A person's responses, newest first."""
    return list(session.scalars(select(CodesignedResponse)
                                .where(CodesignedResponse.nhs_number == nhs_number)
                                .order_by(CodesignedResponse.created_at.desc(),
                                          CodesignedResponse.id.desc())))


def of(row: CodesignedResponse) -> Questionnaire:
    """The version a response answered."""
    return versions()[row.questionnaire_version]


def suggested_needs(row: CodesignedResponse | None) -> list[str]:
    """The care-plan needs a response's answers suggest, in question order, read against
    the response's own version."""
    if row is None:
        return []
    out: list[str] = []
    for q in of(row).questions():
        if q.id in row.answers:
            out += [n for n in q.needs(row.answers[q.id]) if n not in out]
    return out


def latest_needs(session: Session, nhs_number: str) -> list[str]:
    """The needs the person's newest response suggests."""
    found = session.scalar(select(CodesignedResponse)
                           .where(CodesignedResponse.nhs_number == nhs_number)
                           .order_by(CodesignedResponse.created_at.desc(),
                                     CodesignedResponse.id.desc()).limit(1))
    return suggested_needs(found)
