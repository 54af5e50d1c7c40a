"""Calibration of the synthetic community against England (POP-3, COM-2).

These tests print the figures they check: generated register prevalence next to QOF
England 2019-20, and the share of bed days used by the top 5% of inpatients.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ltc.codes.nhs_dd import EMERGENCY_ADMISSION_METHODS
from ltc.records import summary

from .conftest import Built

AS_OF = date(2025, 3, 31)


def test_register_prevalence_matches_qof_england(community: Built) -> None:
    rows = summary.prevalence_against_qof(community.store.connect(), AS_OF)
    print(f"\n{'register':<22}{'people':>8}{'prevalence %':>14}{'QOF England %':>15}"
          f"{'ratio':>7}")
    for r in rows:
        print(f"{r.register:<22}{r.count:>8}{r.percent or 0:>14.2f}{r.reference or 0:>15.2f}"
              f"{r.ratio or 0:>7.2f}")
    within = [r for r in rows if r.ratio is not None and 0.85 <= r.ratio <= 1.15]
    assert len(rows) >= 15
    assert len(within) == len(rows), [r for r in rows if r not in within]


def test_top_five_percent_of_inpatients_use_35_to_50_percent_of_bed_days(
        community: Built) -> None:
    c = summary.bed_day_concentration(community.store.connect(), AS_OF)
    print(f"\nbed days {c.start}..{c.end}: {c.bed_days} for {c.inpatients} inpatients; "
          f"top 5% share {100 * c.top_share:.1f}% (seed: 42%)")
    assert 0.35 <= c.top_share <= 0.50
    assert c.inpatients > 1_000


def test_emergency_stays_are_skewed_and_longer_for_older_people(community: Built) -> None:
    con = community.store.connect()
    s = con.table("inpatient_spell")
    p = con.table("person")
    e = s.filter(s.admission_method.isin(sorted(EMERGENCY_ADMISSION_METHODS))
                 & s.length_of_stay.notnull()).join(p, "nhs_number")
    e = e.mutate(old=(e.date_of_birth <= date(1940, 1, 1)).ifelse(1, 0))
    stats = e.group_by("old").aggregate(mean=e.length_of_stay.mean(),
                                        median=e.length_of_stay.median()).to_pyarrow()
    by = {o: (m, med) for o, m, med in zip(stats["old"].to_pylist(), stats["mean"].to_pylist(),
                                          stats["median"].to_pylist(), strict=True)}
    assert by[1][0] > 1.5 * by[0][0]  # people 85+ stay longer
    for mean, median in by.values():
        assert mean > 1.3 * median  # right-skewed
    overall = e.length_of_stay.mean().execute()
    assert 6.0 < overall < 11.0  # England emergency mean 7.9 (2019) to 9.1 (2022) days


def test_truth_file_is_the_oracle_of_the_generated_outcomes(community: Built) -> None:
    """Mean true probability equals the observed share admitted; the oracle discriminates."""
    truth = pq.read_table(community.truth / "emergency_admission_truth.parquet")
    assert (community.truth / "truth.json").exists()
    con = community.store.connect()
    s = con.table("inpatient_spell")
    for index in sorted(set(truth["index_date"].to_pylist())):
        rows = truth.filter(pc.equal(truth["index_date"], pa.scalar(index, pa.date32())))
        prob = np.asarray(rows["probability"])
        assert ((prob > 0) & (prob < 1)).all()
        end = date(index.year + 1, index.month, index.day)
        admitted = s.filter(s.admission_method.isin(sorted(EMERGENCY_ADMISSION_METHODS))
                            & (s.admission_date >= index) & (s.admission_date < end))
        who = set(admitted.select("nhs_number").distinct().to_pyarrow()["nhs_number"]
                  .to_pylist())
        outcome = np.array([n in who for n in rows["nhs_number"].to_pylist()])
        print(f"\nindex {index}: mean oracle {prob.mean():.4f}, observed {outcome.mean():.4f}")
        assert abs(prob.mean() - outcome.mean()) < 0.1 * outcome.mean()
        # calibrated in every tenth of risk (the top tenths hold most of those who die)
        deciles = np.minimum((np.argsort(np.argsort(prob)) * 10) // len(prob), 9)
        for k in range(10):
            sel = deciles == k
            assert abs(prob[sel].mean() - outcome[sel].mean()) < max(
                0.015, 0.15 * outcome[sel].mean()), (k, prob[sel].mean(), outcome[sel].mean())
        # c-statistic of the oracle (Mann-Whitney)
        order = np.argsort(prob)
        ranks = np.empty(len(prob))
        ranks[order] = np.arange(1, len(prob) + 1)
        pos = outcome.sum()
        auc = (ranks[outcome].sum() - pos * (pos + 1) / 2) / (pos * (len(prob) - pos))
        assert auc > 0.70


def test_only_the_generator_knows_where_the_truth_is() -> None:
    """The pipeline never reads the ground truth: only the generator names its file."""
    from pathlib import Path

    import ltc

    root = Path(ltc.__file__).parent
    mentions = {p.relative_to(root).as_posix() for p in root.rglob("*.py")
                if "emergency_admission_truth" in p.read_text()}
    assert "synth/generate.py" in mentions
    assert {m for m in mentions if not m.startswith("synth/")} == set(), mentions
    # nor does anything outside the generator's package fetch the oracle
    importers = {p.relative_to(root).as_posix() for p in root.rglob("*.py")
                 if "synth.oracle" in p.read_text() or "synth import oracle" in p.read_text()}
    assert {m for m in importers if not m.startswith("synth/")} == set(), importers
