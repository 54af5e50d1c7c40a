"""Stratification runs, kept and compared over time (STRAT-6, POP-5).

"Many will recover... others will emerge": every run is kept under
``<data dir>/runs/<run id>/`` with ``run.json`` (index date, engine, policy, rule sets,
model version, counts, created at) and ``people.parquet`` / ``people.csv`` (one row per
person: level, reasons, criteria, scores, risk). ``diff`` lists the entrants, leavers and
movers between two runs.

A run also keeps ``recall.parquet`` when it was given the recall statuses (DM-2): one row
per person on a register and item of its protocol (:data:`RECALL_COLUMNS`), handed to the
care plane's recall lists as a file like ``people.parquet``; ``run.json`` then has a
``recall`` block (protocol versions, the due-soon window, counts by status). In the same
way it keeps ``medicines.parquet`` (SC-3: one row per person with a long-term medicine,
:data:`ltc.pipeline.medicines.COLUMNS`), ``indicators.parquet`` (DM-6: each person's
outcome on each QOF indicator) and ``achievement.parquet`` (DM-6: numerator, denominator,
exceptions and achievement per indicator and practice, locality and community).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

RUN_ID = re.compile(r"^run-\d{4,}$")
#: The columns of ``recall.parquet`` (DM-2; :data:`ltc.pipeline.recall.COLUMNS`).
RECALL_COLUMNS = ("nhs_number", "practice_code", "condition", "item", "status", "due_on",
                  "last_done_on", "last_value", "last_value_2", "target_met")


class RunError(ValueError):
    """A run that does not exist or cannot be read."""


@dataclass(frozen=True)
class Run:
    id: str
    folder: Path
    meta: dict[str, Any]

    def people(self, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.folder / "people.parquet", columns=columns)

    def recall(self, columns: list[str] | None = None) -> pa.Table | None:
        """The run's recall statuses (DM-2), or None when it kept none."""
        return self._optional("recall", columns)

    def medicines(self, columns: list[str] | None = None) -> pa.Table | None:
        """The run's medicines table (SC-3), or None when it kept none."""
        return self._optional("medicines", columns)

    def indicators(self, columns: list[str] | None = None) -> pa.Table | None:
        """Each person's QOF indicator outcomes (DM-6), or None when it kept none."""
        return self._optional("indicators", columns)

    def achievement(self, columns: list[str] | None = None) -> pa.Table | None:
        """The practices' QOF achievement (DM-6), or None when it kept none."""
        return self._optional("achievement", columns)

    def _optional(self, name: str, columns: list[str] | None) -> pa.Table | None:
        path = self.folder / f"{name}.parquet"
        return pq.read_table(path, columns=columns) if path.exists() else None


def runs_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "runs"


def all_runs(data_dir: Path) -> list[Run]:
    folder = runs_dir(data_dir)
    if not folder.exists():
        return []
    found = []
    for sub in sorted(folder.iterdir()):
        if RUN_ID.match(sub.name) and (sub / "run.json").exists():
            found.append(Run(sub.name, sub, json.loads((sub / "run.json").read_text())))
    return found


def get(data_dir: Path, run_id: str) -> Run:
    if run_id == "latest":
        runs = all_runs(data_dir)
        if not runs:
            raise RunError("there are no runs yet; make one with: ltc stratify --as-of DATE")
        return runs[-1]
    folder = runs_dir(data_dir) / run_id
    if not (folder / "run.json").exists():
        known = ", ".join(r.id for r in all_runs(data_dir)) or "none"
        raise RunError(f"no run called {run_id!r}; runs: {known}")
    return Run(run_id, folder, json.loads((folder / "run.json").read_text()))


def save(data_dir: Path, people: pa.Table, meta: dict[str, Any],
         recall: pa.Table | None = None, medicines: pa.Table | None = None,
         indicators: pa.Table | None = None, achievement: pa.Table | None = None) -> Run:
    """Keep a run: its people (Parquet and CSV), its recall statuses (DM-2), medicines
    (SC-3), indicator outcomes and achievement (DM-6) when given, and what produced them."""
    folder = runs_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [int(r.id.split("-")[1]) for r in all_runs(data_dir)]
    run_id = f"run-{(max(numbers) + 1 if numbers else 1):04d}"
    target = folder / run_id
    tmp = folder / f".{run_id}.tmp"
    tmp.mkdir()
    frame = pl.from_arrow(people)
    assert isinstance(frame, pl.DataFrame)
    with ThreadPoolExecutor(2) as pool:  # both writers release the GIL
        written = [pool.submit(pq.write_table, people, tmp / "people.parquet",
                               compression="zstd"),
                   pool.submit(frame.write_csv, tmp / "people.csv")]
        optional = {"recall": None if recall is None else recall.select(list(RECALL_COLUMNS)),
                    "medicines": medicines, "indicators": indicators,
                    "achievement": achievement}
        for name, table in optional.items():
            if table is not None:
                written.append(pool.submit(pq.write_table, table, tmp / f"{name}.parquet",
                                           compression="zstd"))
        for job in written:
            job.result()
    levels = frame.select("level")
    assert isinstance(levels, pl.DataFrame)
    counts = {str(k): int(v) for k, v in levels.group_by("level").len().iter_rows()}
    full = {"id": run_id, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "people": people.num_rows, "levels": counts, **meta}
    (tmp / "run.json").write_text(json.dumps(full, indent=1, sort_keys=True, default=str))
    tmp.rename(target)
    return Run(run_id, target, full)


@dataclass(frozen=True)
class Diff:
    a: Run
    b: Run
    transitions: pl.DataFrame  # level_a, level_b, people
    entrants: pl.DataFrame  # into level 3
    leavers: pl.DataFrame  # out of level 3
    movers: pl.DataFrame  # any change of level (including into and out of the population)


def diff(a: Run, b: Run) -> Diff:
    """Who entered and left case management (level 3) and who moved level, from a to b."""
    cols = ["nhs_number", "practice_code", "level", "level_basis"]
    left = pl.from_arrow(a.people(cols))
    right = pl.from_arrow(b.people(cols))
    assert isinstance(left, pl.DataFrame)
    assert isinstance(right, pl.DataFrame)
    joined = left.join(right, on="nhs_number", how="full", suffix="_b", coalesce=True).rename(
        {"level": "level_a", "level_basis": "basis_a", "level_basis_b": "basis_b"})
    joined = joined.with_columns(pl.coalesce("practice_code_b", "practice_code")
                                 .alias("practice_code")).drop("practice_code_b")
    transitions = (joined.group_by(["level_a", "level_b"]).len(name="people")
                   .sort(["level_a", "level_b"], nulls_last=True))
    in3a = pl.col("level_a").fill_null(-1) == 3
    in3b = pl.col("level_b").fill_null(-1) == 3
    moved = pl.col("level_a").fill_null(-1) != pl.col("level_b").fill_null(-1)
    order = ["nhs_number", "practice_code", "level_a", "level_b", "basis_a", "basis_b"]
    return Diff(a, b, transitions,
                joined.filter(~in3a & in3b).select(order).sort("nhs_number"),
                joined.filter(in3a & ~in3b).select(order).sort("nhs_number"),
                joined.filter(moved).select(order).sort("nhs_number"))
