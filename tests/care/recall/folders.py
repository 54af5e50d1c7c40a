"""Small run folders in the hand-over format (README: "The run folder"), written by
tests: ``people.parquet`` and ``recall.parquet`` with the columns the care plane reads,
and a record store's person and practice tables as the people loader receives them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ltc.care.people.run_files import KeptRun, read

RECALL_SCHEMA = pa.schema([
    ("nhs_number", pa.string()), ("practice_code", pa.string()), ("condition", pa.string()),
    ("item", pa.string()), ("status", pa.string()), ("due_on", pa.date32()),
    ("last_done_on", pa.date32()), ("last_value", pa.float64()),
    ("last_value_2", pa.float64()), ("target_met", pa.bool_())])


def person(nhs: str, practice: str = "P1", level: int = 2) -> dict[str, Any]:
    return {"nhs_number": nhs, "level": level, "locality_code": "L1", "practice_code": practice,
            "level_basis": "LTC", "reasons": "", "risk": 0.1, "risk_percentile": 50.0,
            "age": 70, "ltc_count": 1, "emergency_12m": 0, "charlson": 1, "efi": 0.1,
            "efi_category": "fit", "hfrs": 0.0, "cms": 0.5,
            "known_to_community_nursing": False, "known_to_social_care": False, "sex": "F"}


def item(nhs: str, condition: str, item_id: str, status: str, due_on: date | None,
         last_done_on: date | None = None, value: float | None = None,
         value_2: float | None = None, practice: str = "P1",
         target_met: bool | None = None) -> dict[str, Any]:
    return {"nhs_number": nhs, "practice_code": practice, "condition": condition,
            "item": item_id, "status": status, "due_on": due_on,
            "last_done_on": last_done_on, "last_value": value, "last_value_2": value_2,
            "target_met": target_met}


def write_run(data_dir: Path, run_id: str, as_of: date, people: list[dict[str, Any]],
              recall: list[dict[str, Any]] | pa.Table | None) -> KeptRun:
    folder = data_dir / "runs" / run_id
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"as_of": as_of.isoformat()}))
    pq.write_table(pa.Table.from_pylist(people), folder / "people.parquet")
    if recall is not None:
        table = recall if isinstance(recall, pa.Table) else pa.Table.from_pylist(
            recall, schema=RECALL_SCHEMA)
        pq.write_table(table, folder / "recall.parquet")
    return read(data_dir, run_id)


def demographics(rows: list[dict[str, Any]]) -> pa.Table:
    """A record store's person table with the columns the loaders read."""
    full = [{"nhs_number": r["nhs_number"], "date_of_birth": r.get("date_of_birth",
             date(1950, 1, 1)), "postcode_district": "LE1", "date_of_death": None,
             "given_name": r.get("given_name"), "family_name": r.get("family_name"),
             "address": r.get("address"), "postcode": r.get("postcode"),
             "telephone": r.get("telephone"), "preferred_contact": r.get("preferred_contact")}
            for r in rows]
    return pa.Table.from_pylist(full, schema=pa.schema([
        ("nhs_number", pa.string()), ("date_of_birth", pa.date32()),
        ("postcode_district", pa.string()), ("date_of_death", pa.date32()),
        ("given_name", pa.string()), ("family_name", pa.string()), ("address", pa.string()),
        ("postcode", pa.string()), ("telephone", pa.string()),
        ("preferred_contact", pa.string())]))


def practices(rows: dict[str, str]) -> pa.Table:
    return pa.table({"practice_code": list(rows), "name": list(rows.values()),
                     "locality_code": ["L1"] * len(rows)})
