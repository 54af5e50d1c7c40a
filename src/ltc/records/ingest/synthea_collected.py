"""The neutral form Synthea input is read into, before mapping (POP-2).

Both :mod:`ltc.interop.fhir.bundles` and :mod:`ltc.records.ingest.synthea_csv` read their
input into a :class:`Collected`: patients, encounters and text :class:`Rows` for
diagnoses, observations and prescriptions, each with a locator, and every problem found
on the way. :func:`ltc.records.ingest.synthea_common.build_tables` maps it onto tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ltc.records.errors import MAX_REPORTED, IngestError, Problem
from ltc.records.ingest.synthea_codes import Target


class Rows:
    """Text columns of one record-plane table, with a locator per row.

    ``patient`` holds the source patient identifier until :func:`build_tables` replaces it
    by the NHS number; extra columns whose names start with ``_`` are dropped before
    conversion. ``source_fields`` names the source element behind a record-plane field,
    so that problems say both.
    """

    def __init__(self, table: str, columns: Iterable[str],
                 source_fields: dict[str, str] | None = None, per_patient: bool = True) -> None:
        self.table = table
        names = ("patient", *columns) if per_patient else tuple(columns)
        self.columns: dict[str, list[str | None]] = {c: [] for c in names}
        self.where: list[str] = []
        self.source_fields = source_fields or {}

    def add(self, where: str, **values: str | None) -> None:
        self.where.append(where)
        for name, column in self.columns.items():
            column.append(values.get(name))

    def __len__(self) -> int:
        return len(self.where)


@dataclass(slots=True)
class Patient:
    """A source patient, its values still as text."""

    where: str
    id: str
    birth_date: str | None
    gender: str | None
    death_date: str | None
    practice: str | None = None  # organisation named by the source as the registered practice
    identity: dict[str, str | None] = field(default_factory=dict)  # name, address... as text


@dataclass(slots=True)
class Encounter:
    """A source encounter, its values still as text."""

    where: str
    id: str
    patient: str
    cls: str
    start: str | None
    end: str | None
    provider: str | None
    discharge: str | None = None  # NUBC discharge status code, when given
    target: Target | None = None  # set when more than the class decides the table


@dataclass
class Collected:
    """One batch of Synthea input in neutral form, before mapping."""

    patient_field: str  # how the source names a reference to the patient (for messages)
    encounter_field: str
    class_field: str
    classes: dict[str, Target]  # the encounter classes this source uses
    diagnosis: Rows
    observation: Rows
    prescription: Rows
    patients: dict[str, Patient] = field(default_factory=dict)
    encounters: dict[str, Encounter] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)  # id -> name
    problems: list[Problem] = field(default_factory=list)
    total: int = 0
    seen: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> where
    skipped: Counter[str] = field(default_factory=Counter)  # what was not read, by kind
    registered: Counter[str] = field(default_factory=Counter)  # people by practice rule

    def problem(self, where: str, fld: str | None, message: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(where, fld, message))

    def first_time(self, kind: str, ident: str, where: str, fld: str) -> bool:
        """Note ``ident``; a second sighting is a problem (and returns False)."""
        first = self.seen.get((kind, ident))
        if first is None:
            self.seen[(kind, ident)] = where
            return True
        self.problem(where, fld, f"duplicate {kind} id {ident!r}, first seen at {first}; "
                     "expected each resource once per batch")
        return False

    def raise_problems(self) -> None:
        if self.total:
            raise IngestError(self.problems, self.total)


def new_collected(patient_field: str, encounter_field: str, class_field: str,
                  classes: dict[str, Target], diagnosis_fields: dict[str, str],
                  observation_fields: dict[str, str],
                  prescription_fields: dict[str, str]) -> Collected:
    """An empty :class:`Collected`; the dicts name the source element of each field."""
    return Collected(
        patient_field, encounter_field, class_field, classes,
        diagnosis=Rows("diagnosis", ("record_id", "code_system", "code", "date",
                                     "resolved_date", "_encounter"), diagnosis_fields),
        observation=Rows("observation", ("record_id", "date", "code_system", "code", "value",
                                         "unit"), observation_fields),
        prescription=Rows("prescription", ("record_id", "date", "drug_code_system",
                                           "drug_code", "drug_name", "quantity", "repeat"),
                          prescription_fields),
    )


