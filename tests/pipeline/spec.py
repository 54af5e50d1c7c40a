"""Spec tables for pipeline tests: write records as small text tables, get a connection.

    PERSON = table('''
        nhs_number | date_of_birth | sex | practice_code
        9434765919 | 1940-05-01    | F   | P1
    ''')

Cells are text, typed exactly as an extract would be (through the record-plane
converter), so a spec reads like the data it describes.
"""

from __future__ import annotations

import pyarrow as pa

from ltc.records.convert import convert_table
from ltc.records.schema import TABLES


def table(name: str, text: str) -> pa.Table:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    header = [h.strip() for h in lines[0].split("|")]
    rows = [[c.strip() for c in line.split("|")] for line in lines[1:]]
    columns = {h: pa.array([r[i] for r in rows], pa.string()) for i, h in enumerate(header)}
    spec = TABLES[name]
    if "record_id" in spec.arrow_schema.names and "record_id" not in columns:
        columns["record_id"] = pa.array([f"{name[:2]}{i}" for i in range(len(rows))])
    return convert_table(spec, pa.table(columns), lambda r: f"{name} row {r + 1}", name)
