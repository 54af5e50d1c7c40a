"""The emergency admission model end to end on a small synthetic community (STRAT-3).

Train on 2023-04-01, evaluate on 2024-04-01, write the model card, save and load, explain;
and prove that the training matrix for an index date does not change when every record
after that date is removed from the store (no feature reads the future).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ltc.cli.model import app
from ltc.pipeline import evaluation, explain, model, model_card
from ltc.records.schema import TABLES
from ltc.records.store import Batch, RecordStore
from ltc.synth.generate import Options, write_store

TRAIN = date(2023, 4, 1)
TEST = date(2024, 4, 1)


@dataclass
class Trained:
    root: Path
    store: RecordStore
    estimator: model.GradientBoostedRisk
    train: pa.Table
    test: pa.Table


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    root = tmp_path_factory.mktemp("model")
    store = RecordStore(root / "records")
    write_store(store, Options(people=20_000, seed=5), root / "truth")
    con = store.connect()
    estimator, train = model.fit_on(con, TRAIN, "gbm", random_state=0)
    assert isinstance(estimator, model.GradientBoostedRisk)
    return Trained(root, store, estimator, train, model.training_data(con, TEST))


def test_outcome_window_is_the_twelve_months_after_the_index_date() -> None:
    assert model.outcome_window(TRAIN) == (date(2023, 4, 2), date(2024, 3, 31))
    assert model.outcome_window(TEST) == (date(2024, 4, 2), date(2025, 3, 31))


def test_outcome_year_must_be_observed(trained: Trained) -> None:
    with pytest.raises(ValueError, match="at least a year before"):
        model.training_data(trained.store.connect(), date(2024, 10, 1))


def test_temporal_validation_discriminates_and_writes_a_card(trained: Trained,
                                                              tmp_path: Path) -> None:
    y = model.outcome_vector(trained.test)
    p = trained.estimator.predict_proba(model.design_matrix(trained.test))[:, 1]
    m = evaluation.evaluate(y, p)
    print("\n" + m.summary())
    assert m.c_statistic > 0.62
    assert 0.6 < m.calibration_slope < 1.4
    assert abs(m.mean_predicted - m.observed_rate) < 0.2 * m.observed_rate
    fpr, tpr = evaluation.roc_points(y, p)
    info = model.describe(trained.estimator, TRAIN, trained.train, {"validation": m.to_dict()})
    md, html = model_card.write(tmp_path / "card", model_card.CardInput(
        title="Emergency admission risk model", model=info, evaluation=m,
        evaluation_index_date=str(TEST), evaluation_window=("2024-04-02", "2025-03-31"),
        roc=model_card.roc_lists(fpr, tpr), synthetic=False))
    text = md.read_text()
    for needed in ("c-statistic", "calibration slope", "Regression to the mean",
                   "this community's own history", "2023-04-02 to 2024-03-31", "top"):
        assert needed in text, needed
    assert (tmp_path / "card" / "calibration.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "card" / "roc.png").stat().st_size > 1000
    assert "data:image/png;base64," in html.read_text()


def test_save_and_load_round_trip(trained: Trained, tmp_path: Path) -> None:
    info = model.describe(trained.estimator, TRAIN, trained.train)
    folder = model.save_model(tmp_path / "m", trained.estimator, info)
    saved = json.loads((folder / "model.json").read_text())
    assert saved["training"]["index_date"] == "2023-04-01"
    assert saved["training"]["outcome_window"] == ["2023-04-02", "2024-03-31"]
    assert saved["training"]["data_sha256"] == model.data_hash(trained.train)
    assert set(saved["versions"]) == {"python", "numpy", "scikit-learn", "lightgbm"}
    assert saved["features"] == list(model.MODEL_FEATURES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = model.load_model(folder)
    x = model.design_matrix(trained.test)[:500]
    assert np.array_equal(loaded.estimator.predict_proba(x), trained.estimator.predict_proba(x))
    saved["versions"]["lightgbm"] = "0.0.1"
    (folder / "model.json").write_text(json.dumps(saved))
    with pytest.warns(model.ModelVersionWarning, match="lightgbm saved with 0.0.1"):
        model.load_model(folder)


def test_reasons_are_plain_words_that_raise_risk(trained: Trained) -> None:
    x = model.design_matrix(trained.test)
    p = trained.estimator.predict_proba(x)[:, 1]
    top = np.argsort(-p)[:20]
    said = explain.reasons(trained.estimator, x[top])
    assert all(1 <= len(r) <= 3 for r in said)
    words = " ".join(" ".join(r) for r in said)
    print("\n" + "\n".join("; ".join(r) for r in said[:5]))
    assert "emergency admission" in words or "aged" in words
    lowest = explain.reasons(trained.estimator, x[np.argsort(p)[:50]])
    assert all(len(r) <= 3 for r in lowest)


def test_a_phrase_for_every_model_feature() -> None:
    assert set(explain.PHRASES) == set(model.MODEL_FEATURES)
    assert explain.PHRASES["emergency_12m"](3) == "3 emergency admissions in the last year"
    assert explain.PHRASES["emergency_12m"](1) == "1 emergency admission in the last year"
    assert explain.PHRASES["ltc_count"](5) == "on 5 disease registers"
    assert explain.PHRASES["age"](87) == "aged 87"


def _cut(source: RecordStore, target: RecordStore, when: date) -> None:
    """Copy the store as it would have been on ``when``: later events gone, later
    discharges, deaths and package ends not yet known."""
    day = pa.scalar(when, pa.date32())
    tables: dict[str, pa.Table | object] = {}
    for name, spec in TABLES.items():
        files = source.files(name)
        if not files:
            continue
        columns = spec.arrow_schema.names
        data = pa.concat_tables([pq.read_table(f, columns=columns) for f in files]).cast(
            spec.arrow_schema)
        dates = [f.name for f in spec.arrow_schema if pa.types.is_date(f.type)]
        if dates:
            first = dates[0]
            data = data.filter(pc.less_equal(data[first], day))
            for later in dates[1:]:
                unknown = pc.fill_null(pc.greater(data[later], day), False)
                data = data.set_column(data.schema.get_field_index(later), later,
                                       pc.if_else(unknown, None, data[later]))
                if name == "inpatient_spell":
                    for col in ("length_of_stay", "discharge_destination"):
                        data = data.set_column(data.schema.get_field_index(col), col,
                                               pc.if_else(unknown, None, data[col]))
        tables[name] = data
    target.commit(Batch("cut", f"{when:%Y-%m}", f"cut-{when}", tables))  # type: ignore[arg-type]


def test_no_feature_reads_after_its_index_date(trained: Trained, tmp_path: Path) -> None:
    cut = RecordStore(tmp_path / "records")
    _cut(trained.store, cut, TRAIN)
    full = model.training_data(trained.store.connect(), TRAIN)
    past = model.training_data(cut.connect(), TRAIN, observed=False)
    assert full["nhs_number"].equals(past["nhs_number"])
    features = [c for c in full.column_names if c != model.OUTCOME]
    for name in features:
        a, b = full[name], past[name]
        if pa.types.is_floating(a.type):  # sums may add up in another order: same to 1e-9
            assert np.allclose(a.to_numpy(zero_copy_only=False), b.to_numpy(
                zero_copy_only=False), rtol=1e-9, equal_nan=True), name
        else:
            assert a.equals(b), name
    assert np.allclose(model.design_matrix(full), model.design_matrix(past), rtol=1e-9,
                       equal_nan=True)
    # and the outcome, which does read the future, is what changed
    assert model.outcome_vector(full).sum() > 0 == model.outcome_vector(past).sum()


def test_cli_trains_and_evaluates(trained: Trained) -> None:
    runner = CliRunner()
    out = trained.root / "models" / "cli"
    result = runner.invoke(app, ["train", "--index-date", "2023-04-01", "--kind", "logistic",
                                 "--out", str(out), "--data-dir", str(trained.root)])
    assert result.exit_code == 0, result.output
    assert (out / "model.json").exists()
    result = runner.invoke(app, ["evaluate", str(out), "--index-date", "2024-04-01",
                                 "--data-dir", str(trained.root)])
    assert result.exit_code == 0, result.output
    assert "c-statistic" in result.output
    assert (out / "card" / "model_card.html").exists()
    assert "validation 2024-04-01" in json.loads((out / "model.json").read_text())["metrics"]
    bad = runner.invoke(app, ["train", "--index-date", "2024-10-01", "--data-dir",
                              str(trained.root)])
    assert bad.exit_code == 2
