"""Reading a kept stratification run from its files: the hand-over from the pipeline to
the care plane (STRAT-5, STRAT-6).

The care plane never imports the pipeline; a run's results reach it only as files, in
the run folder format documented in README.md ("The run folder: the hand-over format"):

``<data dir>/runs/run-NNNN/``
    ``run.json``
        a JSON object; the care plane relies on ``as_of`` (the index date,
        ``YYYY-MM-DD``, required) and, when present, ``model`` (a name, or an object with
        ``name`` or ``kind``). Other keys are ignored; the run id is the folder's name.
    ``people.parquet``
        one row per person: ``nhs_number``, ``level``, ``sex`` and the columns of
        :data:`ltc.care.people.services.RESULT_COLUMNS`.

``latest`` is the run with the highest number. Nothing here knows how a run is made.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

RUN_ID = re.compile(r"^run-\d{4,}$")
MANIFEST = "run.json"
PEOPLE = "people.parquet"


class RunFileError(ValueError):
    """A run folder that does not exist or whose files cannot be read."""


@dataclass(frozen=True)
class KeptRun:
    """A run as its files describe it."""

    id: str
    folder: Path
    meta: dict[str, Any]

    @property
    def as_of(self) -> date:
        return date.fromisoformat(self.meta["as_of"])

    def people(self, columns: list[str] | None = None) -> pa.Table:
        path = self.folder / PEOPLE
        if not path.exists():
            raise RunFileError(f"{path} is missing: a kept run needs its {PEOPLE}")
        try:
            return pq.read_table(path, columns=columns)
        except (pa.ArrowInvalid, OSError) as error:
            raise RunFileError(f"{path} cannot be read: {error}") from None


def _run_ids(data_dir: Path) -> list[str]:
    folder = Path(data_dir) / "runs"
    if not folder.is_dir():
        return []
    found = [sub.name for sub in folder.iterdir()
             if RUN_ID.match(sub.name) and (sub / MANIFEST).exists()]
    return sorted(found, key=lambda name: int(name.split("-")[1]))


def read_manifest(path: Path) -> dict[str, Any]:
    """The ``run.json`` at ``path``, checked for the keys the care plane relies on."""
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        raise RunFileError(f"{path} is missing: a kept run needs its {MANIFEST}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunFileError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(meta, dict):
        raise RunFileError(f"{path} must hold a JSON object, not {type(meta).__name__}")
    as_of = meta.get("as_of")
    if not isinstance(as_of, str):
        raise RunFileError(f"{path} has no as_of (the run's index date, YYYY-MM-DD)")
    try:
        date.fromisoformat(as_of)
    except ValueError:
        raise RunFileError(f"{path} has as_of {as_of!r}, not a date (YYYY-MM-DD)") from None
    return meta


def read(data_dir: Path, run_id: str = "latest") -> KeptRun:
    """The run ``run_id`` (or the latest) kept under ``data_dir/runs``."""
    if run_id == "latest":
        ids = _run_ids(data_dir)
        if not ids:
            raise RunFileError(f"there are no runs in {Path(data_dir) / 'runs'} yet; "
                               "make one with: ltc stratify --as-of DATE")
        run_id = ids[-1]
    if not RUN_ID.match(run_id):
        raise RunFileError(f"{run_id!r} is not a run id (run-NNNN, or latest)")
    folder = Path(data_dir) / "runs" / run_id
    if not folder.is_dir():
        known = ", ".join(_run_ids(data_dir)) or "none"
        raise RunFileError(f"no run called {run_id!r}; runs: {known}")
    return KeptRun(run_id, folder, read_manifest(folder / MANIFEST))
