"""One stratification run as a service (STRAT-1 to STRAT-7, POP-5).

:func:`run_stratification` puts a run together from its parts, the same way for every
caller (``ltc stratify``, tests, benchmarks, a scheduled job): load the pyramid policy and
its rule sets (or the ones asked for), the GP knowledge file and the risk model; check the
record store has the tables a run cannot do without and note the optional ones never
loaded; compute everyone's features, scores, risk and level on the chosen engine; compute
the recall status of every protocol item of everyone on a register (DM-2, with the
condition protocols and any local ones, DM-1), everyone's medicines adherence, medication
reviews due and polypharmacy (SC-3) and everyone's outcome on each QOF indicator with the
practices' achievement (DM-6); keep the run (``runs/run-NNNN``: people, recall, medicines,
indicators, achievement, meta) and write its HTML report. Printing is the caller's:
the result object carries what a caller reports, and progress goes to an optional
callback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pyarrow as pa

from ltc.pipeline import achievement, levels, medicines, recall, report, runs, sources
from ltc.pipeline import engine as engines
from ltc.pipeline import gp_knowledge as knowledge
from ltc.pipeline import rules as rule_sets
from ltc.pipeline import stratify as strat
from ltc.protocols import ProtocolError
from ltc.protocols import load as load_protocols
from ltc.records.errors import IngestError
from ltc.records.store import RecordStore

#: Told what the run is doing now (a short sentence), when the caller wants to know.
Progress = Callable[[str], None]


class RunInputError(Exception):
    """A policy, rule set, GP knowledge file, model or condition protocol that could not be
    loaded; the message says which and why (the run did not start)."""


class NothingToStratifyError(Exception):
    """The record store lacks a table a run cannot do without (``sources.REQUIRED``); the
    message says what to load."""


@dataclass(frozen=True)
class StratificationResult:
    """A finished, kept run and what a caller reports about it."""

    run: runs.Run
    #: one row per person (see :mod:`ltc.pipeline.stratify`)
    people: pa.Table
    as_of: date
    engine: str
    #: time spent computing the people table (not keeping it)
    seconds: float
    #: the run's HTML report
    report: Path
    #: tables never loaded and the criteria they silence
    sources: sources.Coverage
    #: POP-5: how many level-3 people services already know
    hidden: strat.Hidden
    #: DM-2: one row per person on a register and protocol item (``recall.parquet``)
    recall: pa.Table
    #: DM-2: how many items have each status
    recall_counts: dict[str, int]
    #: SC-3: one row per person with a long-term medicine (``medicines.parquet``)
    medicines: pa.Table
    #: DM-6: one row per person and QOF indicator they count in (``indicators.parquet``)
    indicators: pa.Table
    #: DM-6: numerator, denominator, exceptions per indicator and practice, locality and
    #: community (``achievement.parquet``)
    achievement: pa.Table


def run_stratification(store: RecordStore, data_dir: Path, as_of: date, *,
                       engine: str = "duckdb", rules: Sequence[str] | None = None,
                       policy: Path | None = None, gp_knowledge: Path | None = None,
                       model: Path | None = None, progress: Progress | None = None,
                       protocols_dir: Path | None = None,
                       due_soon_days: int = recall.DUE_SOON_DAYS,
                       ) -> StratificationResult:
    """Stratify everyone in ``store`` as of ``as_of`` and keep the run under ``data_dir``.

    ``rules`` replaces the policy's level-3 rule sets (built-in names or rule files);
    ``policy`` is a pyramid policy file (default: the built-in one); ``gp_knowledge`` a CSV
    of clinicians' nominations and exclusions; ``model`` a folder from ``ltc model train``;
    ``protocols_dir`` a folder of local condition protocols; ``due_soon_days`` the recall
    window before a due date (DM-2). Raises :class:`RunInputError` when one of these does
    not load and :class:`NothingToStratifyError` when the person or practice table is
    absent.
    """
    tell = progress or (lambda _text: None)
    try:
        chosen = levels.load(policy)
        if rules:
            for name in rules:
                rule_sets.load(name)
            chosen = replace(chosen, rule_sets=tuple(rules))
        nominations = knowledge.load(gp_knowledge) if gp_knowledge else None
        risk = strat.RiskModel(model) if model is not None else None
        protocols = load_protocols(protocols_dir)
        if due_soon_days < 0:
            raise ValueError(f"the due-soon window must be 0 days or more, not "
                             f"{due_soon_days}")
    except (levels.PolicyError, rule_sets.RuleError, ProtocolError, FileNotFoundError,
            ValueError) as error:
        raise RunInputError(str(error)) from error
    except IngestError as error:
        raise RunInputError(error.report()) from error
    found = sources.coverage(store, [rule_sets.load(name) for name in chosen.rule_sets])
    absent = [t for t in sources.REQUIRED if t in found.missing or not store.files(t)]
    if absent:
        raise NothingToStratifyError(
            f"The record store at {store.root} has no {' or '.join(absent)} table, so there "
            "is nobody to stratify. Load a GP extract (person.csv, practice.csv) first: "
            "ltc ingest csv <folder>.")
    started = time.perf_counter()
    tell(f"Stratifying as of {as_of} on {engine}...")
    con = engines.connect(store, engine)
    people = strat.people(con, as_of, chosen, nominations, risk)
    seconds = time.perf_counter() - started
    tell(f"Recall statuses of {len(protocols)} condition protocols...")
    started = time.perf_counter()
    statuses = recall.statuses(con, as_of, protocols,
                               due_soon_days=due_soon_days).to_pyarrow()
    recall_seconds = time.perf_counter() - started
    counts = recall.counts(statuses)
    tell("Medicines adherence, reviews due and polypharmacy...")
    started = time.perf_counter()
    on_medicines = medicines.medicines_table(con, as_of)
    medicines_seconds = time.perf_counter() - started
    tell("QOF indicators and practice achievement...")
    started = time.perf_counter()
    outcomes = achievement.indicator_people(con, as_of)
    achieved = achievement.achievement_table(outcomes)
    achievement_seconds = time.perf_counter() - started
    tell("Keeping the run and writing its report...")
    run = runs.save(data_dir, people, {
        "as_of": str(as_of), "engine": engine, "policy": chosen.__dict__,
        "gp_knowledge": knowledge.summary(nominations) if nominations is not None else None,
        "model": risk.version if risk is not None else None, "seconds": round(seconds, 1),
        "sources": found.as_meta(),
        "recall": recall.manifest(protocols, due_soon_days, counts, recall_seconds),
        "medicines": medicines.manifest(on_medicines, medicines_seconds),
        "achievement": achievement.manifest(outcomes, achievement_seconds)},
        recall=statuses, medicines=on_medicines, indicators=outcomes, achievement=achieved)
    report_path = report.render(run, people)
    return StratificationResult(run=run, people=people, as_of=as_of, engine=engine,
                                seconds=seconds, report=report_path, sources=found,
                                hidden=strat.hidden(people), recall=statuses,
                                recall_counts=counts, medicines=on_medicines,
                                indicators=outcomes, achievement=achieved)
