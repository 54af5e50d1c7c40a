"""Saving and reading versions of the comprehensive assessment, with optimistic locking (CM-4).

An assessment version holds the answers to the standard scales (:mod:`.scales`), their
scores and free-text notes: physical, social and psychological sections, the carer's
details and the person's own wishes. A version may leave a scale out entirely, but a scale
that is started must be complete; every problem is reported at once, naming the items.

A save names the version it was based on (``based_on``: 0 for a first assessment). If
another version was saved in the meantime the save is refused with
:class:`StaleVersionError`, which carries the newer version; nothing is overwritten and the
form keeps what was typed. Versions, locking, ETags and comparison are the
versioned-document service's (:data:`ASSESSMENTS`, :mod:`ltc.care.documents`). Services
never commit: the request owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ltc.care.assessment import scales
from ltc.care.assessment.models import Assessment
from ltc.care.auth.models import User
from ltc.care.documents import Documents, StaleVersion

#: free-text sections, in form order, with the names people see
SECTIONS = {"physical": "Physical health", "social": "Social circumstances",
            "psychological": "Psychological wellbeing", "wishes": "The person's wishes"}
#: the carer's details, with the names people see
CARER_FIELDS = {"name": "Carer's name", "relationship": "Relationship to the person",
                "contact": "Carer's contact details"}
TEXT_LIMIT = 5000  # a free-text section
CARER_LIMIT = 300  # one of the carer's details


@dataclass(frozen=True)
class Problem:
    """One reason an assessment cannot be saved: ``where`` is the scale and item
    (``("barthel", "stairs")``), the scale alone, or the notes section and field
    (``("notes", "physical")``, ``("carer", "name")``); ``()`` for the whole."""

    where: tuple[str, ...]
    message: str


class AssessmentError(ValueError):
    """An assessment that cannot be saved as given, with every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.message for p in problems))
        self.problems = tuple(problems)


class StaleVersionError(AssessmentError, StaleVersion):
    def __init__(self, latest: Assessment) -> None:
        super().__init__([Problem((), (
            f"Not saved: version {latest.version} of this assessment was saved after you "
            "opened it. Your answers are kept below; compare them with the newer version "
            "and save again."))])
        self.latest = latest


def _no_version(number: int) -> AssessmentError:
    return AssessmentError([Problem((), f"There is no version {number} of this assessment to "
                                        "build on.")])


def as_lines(row: Assessment) -> list[str]:
    """A version as lines of text, for comparing versions: each scale's score and
    answers, then the notes and the carer's details."""
    out = []
    for scale_id, result in row.scores.items():
        band = f" ({result['band']})" if result.get("band") else ""
        out.append(f"{result.get('name', scale_id)}: {result.get('total')} of "
                   f"{result.get('max_total')}{band}")
        out += [f"{scale_id} {item}: {value}"
                for item, value in (row.answers.get(scale_id) or {}).items()]
    out += [f"{label}: {row.notes.get(key) or ''}" for key, label in SECTIONS.items()]
    carer = row.notes.get("carer") or {}
    out += [f"{label}: {carer.get(key) or ''}" for key, label in CARER_FIELDS.items()]
    needs = {True: "yes", False: "no", None: "not known"}[carer.get("needs_assessment")]
    out.append(f"Carer needs a carer's assessment: {needs}")
    return out


#: the versions of people's assessments
ASSESSMENTS = Documents(Assessment, "assessment", as_lines, stale=StaleVersionError,
                        missing=_no_version)


def _item_of(scale: scales.Scale, line: str) -> tuple[str, ...]:
    """Where a line of :func:`scales.score`'s message points: the item it names, else the
    scale."""
    return next(((scale.id, item.id) for item in scale.items if f"item {item.id!r}" in line),
                (scale.id,))


