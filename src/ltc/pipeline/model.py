"""The predictive model of emergency admission (STRAT-3): training data, estimators, saving.

**Outcome.** At least one emergency admission (NHS Data Dictionary emergency admission
methods, :data:`ltc.codes.nhs_dd.EMERGENCY_ADMISSION_METHODS`) starting in the 12
calendar months after the index date: ``index < admission_date < index + 1 year``, i.e.
from the day after the index date to the day before its anniversary (2023-04-01 looks
at 2023-04-02 to 2024-03-31). The index date itself belongs to the features, which read
``date <= index``, so no day is both predictor and outcome. People are those alive and
registered on the index date (:func:`ltc.pipeline.features.features`); a person who
dies in the year without an admission counts as not admitted.

**Temporal validation.** A model is trained on an earlier index date whose whole
outcome year is in the store and judged on a later one (e.g. trained on 2023-04-01,
evaluated on 2024-04-01 with outcomes to 2025-03-31). :func:`training_data` refuses an
index date whose outcome year the store has not yet seen.

**Estimators** follow the scikit-learn contract (parameters stored by ``__init__``,
``fit`` returns ``self``, learned attributes end in ``_``, randomness through
``random_state``) and take the design matrix of :func:`design_matrix`:

* :class:`LogisticRisk`: the baseline; counts as ``log1p``, age with hinges at 65, 75
  and 85, everything standardised, L2-penalised logistic regression.
* :class:`GradientBoostedRisk`: LightGBM on the raw matrix, calibrated by Platt scaling
  (or isotonic regression) on a held-out quarter of the training people.

**Saved model**: a folder with ``estimator.joblib`` and ``model.json`` (library versions,
training index date and outcome window, feature list, SHA-256 of the training data as
Arrow IPC bytes, metrics, creation time). :func:`load_model` warns when the libraries
differ from those it was saved with.
"""

from __future__ import annotations

import hashlib
import json
import platform
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import joblib  # type: ignore[import-untyped]
import lightgbm
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import sklearn  # type: ignore[import-untyped]
from sklearn.base import BaseEstimator, ClassifierMixin  # type: ignore[import-untyped]
from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]
from sklearn.frozen import FrozenEstimator  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]
from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped]

from ltc.codes.nhs_dd import EMERGENCY_ADMISSION_METHODS
from ltc.pipeline.features import features

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
OUTCOME = "emergency_admission"
#: Days the outcome year may run past the last admission in the store before the
#: outcome counts as not yet observed (a quiet last week in a small community).
OBSERVED_SLACK_DAYS = 14

#: Counts and amounts: ``log1p`` in the logistic model.
COUNTS: tuple[str, ...] = (
    "ltc_count", "emergency_12m", "emergency_13m", "admissions_12m", "bed_days_12m",
    "ae_12m", "outpatient_12m", "gp_12m", "ambulance_12m", "non_conveyed_12m",
    "community_12m", "social_assessments_min_q", "long_term_medicines", "medicines_12m",
    "monthly_cost", "falls_2m", "acute_contacts_12m", "elective_12m")
FLAGS: tuple[str, ...] = (
    "lives_alone", "has_carer", "bereaved_6m", "carer_died_12m", "cognitive_impairment",
    "adl_impaired", "iadl_impaired", "iadl_unsupported", "exacerbation_90d",
    "medically_unstable")
#: The model's inputs, in the order of the design matrix. ``acute_contacts_12m``
#: (emergency admissions + A&E attendances + ambulance incidents) and ``elective_12m``
#: (admissions that were not emergencies) are derived here from the feature table.
MODEL_FEATURES: tuple[str, ...] = (
    "age", "sex_male", "imd_decile", *FLAGS, *COUNTS, "gp_percentile_65",
    "care_package_low", "care_package_medium", "care_package_high")


def outcome_window(index_date: date) -> tuple[date, date]:
    """(first, last) day of the outcome year after ``index_date``, both inclusive."""
    try:
        anniversary = index_date.replace(year=index_date.year + 1)
    except ValueError:  # 29 February
        anniversary = index_date.replace(year=index_date.year + 1, day=28)
    return index_date + timedelta(days=1), anniversary - timedelta(days=1)


