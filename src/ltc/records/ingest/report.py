"""What an ingest says when a batch is stored: the lines ``ltc ingest`` prints (POP-2).

Kept apart from the command line so the wording is defined once and tested directly:
the commit (stored, replaced, unchanged), what a replacement changed, what was skipped
(by resource type or file, nothing skipped in silence), how people were registered and
where encounters went, and people already held by other batches.
"""

from __future__ import annotations

import time
from typing import Any

from ltc.records import replacement
from ltc.records.replacement import Replacement
from ltc.records.store import Batch, CommitResult, RecordStore

VERBS = {"added": "stored", "replaced": "replaced the earlier extract",
         "unchanged": "already stored; nothing changed"}


def skipped_line(skipped: dict[str, int]) -> str:
    """``Skipped at ingest: Procedure 2,477, Immunization 1,739`` (largest first)."""
    if not skipped:
        return "  skipped at ingest: nothing"
    parts = [f"{kind} {count:,}" for kind, count in
             sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0]))]
    total = sum(skipped.values())
    return f"  skipped at ingest ({total:,}): {', '.join(parts)}"


def details_lines(details: dict[str, Any]) -> list[str]:
    out = []
    registered = details.get("registered_by")
    if registered:
        out.append("  registered practice by rule: " + ", ".join(
            f"{rule} {count:,}" for rule, count in registered.items()))
    encounters = details.get("encounters")
    if encounters:
        out.append("  encounters by setting: " + ", ".join(
            f"{name} {count:,}" for name, count in encounters.items()))
    return out


def lines(batch: Batch, result: CommitResult, seconds: float,
          replaced: Replacement | None = None,
          overlaps: dict[str, int] | None = None) -> list[str]:
    """Every line the ingest prints about one committed batch."""
    rows = sum(result.rows.values())
    out = [f"  {result.batch}: {VERBS[result.status]} ({rows:,} rows in {len(result.rows)} "
           f"tables, {seconds:.1f} s)"]
    if replaced is not None and result.status == "replaced":
        out += replaced.lines()
    out.append(skipped_line(batch.skipped))
    out += details_lines(batch.details)
    for key, shared in sorted((overlaps or {}).items()):
        out.append(f"  note: {shared:,} of its people are also in batch {key}; their records "
                   "are now held twice. To replace that batch instead, ingest with --source "
                   f"{key.split('/')[0]}.")
    return out


def commit(store: RecordStore, batch: Batch, started: float, replace: bool = False,
           overlaps: bool = False) -> list[str]:
    """Commit ``batch`` and return the lines to print about it.

    A batch that would replace a stored one of the same name is checked first
    (:func:`ltc.records.replacement.check`; raises
    :class:`~ltc.records.replacement.ReplacementRefusedError`, nothing changed, when it
    is a different extract and ``replace`` is not given). ``overlaps`` notes people
    already held by other batches (for Synthea exports, named from their content).
    """
    replaced = replacement.check(store, batch, replace)
    shared = replacement.overlaps(store, batch) if overlaps else {}
    result = store.commit(batch)
    return lines(batch, result, time.perf_counter() - started, replaced,
                 shared if result.status == "added" else {})
