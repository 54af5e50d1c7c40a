"""Disease registers for each long-term condition, as QOF v46 defines them (POP-3).

A register is never stored by hand: membership is computed from the ``diagnosis`` and
``prescription`` tables and the code lists in ``ltc/data/codelists`` (see
:mod:`ltc.codes.codelists`), as of a date, as one Ibis expression over every register, so
the same logic runs on DuckDB and Spark.

- :mod:`.definitions`: each register's code lists, ages, date limits and drug condition.
- :mod:`.matching`: how SNOMED CT, ICD-10 and drug codes are matched to registers.
- :mod:`.membership`: the rule (:func:`members`), step by step.
- :mod:`.prevalence`: register sizes and prevalence, with hospital-only members apart.

``docs/registers.md`` states every register's rule, its source and its spec table.
"""

from ltc.records.registers.definitions import (
    REFERENCE_FILE,
    REFERENCE_SOURCE,
    REGISTERS,
    ReferenceFigure,
    Register,
    born_by,
    reference_prevalence,
)
from ltc.records.registers.matching import clean_icd10, icd10_registers
from ltc.records.registers.membership import GROUPS, PERSON_GROUPS, members
from ltc.records.registers.prevalence import prevalence

__all__ = [
    "GROUPS",
    "PERSON_GROUPS",
    "REFERENCE_FILE",
    "REFERENCE_SOURCE",
    "REGISTERS",
    "ReferenceFigure",
    "Register",
    "born_by",
    "clean_icd10",
    "icd10_registers",
    "members",
    "prevalence",
    "reference_prevalence",
]
