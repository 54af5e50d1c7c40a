"""The synthetic generator's oracle: each person's true probability of admission (STRAT-3).

Only the generator's package knows where the ground truth lives. The pipeline never
reads it; a benchmark or test on a synthetic community fetches the oracle here and hands
the probabilities to :func:`ltc.pipeline.evaluation.evaluate`, which compares the
model's c-statistic with the oracle's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

TRUTH_FILE = "emergency_admission_truth.parquet"


def truth_path(truth_dir: Path) -> Path:
    return Path(truth_dir) / TRUTH_FILE


def index_dates(truth_dir: Path) -> list[date]:
    """The index dates the truth file covers."""
    column = pq.read_table(truth_path(truth_dir), columns=["index_date"])["index_date"]
    return sorted(set(column.to_pylist()))


def probabilities(truth_dir: Path, index_date: date, nhs_numbers: pa.Array | pa.ChunkedArray
                  ) -> npt.NDArray[np.float64]:
    """True probabilities for ``nhs_numbers`` (in that order) on ``index_date``.

    Raises if a person has no oracle value (the truth covers everyone alive on the index
    date, so a miss means the store and the truth come from different communities).
    """
    path = truth_path(truth_dir)
    if not path.exists():
        raise FileNotFoundError(f"no ground truth at {path}: build the community with "
                                "'ltc synth' and pass its truth folder")
    truth = pq.read_table(path)
    rows = truth.filter(pc.equal(truth["index_date"], pa.scalar(index_date, pa.date32())))
    if rows.num_rows == 0:
        raise ValueError(f"the ground truth has no index date {index_date}; it has "
                         f"{', '.join(str(d) for d in index_dates(truth_dir))}")
    position = pc.index_in(nhs_numbers, value_set=rows["nhs_number"])
    if position.null_count:
        raise ValueError(f"{position.null_count:,} people have no oracle probability: the "
                         "store and the ground truth are not from the same community")
    taken = rows["probability"].take(position)
    out: npt.NDArray[np.float64] = np.asarray(taken.to_numpy(zero_copy_only=False),
                                              dtype=np.float64)
    return out
