"""Calibration of the synthetic community's dispensing (SC-3): it differs from the issues.

"Only about 50% of medicines are taken as prescribed" (Department of Health, Supporting
People with Long Term Conditions, 2005). On a 10,000-person community, as of the end of
its history, about half of people's long-term medicines have a proportion of days covered
of 80% or more (:mod:`ltc.pipeline.medicines`); some issues are never collected, a few are
collected weeks late, and a person who leaves one medicine tends to leave others. The
figures are printed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from ltc.pipeline import engine
from ltc.pipeline.medicines import adherence
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, community_tables, write_store

AS_OF = date(2025, 3, 31)
#: "About half": the share of long-term medicines with PDC >= 80% must lie in this band.
ADHERENT_BAND = (0.45, 0.55)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> RecordStore:
    root: Path = tmp_path_factory.mktemp("dispensing")
    write_store(RecordStore(root / "records"), Options(people=10_000, seed=4))
    return RecordStore(root / "records")


@pytest.fixture(scope="module")
def pdc(store: RecordStore) -> pl.DataFrame:
    found = pl.from_arrow(adherence(engine.connect(store), AS_OF).to_pyarrow())
    assert isinstance(found, pl.DataFrame)
    return found


def test_about_half_of_long_term_medicines_are_taken_as_prescribed(pdc: pl.DataFrame) -> None:
    share = pdc["adherent"].mean()
    assert isinstance(share, float)
    counts, _ = np.histogram(pdc["pdc"].to_numpy(), [0, 0.2, 0.4, 0.6, 0.8, 1.0001])
    print(f"\n{pdc.height} long-term medicines of {pdc['nhs_number'].n_unique()} people; "
          f"PDC >= 80%: {100 * share:.1f}% (seed: about 50%); median PDC "
          f"{pdc['pdc'].median():.3f}; by fifths of PDC (%): "
          f"{' '.join(f'{100 * c / pdc.height:.1f}' for c in counts)}")
    assert pdc.height > 5_000
    assert ADHERENT_BAND[0] <= share <= ADHERENT_BAND[1]
    # not a cliff: people spread over the whole range, most near the threshold
    assert 0.02 < (pdc["pdc"] < 0.4).mean() < 0.2  # type: ignore[operator]
    assert (pdc["pdc"] >= 0.9).mean() > 0.2  # type: ignore[operator]


def test_a_person_who_leaves_one_medicine_tends_to_leave_others(pdc: pl.DataFrame) -> None:
    pairs = pdc.sort("ingredient").group_by("nhs_number").agg(
        pl.col("pdc").first().alias("first"), pl.col("pdc").last().alias("second"),
        pl.len().alias("n")).filter(pl.col("n") >= 2)
    r = float(np.corrcoef(pairs["first"].to_numpy(), pairs["second"].to_numpy())[0, 1])
    print(f"\ncorrelation of two medicines' PDC in the same person: {r:.2f} "
          f"({pairs.height} people)")
    assert r > 0.2


def test_some_issues_are_never_collected_and_some_late(store: RecordStore) -> None:
    con = engine.connect(store)
    rx = con.table("prescription")
    issues = rx.filter(rx.repeat).select(issue_id=rx.record_id, issued_on=rx.date)
    d = con.table("dispensing")
    got = issues.left_join(d, issues.issue_id == d.prescription_id).select(
        "issue_id", "issued_on", dispensed_on=d.date).to_polars()
    collected = got["dispensed_on"].is_not_null()
    lag = (got["dispensed_on"] - got["issued_on"]).dt.total_days().drop_nulls()
    print(f"\nrepeat issues {got.height}: not collected {100 * (1 - collected.mean()):.1f}%"
          f"; collected within 3 days {100 * (lag <= 3).mean():.1f}%, 14 days late or more "
          f"{100 * (lag >= 14).mean():.1f}%")
    assert got["issue_id"].n_unique() == got.height  # one dispensing per issue at most
    assert 0.15 < 1 - collected.mean() < 0.40
    assert (lag <= 3).mean() > 0.75
    assert 0.02 < (lag >= 14).mean() < 0.15
    assert lag.min() >= 0


def _dispensing(seed: int) -> pa.Table:
    return pa.concat_tables(t for _source, name, t in community_tables(
        Options(people=600, seed=seed)) if name == "dispensing")


def test_the_same_seed_gives_the_same_dispensing() -> None:
    assert _dispensing(3).equals(_dispensing(3))
    assert not _dispensing(3).equals(_dispensing(4))
