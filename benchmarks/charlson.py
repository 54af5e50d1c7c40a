"""Benchmark: our Charlson index against comorbidipy 0.5.0 on the same input.

    uv run --with comorbidipy==0.5.0 python benchmarks/charlson.py --data-dir DIR

comorbidipy is the reference implementation the scores are tested against; it is used
here only, never as a dependency of the project. It needs a one-line shim to import on
current pandas (it imports ``SettingWithCopyWarning`` from a module that no longer has
it). DIR holds a record store (e.g. from ``benchmarks/record_plane.py --keep DIR``). The
script times both on every person's ICD-10 diagnoses up to the index date, checks the
scores are identical person by person, and prints both times and the ratios: against
comorbidipy given its input ready as a pandas frame, and against comorbidipy starting from
the same record store (reading the diagnoses and ages into that frame, then scoring).
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import pandas as pd

from ltc.pipeline.features import people
from ltc.pipeline.scores import charlson
from ltc.records.store import RecordStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--as-of", default="2025-03-31")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    con = RecordStore(args.data_dir / "records").connect()

    started = time.perf_counter()
    ours = charlson(con, as_of, variant="quan", weighting="charlson").select(
        "nhs_number", "charlson", "charlson_age_adjusted").to_pyarrow()
    ours_seconds = time.perf_counter() - started

    started = time.perf_counter()
    dx = con.table("diagnosis")
    rows = dx.filter((dx.code_system == "icd10") & (dx.date <= as_of)).select(
        "nhs_number", "code")
    ages = people(con, as_of).select("nhs_number", "age")
    frame = rows.join(ages, "nhs_number").to_pandas()
    frame["code"] = frame["code"].str.replace(".", "", regex=False)
    frame = frame.rename(columns={"nhs_number": "id"})  # 0.5.0 needs the id column named id
    extract_seconds = time.perf_counter() - started
    print(f"input: {len(frame):,} ICD-10 diagnoses of {frame['id'].nunique():,} "
          f"people; ours scored {ours.num_rows:,} people")

    import pandas.core.common as common
    import pandas.errors as errors
    common.SettingWithCopyWarning = getattr(  # the shim
        errors, "SettingWithCopyWarning", type("SettingWithCopyWarning", (Warning,), {}))
    import comorbidipy  # type: ignore[import-untyped]

    started = time.perf_counter()
    ref = comorbidipy.comorbidity(frame, id="id", code="code", age="age",
                                  score="charlson", icd="icd10", variant="quan",
                                  weighting="charlson", assign0=True)
    ref_seconds = time.perf_counter() - started

    ours_df = ours.to_pandas().set_index("nhs_number")
    ref_df = ref.set_index("id")
    common_ids = ours_df.index.intersection(ref_df.index)
    score_diff = (ours_df.loc[common_ids, "charlson"]
                  != ref_df.loc[common_ids, "comorbidity_score"]).sum()
    age_diff = (ours_df.loc[common_ids, "charlson_age_adjusted"]
                != ref_df.loc[common_ids, "age_adj_comorbidity_score"]).sum()
    print(f"people compared: {len(common_ids):,}; different scores: {score_diff}; "
          f"different age-adjusted scores: {age_diff}")
    both = extract_seconds + ref_seconds
    print(f"{'ours, from the record store':<44} {ours_seconds:8.2f} s")
    print(f"{'comorbidipy 0.5.0, given its pandas frame':<44} {ref_seconds:8.2f} s"
          f"   ratio {ref_seconds / ours_seconds:5.1f} x")
    print(f"{'comorbidipy 0.5.0, from the record store':<44} {both:8.2f} s"
          f"   ratio {both / ours_seconds:5.1f} x   (target >= 50 x)")
    _ = pd  # pandas is the reference's engine


if __name__ == "__main__":
    main()
