"""Register size and prevalence on a date, optionally per group (POP-3, POP-4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import ibis
import pyarrow as pa

from ltc.records.registers.definitions import REGISTERS, born_by
from ltc.records.registers.membership import GROUPS, people, qualified


def prevalence(con: ibis.BaseBackend, as_of: date, by: Sequence[str] | None = None, *,
               include_hospital: bool = True) -> pa.Table:
    """Register size and prevalence on ``as_of``, optionally per group.

    Columns: the ``by`` columns (any of ``practice_code``, ``locality_code`` and the
    ``person`` attributes in :data:`GROUPS`), then ``register``, ``count``, ``denominator``
    (people alive and registered on ``as_of`` in the age band QOF publishes the register's
    prevalence against: ``denominator_min_age``), ``percent`` (100 * count / denominator;
    null when the denominator is 0) and ``hospital_only`` (members on the register only
    through secondary-care ICD-10 codes, with no primary-care code; 0 when
    ``include_hospital`` is false).
    """
    groups = list(by or [])
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise ValueError(f"cannot group prevalence by {unknown}; choose from {list(GROUPS)}")
    regs = list(REGISTERS.values())
    # one row per person with 0/1 flags per register; alive, registered and age are applied
    # against the same people rows that give the denominators
    found = qualified(con, as_of, include_hospital)
    hospital = found.source == "hospital"
    flags = found.group_by("nhs_number").aggregate(**{
        name: metric for r in regs for name, metric in (
            (f"q__{r.id}", (found.register == r.id).ifelse(1, 0).max()),
            (f"h__{r.id}", ((found.register == r.id) & hospital).ifelse(1, 0).max()))})
    joined = people(con, as_of, groups).left_join(flags, "nhs_number")
    ages = sorted({r.min_age for r in regs} | {r.denominator_min_age for r in regs})
    old_enough = {age: joined.date_of_birth <= ibis.literal(born_by(as_of, age), type="date")
                  for age in ages}
    metrics: dict[str, Any] = {
        f"d__{age}": old_enough[age].ifelse(1, 0).sum() for age in ages}
    for r in regs:
        of_age = old_enough[r.min_age].ifelse(1, 0)
        metrics[f"n__{r.id}"] = (joined[f"q__{r.id}"] * of_age).sum()
        metrics[f"h__{r.id}"] = (joined[f"h__{r.id}"] * of_age).sum()
    wide = (joined.group_by(groups).aggregate(**metrics) if groups
            else joined.aggregate(**metrics)).to_pyarrow()
    if groups:
        wide = wide.sort_by([(g, "ascending") for g in groups])

    n = wide.num_rows
    out: dict[str, list[Any]] = {g: [] for g in groups}
    out.update(register=[], count=[], denominator=[], percent=[], hospital_only=[])
    group_values = {g: wide.column(g).to_pylist() for g in groups}
    for r in regs:
        counts = wide.column(f"n__{r.id}").to_pylist()
        hospital_counts = wide.column(f"h__{r.id}").to_pylist()
        dens = wide.column(f"d__{r.denominator_min_age}").to_pylist()
        for i in range(n):
            for g in groups:
                out[g].append(group_values[g][i])
            count = int(counts[i] or 0)
            den = int(dens[i] or 0)
            out["register"].append(r.id)
            out["count"].append(count)
            out["denominator"].append(den)
            out["percent"].append(100.0 * count / den if den else None)
            out["hospital_only"].append(int(hospital_counts[i] or 0))
    fields = [wide.schema.field(g) for g in groups] + [
        pa.field("register", pa.string()), pa.field("count", pa.int64()),
        pa.field("denominator", pa.int64()), pa.field("percent", pa.float64()),
        pa.field("hospital_only", pa.int64())]
    result = pa.table(out, schema=pa.schema(fields))
    if groups:
        result = result.sort_by([(g, "ascending") for g in groups])
    return result