def outcomes(con: ibis.BaseBackend, index_date: date) -> ir.Table:
    """People with at least one emergency admission in the outcome year."""
    first, last = outcome_window(index_date)
    s = con.table("inpatient_spell")
    hit = s.filter(s.admission_method.isin(sorted(EMERGENCY_ADMISSION_METHODS))
                   & (s.admission_date >= ibis.literal(first, type="date"))
                   & (s.admission_date <= ibis.literal(last, type="date")))
    return hit.select("nhs_number").distinct().mutate(**{OUTCOME: ibis.literal(True)})


def check_observed(con: ibis.BaseBackend, index_date: date) -> None:
    """Refuse an outcome year that runs past what the store holds."""
    _, last = outcome_window(index_date)
    value = con.table("inpatient_spell").admission_date.max().to_pyarrow().as_py()
    latest: date | None = value.date() if isinstance(value, datetime) else value
    if latest is None or latest + timedelta(days=OBSERVED_SLACK_DAYS) < last:
        raise ValueError(
            f"outcomes for index date {index_date} run to {last}, but the latest admission "
            f"in the store is {latest}: choose an index date at least a year before the "
            "end of the history")


def training_data(con: ibis.BaseBackend, index_date: date, *, observed: bool = True
                  ) -> pa.Table:
    """Features on ``index_date`` and the outcome, one row per person, by NHS number.

    ``observed=False`` skips the check that the outcome year is in the store (for
    scoring people today, where the outcome column is then all false).
    """
    if observed:
        check_observed(con, index_date)
    feats = features(con, index_date)
    joined = feats.left_join(outcomes(con, index_date), "nhs_number").drop(
        "nhs_number_right")
    joined = joined.mutate(**{OUTCOME: joined[OUTCOME].fill_null(False)})
    table: pa.Table = joined.order_by("nhs_number").to_pyarrow()
    return table.combine_chunks()


def data_hash(table: pa.Table) -> str:
    """SHA-256 of the table as Arrow IPC stream bytes (columns in a fixed order)."""
    sink = pa.BufferOutputStream()
    ordered = table.select(sorted(table.column_names))
    with pa.ipc.new_stream(sink, ordered.schema) as writer:
        writer.write_table(ordered)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _numbers(table: pa.Table, name: str) -> FloatArray:
    column = pc.cast(table.column(name), pa.float64())
    out: FloatArray = column.to_numpy(zero_copy_only=False).astype(np.float64)
    return out


def design_matrix(table: pa.Table) -> FloatArray:
    """The feature table as numbers in :data:`MODEL_FEATURES` order (NaN: not known)."""
    n = table.num_rows
    cols: dict[str, FloatArray] = {}
    for name in ("age", "imd_decile", *FLAGS, "gp_percentile_65"):
        cols[name] = _numbers(table, name)
    for name in COUNTS:
        if name in table.column_names:
            cols[name] = np.nan_to_num(_numbers(table, name))
    cols["acute_contacts_12m"] = (cols["emergency_12m"] + cols["ae_12m"]
                                  + cols["ambulance_12m"])
    cols["elective_12m"] = np.maximum(cols["admissions_12m"] - cols["emergency_12m"], 0)
    sex = np.asarray(table.column("sex").to_pylist(), dtype=object)
    cols["sex_male"] = (sex == "M").astype(np.float64)
    intensity = np.asarray(table.column("care_package_intensity").to_pylist(), dtype=object)
    for level in ("low", "medium", "high"):
        cols[f"care_package_{level}"] = (intensity == level).astype(np.float64)
    matrix = np.empty((n, len(MODEL_FEATURES)))
    for i, name in enumerate(MODEL_FEATURES):
        matrix[:, i] = cols[name]
    return matrix


def outcome_vector(table: pa.Table) -> IntArray:
    out: IntArray = np.asarray(table.column(OUTCOME).to_numpy(zero_copy_only=False),
                               dtype=np.int64)
    return out


# -- estimators -----------------------------------------------------------------------

def _check_xy(x: npt.ArrayLike, y: npt.ArrayLike | None = None
              ) -> tuple[FloatArray, IntArray | None]:
    xx = np.asarray(x, dtype=np.float64)
    if xx.ndim != 2:
        raise ValueError(f"expected a 2-D design matrix, got shape {xx.shape}")
    if y is None:
        return xx, None
    yy = np.asarray(y).astype(np.int64).ravel()
    if len(yy) != len(xx):
        raise ValueError(f"{len(xx)} rows of features but {len(yy)} outcomes")
    if not np.isin(yy, (0, 1)).all() or len(np.unique(yy)) < 2:
        raise ValueError("outcomes must be 0 and 1, with both present")
    return xx, yy