def score_all(answers: Mapping[str, Mapping[str, Any]]
              ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], list[Problem]]:
    """The answers of the scales started (in ``SCALES`` order), their scores and the
    problems found. A scale with no answers is left out; an unknown scale is a problem."""
    problems = [Problem((), f"Unknown scale {key!r}; the scales are "
                            f"{', '.join(scales.SCALES)}.")
                for key in answers if key not in scales.SCALES]
    kept: dict[str, dict[str, Any]] = {}
    scored: dict[str, dict[str, Any]] = {}
    for scale in scales.SCALES.values():
        given = dict(answers.get(scale.id) or {})
        if not given:
            continue
        try:
            result = scales.score(scale.id, given)
        except ValueError as e:
            problems += [Problem(_item_of(scale, line), line) for line in str(e).splitlines()]
            continue
        kept[scale.id] = {item.id: given[item.id] for item in scale.items}
        scored[scale.id] = {"name": scale.name, "total": result.total,
                            "max_total": result.max_total, "band": result.band,
                            "flags": list(result.flags)}
    return kept, scored, problems


def _text(value: Any, where: tuple[str, ...], label: str, limit: int,
          problems: list[Problem]) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        problems.append(Problem(where, f"{label}: at most {limit} characters (got "
                                       f"{len(text)}); shorten it."))
    return text


def clean_notes(notes: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The notes normalised (text stripped, every section present) and the problems found.

    ``carer.needs_assessment`` is True, False or None (not known)."""
    problems: list[Problem] = []
    unknown = sorted(set(notes) - {*SECTIONS, "carer"})
    if unknown:
        problems.append(Problem((), f"Unknown notes {', '.join(map(repr, unknown))}; the "
                                    f"sections are {', '.join(SECTIONS)} and carer."))
    out: dict[str, Any] = {key: _text(notes.get(key), ("notes", key), label, TEXT_LIMIT,
                                      problems) for key, label in SECTIONS.items()}
    carer_in = notes.get("carer") or {}
    if not isinstance(carer_in, Mapping):
        problems.append(Problem(("carer",), "Carer: give the carer's details as fields."))
        carer_in = {}
    carer: dict[str, Any] = {key: _text(carer_in.get(key), ("carer", key), label,
                                        CARER_LIMIT, problems)
                             for key, label in CARER_FIELDS.items()}
    needs = carer_in.get("needs_assessment")
    if needs is not None and not isinstance(needs, bool):
        problems.append(Problem(("carer", "needs_assessment"),
                                "Whether the carer needs a carer's assessment: answer yes, no "
                                f"or leave it unanswered; got {needs!r}."))
        needs = None
    carer["needs_assessment"] = needs
    out["carer"] = carer
    return out, problems


def _empty(notes: dict[str, Any]) -> bool:
    carer = notes["carer"]
    return not any(notes[key] for key in SECTIONS) and not any(
        carer[key] for key in CARER_FIELDS) and carer["needs_assessment"] is None


def save(session: Session, nhs_number: str, answers: Mapping[str, Mapping[str, Any]],
         notes: Mapping[str, Any], based_on: int, author: User) -> Assessment:
    """Save a new version on top of version ``based_on`` (0: no assessment yet).

    ``answers`` maps a scale id to its answers (item id -> option value); ``notes`` holds
    the free-text sections and ``carer``. Raises :class:`AssessmentError` listing every
    problem, or :class:`StaleVersionError` when ``based_on`` is not the latest version."""
    kept, scored, problems = score_all(answers)
    cleaned, note_problems = clean_notes(notes)
    problems += note_problems
    if not problems and not kept and _empty(cleaned):
        problems.append(Problem((), "Nothing to save: answer at least one scale in full or "
                                    "write in at least one section."))
    if problems:
        raise AssessmentError(problems)
    return ASSESSMENTS.add(session, Assessment(nhs_number=nhs_number, answers=kept,
                                               scores=scored, notes=cleaned,
                                               author_id=author.id), based_on)


def flags(row: Assessment) -> list[str]:
    """Every flag a version raised (the PHQ-9 item 9 answer asks for same-day review)."""
    return [flag for result in row.scores.values() for flag in result.get("flags", [])]
