"""How well a risk model predicts emergency admission (STRAT-3): plain numpy metrics.

* **c-statistic**: the chance that a person admitted got a higher risk than a person not
  admitted (ties count a half); the area under the ROC curve.
* **Brier score**: the mean squared difference between predicted risk and outcome.
* **Calibration slope and intercept**: the logistic recalibration
  ``logit P(admitted) = intercept + slope * logit(predicted)``, fitted by maximum
  likelihood. A perfectly calibrated model has slope 1 and intercept 0; a slope below 1
  means predictions too extreme (overfitting), above 1 too timid.
* **Sensitivity and PPV at the top k%**: the ``ceil(k% * n)`` people with the highest
  risk (ties broken by input order) are flagged; sensitivity is the share of everyone
  admitted who was flagged, positive predictive value the share of those flagged who
  were admitted.

On a synthetic community the generator's true probabilities (the oracle) can be passed
to :func:`evaluate`: their c-statistic is the best any model could reach, and the
ratio of ours to it says how much of the reachable discrimination the model found.
Nothing here reads them: the caller supplies them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
TOP_FRACTIONS: tuple[float, ...] = (0.005, 0.01, 0.05)
EPS = 1e-12


def _arrays(y: npt.ArrayLike, p: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    yy = np.asarray(y, dtype=np.float64).ravel()
    pp = np.asarray(p, dtype=np.float64).ravel()
    if yy.shape != pp.shape:
        raise ValueError(f"outcomes ({yy.size}) and predictions ({pp.size}) differ in length")
    if not np.isin(yy, (0.0, 1.0)).all():
        raise ValueError("outcomes must be 0 or 1")
    return yy, pp


def _midranks(values: FloatArray) -> FloatArray:
    """Ranks 1..n with tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_values)) + 1]
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2.0  # ranks start+1 .. end, averaged
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def c_statistic(y: npt.ArrayLike, p: npt.ArrayLike) -> float:
    """Area under the ROC curve (Mann-Whitney U / (positives x negatives))."""
    yy, pp = _arrays(y, p)
    pos = yy.sum()
    neg = len(yy) - pos
    if pos == 0 or neg == 0:
        raise ValueError("the c-statistic needs both admitted and not admitted people")
    ranks = _midranks(pp)
    return float((ranks[yy == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def brier_score(y: npt.ArrayLike, p: npt.ArrayLike) -> float:
    yy, pp = _arrays(y, p)
    return float(np.mean((pp - yy) ** 2))


def logit(p: npt.ArrayLike) -> FloatArray:
    q = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    out: FloatArray = np.log(q / (1 - q))
    return out


def calibration_slope_intercept(y: npt.ArrayLike, p: npt.ArrayLike,
                                iterations: int = 50) -> tuple[float, float]:
    """(slope, intercept) of ``logit P(y) = a + b logit(p)`` by Newton-Raphson."""
    yy, pp = _arrays(y, p)
    x = np.column_stack([np.ones_like(pp), logit(pp)])
    beta = np.zeros(2)
    for _ in range(iterations):
        mu = 1 / (1 + np.exp(-(x @ beta)))
        w = mu * (1 - mu)
        hessian = x.T @ (x * w[:, None])
        step = np.linalg.solve(hessian + 1e-12 * np.eye(2), x.T @ (yy - mu))
        beta = beta + step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[1]), float(beta[0])


@dataclass(frozen=True)
class TopK:
    """Who is flagged when the top ``fraction`` of risk is case-found."""

    fraction: float
    flagged: int
    admitted: int  # among those flagged
    sensitivity: float
    ppv: float


def top_k(y: npt.ArrayLike, p: npt.ArrayLike, fraction: float) -> TopK:
    yy, pp = _arrays(y, p)
    n = math.ceil(fraction * len(yy) - 1e-9)
    order = np.argsort(-pp, kind="stable")[:n]
    hits = int(yy[order].sum())
    total = yy.sum()
    return TopK(fraction, n, hits, float(hits / total) if total else float("nan"),
                float(hits / n) if n else float("nan"))


@dataclass(frozen=True)
class CalibrationBin:
    predicted: float
    observed: float
    people: int


def calibration_bins(y: npt.ArrayLike, p: npt.ArrayLike, bins: int = 10
                     ) -> list[CalibrationBin]:
    """Mean predicted and observed risk in each tenth (by default) of predicted risk."""
    yy, pp = _arrays(y, p)
    order = np.argsort(pp, kind="stable")
    out = []
    for part in np.array_split(order, bins):
        if len(part):
            out.append(CalibrationBin(float(pp[part].mean()), float(yy[part].mean()),
                                      len(part)))
    return out


def roc_points(y: npt.ArrayLike, p: npt.ArrayLike, points: int = 201
               ) -> tuple[FloatArray, FloatArray]:
    """(false positive rate, true positive rate) at up to ``points`` thresholds."""
    yy, pp = _arrays(y, p)
    order = np.argsort(-pp, kind="stable")
    ys, ps = yy[order], pp[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(ps)), len(ps) - 1]
    tp = np.cumsum(ys)[last_of_tie]
    fp = (last_of_tie + 1) - tp
    tpr = np.r_[0.0, tp / max(yy.sum(), 1)]
    fpr = np.r_[0.0, fp / max(len(yy) - yy.sum(), 1)]
    if len(tpr) > points:
        keep = np.unique(np.linspace(0, len(tpr) - 1, points).round().astype(int))
        tpr, fpr = tpr[keep], fpr[keep]
    return fpr, tpr


@dataclass(frozen=True)
class Metrics:
    """Every figure the model card and the saved model report."""

    people: int
    admitted: int
    c_statistic: float
    brier: float
    calibration_slope: float
    calibration_intercept: float
    mean_predicted: float
    observed_rate: float
    top: list[TopK] = field(default_factory=list)
    calibration: list[CalibrationBin] = field(default_factory=list)
    oracle_c_statistic: float | None = None

    @property
    def oracle_ratio(self) -> float | None:
        if self.oracle_c_statistic is None:
            return None
        return self.c_statistic / self.oracle_c_statistic

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["oracle_ratio"] = self.oracle_ratio
        return out

    def summary(self) -> str:
        lines = [
            f"people {self.people:,}; admitted {self.admitted:,} "
            f"({100 * self.observed_rate:.2f}%); mean predicted "
            f"{100 * self.mean_predicted:.2f}%",
            f"c-statistic {self.c_statistic:.4f}",
        ]
        if self.oracle_c_statistic is not None and self.oracle_ratio is not None:
            lines.append(f"oracle c-statistic {self.oracle_c_statistic:.4f}; ratio "
                         f"{self.oracle_ratio:.3f}")
        lines.append(f"Brier {self.brier:.4f}; calibration slope "
                     f"{self.calibration_slope:.3f}, intercept "
                     f"{self.calibration_intercept:.3f}")
        for t in self.top:
            lines.append(f"top {100 * t.fraction:g}%: {t.flagged:,} flagged, "
                         f"{t.admitted:,} admitted; PPV {100 * t.ppv:.1f}%, "
                         f"sensitivity {100 * t.sensitivity:.1f}%")
        return "\n".join(lines)


def evaluate(y: npt.ArrayLike, p: npt.ArrayLike, oracle: npt.ArrayLike | None = None,
             fractions: tuple[float, ...] = TOP_FRACTIONS) -> Metrics:
    """All the metrics of predictions ``p`` against outcomes ``y``.

    ``oracle``: on synthetic data only, the true probabilities for the same people in
    the same order; their c-statistic is reported beside ours.
    """
    yy, pp = _arrays(y, p)
    slope, intercept = calibration_slope_intercept(yy, pp)
    oracle_c = None
    if oracle is not None:
        oracle_c = c_statistic(yy, np.asarray(oracle, dtype=np.float64))
    return Metrics(
        people=len(yy), admitted=int(yy.sum()), c_statistic=c_statistic(yy, pp),
        brier=brier_score(yy, pp), calibration_slope=slope, calibration_intercept=intercept,
        mean_predicted=float(pp.mean()), observed_rate=float(yy.mean()),
        top=[top_k(yy, pp, f) for f in fractions], calibration=calibration_bins(yy, pp),
        oracle_c_statistic=oracle_c)


def metrics_from_dict(data: dict[str, Any]) -> Metrics:
    """The inverse of :meth:`Metrics.to_dict` (for a saved model's ``model.json``)."""
    fields = {k: v for k, v in data.items() if k != "oracle_ratio"}
    fields["top"] = [TopK(**t) for t in data.get("top", [])]
    fields["calibration"] = [CalibrationBin(**b) for b in data.get("calibration", [])]
    return Metrics(**fields)