AGE = MODEL_FEATURES.index("age")
LOGGED = [MODEL_FEATURES.index(c) for c in COUNTS]


def logistic_inputs(x: FloatArray) -> FloatArray:
    """The baseline's view of the design matrix: log1p counts, age hinges, no NaN."""
    out = np.nan_to_num(x.copy())
    out[:, LOGGED] = np.log1p(np.maximum(out[:, LOGGED], 0))
    age = out[:, AGE]
    hinges = [np.maximum(age - knot, 0) for knot in (65, 75, 85)]
    return np.column_stack([out, *hinges])


class LogisticRisk(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Logistic regression baseline on standardised, log-transformed features."""

    def __init__(self, C: float = 1.0, max_iter: int = 2000,  # noqa: N803
                 random_state: int | None = 0) -> None:
        self.C = C
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, x: npt.ArrayLike, y: npt.ArrayLike) -> LogisticRisk:
        xx, yy = _check_xy(x, y)
        inputs = logistic_inputs(xx)
        self.scaler_ = StandardScaler().fit(inputs)
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter,
                                         random_state=self.random_state).fit(
            self.scaler_.transform(inputs), yy)
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = xx.shape[1]
        return self

    def decision_function(self, x: npt.ArrayLike) -> FloatArray:
        xx, _ = _check_xy(x)
        out: FloatArray = self.model_.decision_function(
            self.scaler_.transform(logistic_inputs(xx)))
        return out

    def predict_proba(self, x: npt.ArrayLike) -> FloatArray:
        p = 1 / (1 + np.exp(-self.decision_function(x)))
        return np.column_stack([1 - p, p])

    def predict(self, x: npt.ArrayLike) -> IntArray:
        out: IntArray = (self.predict_proba(x)[:, 1] >= 0.5).astype(np.int64)
        return out

    def contributions(self, x: npt.ArrayLike) -> FloatArray:
        """Per-feature additive log-odds contributions (hinge terms folded into age)."""
        xx, _ = _check_xy(x)
        z = self.scaler_.transform(logistic_inputs(xx)) * self.model_.coef_[0]
        out: FloatArray = z[:, :xx.shape[1]].copy()
        out[:, AGE] += z[:, xx.shape[1]:].sum(axis=1)
        return out


class GradientBoostedRisk(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """LightGBM, calibrated on a held-out share of the training people."""

    def __init__(self, n_estimators: int = 250, learning_rate: float = 0.04,
                 num_leaves: int = 15, min_child_samples: int = 200, reg_lambda: float = 1.0,
                 calibration: str = "sigmoid", calibration_fraction: float = 0.25,
                 random_state: int | None = 0, n_jobs: int = 2) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.reg_lambda = reg_lambda
        self.calibration = calibration
        self.calibration_fraction = calibration_fraction
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, x: npt.ArrayLike, y: npt.ArrayLike) -> GradientBoostedRisk:
        xx, yy = _check_xy(x, y)
        if self.calibration not in ("sigmoid", "isotonic"):
            raise ValueError(f"calibration {self.calibration!r}: expected 'sigmoid' or "
                             "'isotonic'")
        seed = 0 if self.random_state is None else int(self.random_state)
        x_fit, x_cal, y_fit, y_cal = train_test_split(
            xx, yy, test_size=self.calibration_fraction, stratify=yy, random_state=seed)
        self.booster_ = lightgbm.LGBMClassifier(
            n_estimators=self.n_estimators, learning_rate=self.learning_rate,
            num_leaves=self.num_leaves, min_child_samples=self.min_child_samples,
            reg_lambda=self.reg_lambda, random_state=seed, n_jobs=self.n_jobs,
            deterministic=True, force_row_wise=True, verbose=-1).fit(x_fit, y_fit)
        self.calibrator_ = CalibratedClassifierCV(
            FrozenEstimator(self.booster_), method=self.calibration).fit(x_cal, y_cal)
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = xx.shape[1]
        return self

    def predict_proba(self, x: npt.ArrayLike) -> FloatArray:
        xx, _ = _check_xy(x)
        out: FloatArray = self.calibrator_.predict_proba(xx)
        return out

    def predict(self, x: npt.ArrayLike) -> IntArray:
        out: IntArray = (self.predict_proba(x)[:, 1] >= 0.5).astype(np.int64)
        return out

    def contributions(self, x: npt.ArrayLike) -> FloatArray:
        """TreeSHAP contributions to the booster's log-odds (before calibration, which
        is monotone, so the order of reasons is the same); the bias column dropped."""
        xx, _ = _check_xy(x)
        raw = np.asarray(self.booster_.booster_.predict(xx, pred_contrib=True))
        out: FloatArray = raw[:, :-1]
        return out


ESTIMATORS: dict[str, type[LogisticRisk] | type[GradientBoostedRisk]] = {
    "logistic": LogisticRisk, "gbm": GradientBoostedRisk}


def new_estimator(kind: str, random_state: int = 0) -> LogisticRisk | GradientBoostedRisk:
    if kind not in ESTIMATORS:
        raise ValueError(f"model kind {kind!r}: expected one of {', '.join(ESTIMATORS)}")
    return ESTIMATORS[kind](random_state=random_state)


def fit_on(con: ibis.BaseBackend, index_date: date, kind: str = "gbm", random_state: int = 0
           ) -> tuple[LogisticRisk | GradientBoostedRisk, pa.Table]:
    """Train a model of ``kind`` on the people and outcomes of ``index_date``."""
    table = training_data(con, index_date)
    estimator = new_estimator(kind, random_state).fit(design_matrix(table),
                                                      outcome_vector(table))
    return estimator, table


# -- saving and loading ---------------------------------------------------------------

class ModelVersionWarning(UserWarning):
    """A saved model was made with other library versions than are installed."""


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": np.__version__,
            "scikit-learn": sklearn.__version__, "lightgbm": lightgbm.__version__}


@dataclass
class SavedModel:
    estimator: LogisticRisk | GradientBoostedRisk
    info: dict[str, Any]


def describe(estimator: LogisticRisk | GradientBoostedRisk, index_date: date,
             training: pa.Table, metrics: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``model.json`` record of a model trained on ``training`` (features + outcome)."""
    first, last = outcome_window(index_date)
    y = outcome_vector(training)
    return {
        "kind": next(k for k, v in ESTIMATORS.items() if isinstance(estimator, v)),
        "estimator": type(estimator).__name__,
        "params": estimator.get_params(),
        "versions": library_versions(),
        "training": {
            "index_date": index_date.isoformat(),
            "features_window": f"records dated on or before {index_date}",
            "outcome_window": [first.isoformat(), last.isoformat()],
            "outcome": "at least one emergency admission (admission methods "
                       + ", ".join(sorted(EMERGENCY_ADMISSION_METHODS)) + ")",
            "people": len(y), "admitted": int(y.sum()),
            "data_sha256": data_hash(training),
        },
        "features": list(MODEL_FEATURES),
        "metrics": metrics or {},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def save_model(folder: Path, estimator: LogisticRisk | GradientBoostedRisk,
               info: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(estimator, folder / "estimator.joblib")
    (folder / "model.json").write_text(json.dumps(info, indent=1, default=str) + "\n")
    return folder


def load_model(folder: Path) -> SavedModel:
    """Load a saved model; warns (:class:`ModelVersionWarning`) if libraries differ."""
    meta = folder / "model.json"
    if not meta.exists():
        raise FileNotFoundError(f"{folder}: no model.json; is this a folder written by "
                                "'ltc model train'?")
    info: dict[str, Any] = json.loads(meta.read_text())
    saved = info.get("versions", {})
    now = library_versions()
    differ = {k: (saved.get(k), v) for k, v in now.items() if saved.get(k) != v}
    if differ:
        listed = "; ".join(f"{k} saved with {a}, installed {b}" for k, (a, b) in differ.items())
        warnings.warn(f"model in {folder} was saved with other library versions ({listed}): "
                      "its predictions may differ; retrain it with 'ltc model train'",
                      ModelVersionWarning, stacklevel=2)
    if info.get("features") != list(MODEL_FEATURES):
        raise ValueError(f"model in {folder} expects features {info.get('features')}, but "
                         f"this version builds {list(MODEL_FEATURES)}: retrain it")
    estimator = joblib.load(folder / "estimator.joblib")
    return SavedModel(estimator, info)
