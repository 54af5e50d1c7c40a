"""Which record sources a stratification run had, and what a missing one means
(STRAT-1, POP-1).

A health community may load a practice-only extract (person, diagnosis, prescription) and
no hospital, ambulance, community or social care tables. A table no batch has sent reads as
a table with no rows, so the run goes on; but a criterion whose evidence lies only in
missing tables can never be met, and the user must be told which, so that a short list of
level-3 people is not mistaken for a healthy population.
"""

from __future__ import annotations

from dataclasses import dataclass

from ltc.pipeline.rules import RuleSet
from ltc.records.store import RecordStore

#: The record-plane tables each feature (``ltc.pipeline.features.FEATURE_KINDS``) reads.
FEATURE_TABLES: dict[str, tuple[str, ...]] = {
    "age": ("person",), "sex": ("person",), "practice_code": ("person",),
    "locality_code": ("practice",), "imd_decile": ("person",), "lives_alone": ("person",),
    "has_carer": ("person",), "ltc_count": ("diagnosis",),
    "emergency_12m": ("inpatient_spell",), "emergency_13m": ("inpatient_spell",),
    "admissions_12m": ("inpatient_spell",), "bed_days_12m": ("inpatient_spell",),
    "ae_12m": ("ae_attendance",), "outpatient_12m": ("outpatient_attendance",),
    "gp_12m": ("gp_consultation",), "gp_percentile_65": ("gp_consultation",),
    "ambulance_12m": ("ambulance_incident",), "non_conveyed_12m": ("ambulance_incident",),
    "community_12m": ("community_contact",),
    "social_assessments_min_q": ("social_care_contact",),
    "long_term_medicines": ("prescription",), "medicines_12m": ("prescription",),
    "monthly_cost": ("prescription",), "falls_2m": ("social_fact",),
    "bereaved_6m": ("social_fact",), "carer_died_12m": ("social_fact",),
    "cognitive_impairment": ("social_fact", "diagnosis"), "adl_impaired": ("social_fact",),
    "iadl_impaired": ("social_fact",), "iadl_unsupported": ("social_fact",),
    "care_package_intensity": ("social_care_package",),
    "exacerbation_90d": ("inpatient_spell",),
    "medically_unstable": ("social_fact",),
}

#: Tables a run cannot do without: there is nobody to stratify without them.
REQUIRED = ("person", "practice")


@dataclass(frozen=True)
class Coverage:
    """The sources a run had: the tables never loaded and the criteria they silence."""

    missing: tuple[str, ...]
    #: rule set name -> labels of its criteria that cannot be met without the missing tables
    cannot_fire: dict[str, list[str]]

    def as_meta(self) -> dict[str, object]:
        return {"missing_tables": list(self.missing), "cannot_fire": self.cannot_fire}


def missing_tables(store: RecordStore) -> tuple[str, ...]:
    """Record-plane tables read by the pipeline that no batch in ``store`` has sent."""
    read = sorted({t for tables in FEATURE_TABLES.values() for t in tables}
                  | {"observation"})
    return tuple(t for t in read if not store.files(t))


def silenced(rule_sets: list[RuleSet], missing: tuple[str, ...]) -> dict[str, list[str]]:
    """Per rule set, the labels of the criteria whose every source table is missing."""
    gone = set(missing)
    out: dict[str, list[str]] = {}
    for rs in rule_sets:
        labels = []
        for cid in rs.shown:
            c = rs.criteria[cid]
            parts = [rs.criteria[p] for p in c.all_of] if c.all_of else [c]
            tables = [set(FEATURE_TABLES.get(p.feature or "", ())) for p in parts]
            # a combined criterion needs every part; one part with no source silences it
            if any(t and t <= gone for t in tables):
                labels.append(c.label)
        if labels:
            out[rs.name] = labels
    return out


def coverage(store: RecordStore, rule_sets: list[RuleSet]) -> Coverage:
    """What ``store`` lacks for a run with ``rule_sets``."""
    missing = missing_tables(store)
    return Coverage(missing, silenced(rule_sets, missing))
