"""The risk models keep the scikit-learn estimator contract (STRAT-3)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.base import clone  # type: ignore[import-untyped]

from ltc.pipeline.model import MODEL_FEATURES, GradientBoostedRisk, LogisticRisk

Estimator = LogisticRisk | GradientBoostedRisk


def _data(n: int = 3000, seed: int = 0) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    rng = np.random.default_rng(seed)
    x = rng.poisson(1.0, (n, len(MODEL_FEATURES))).astype(np.float64)
    x[:, MODEL_FEATURES.index("age")] = rng.integers(0, 100, n)
    x[rng.random(n) < 0.5, MODEL_FEATURES.index("gp_percentile_65")] = np.nan
    signal = 0.02 * x[:, 0] + 0.6 * x[:, MODEL_FEATURES.index("emergency_12m")] - 3
    y = (rng.random(n) < 1 / (1 + np.exp(-signal))).astype(np.int64)
    return x, y


def _small_gbm(**kw: object) -> GradientBoostedRisk:
    return GradientBoostedRisk(n_estimators=40, min_child_samples=20, **kw)  # type: ignore[arg-type]


@pytest.fixture(params=["logistic", "gbm"])
def estimator(request: pytest.FixtureRequest) -> Estimator:
    return LogisticRisk() if request.param == "logistic" else _small_gbm()


def test_parameters_are_stored_by_init_and_clone_keeps_them(estimator: Estimator) -> None:
    params = estimator.get_params()
    assert "random_state" in params
    copy = clone(estimator)
    assert copy.get_params() == params
    assert not [k for k in vars(copy) if k.endswith("_")]  # nothing learned yet


def test_fit_returns_self_and_learns_underscored_attributes(estimator: Estimator) -> None:
    x, y = _data()
    assert estimator.fit(x, y) is estimator
    assert estimator.n_features_in_ == len(MODEL_FEATURES)
    assert list(estimator.classes_) == [0, 1]
    assert [k for k in vars(estimator) if k.endswith("_")]


def test_predict_proba_shape_range_and_discrimination(estimator: Estimator) -> None:
    x, y = _data()
    p = estimator.fit(x, y).predict_proba(x[:500])
    assert p.shape == (500, 2)
    assert ((p >= 0) & (p <= 1)).all()
    assert np.allclose(p.sum(axis=1), 1)
    assert set(np.unique(estimator.predict(x[:500]))) <= {0, 1}
    ranks = p[:, 1].argsort().argsort()
    assert ranks[y[:500] == 1].mean() > ranks[y[:500] == 0].mean()


def test_deterministic_given_random_state(estimator: Estimator) -> None:
    x, y = _data()
    first = clone(estimator).fit(x, y).predict_proba(x)
    again = clone(estimator).fit(x, y).predict_proba(x)
    assert np.array_equal(first, again)


def test_contributions_have_one_column_per_feature(estimator: Estimator) -> None:
    x, y = _data()
    c = estimator.fit(x, y).contributions(x[:10])
    assert c.shape == (10, len(MODEL_FEATURES))


def test_bad_input_gets_a_clear_error() -> None:
    x, y = _data(200)
    with pytest.raises(ValueError, match="both present"):
        LogisticRisk().fit(x, np.zeros(len(x)))
    with pytest.raises(ValueError, match="rows of features"):
        LogisticRisk().fit(x, y[:10])
    with pytest.raises(ValueError, match="calibration"):
        _small_gbm(calibration="magic").fit(x, y)
