"""Benchmark: the emergency admission model (STRAT-3) on a synthetic community.

    uv run python benchmarks/model.py --people 250000 --data-dir /tmp/ltc-model-250k

Builds the community (``ltc synth --direct``) unless the data folder already holds one,
trains the calibrated LightGBM model and the logistic baseline on 2023-04-01 (outcomes
to 2024-03-31), evaluates both on 2024-04-01 (outcomes to 2025-03-31) against the
generator's oracle, prints the figures and writes the model card to a folder it prints.
Figures go in docs/benchmarks.md with this command.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from ltc.pipeline import evaluation, explain, model, model_card
from ltc.records.store import RecordStore
from ltc.synth import oracle

TRAIN = date(2023, 4, 1)
TEST = date(2024, 4, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, help="reuse or build the community here")
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()
    root = args.data_dir or Path(tempfile.mkdtemp(prefix="ltc-model-"))
    if not (root / "records" / "manifest.json").exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ltc", "synth", "--people", str(args.people),
                        "--seed", str(args.seed), "--direct", "--data-dir", str(root)],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"built {args.people:,} people in {time.perf_counter() - started:.0f} s")
    print(f"model benchmark: community in {root}; train {TRAIN}, evaluate {TEST}")
    con = RecordStore(root / "records").connect()

    started = time.perf_counter()
    train_table = model.training_data(con, TRAIN)
    test_table = model.training_data(con, TEST)
    print(f"features + outcomes: {time.perf_counter() - started:.1f} s "
          f"({train_table.num_rows:,} and {test_table.num_rows:,} people)")
    x_train, y_train = model.design_matrix(train_table), model.outcome_vector(train_table)
    x_test, y_test = model.design_matrix(test_table), model.outcome_vector(test_table)
    truth = oracle.probabilities(root / "truth", TEST, test_table["nhs_number"])

    results: dict[str, evaluation.Metrics] = {}
    fitted: dict[str, model.LogisticRisk | model.GradientBoostedRisk] = {}
    for kind in ("logistic", "gbm"):
        started = time.perf_counter()
        estimator = model.new_estimator(kind, args.random_state).fit(x_train, y_train)
        seconds = time.perf_counter() - started
        p = estimator.predict_proba(x_test)[:, 1]
        results[kind] = evaluation.evaluate(y_test, p, oracle=truth)
        fitted[kind] = estimator
        print(f"\n== {kind} (fitted in {seconds:.1f} s) ==")
        print(results[kind].summary())

    best = fitted["gbm"]
    folder = root / "models" / f"gbm-{TRAIN}"
    info = model.describe(best, TRAIN, train_table, {
        f"validation {TEST}": results["gbm"].to_dict(),
        f"validation {TEST} logistic baseline": results["logistic"].to_dict()})
    model.save_model(folder, best, info)
    p = best.predict_proba(x_test)[:, 1]
    fpr, tpr = evaluation.roc_points(y_test, p)
    first, last = model.outcome_window(TEST)
    md, html = model_card.write(folder / "card", model_card.CardInput(
        title="Emergency admission risk model (synthetic community)", model=info,
        evaluation=results["gbm"], evaluation_index_date=str(TEST),
        evaluation_window=(str(first), str(last)), roc=model_card.roc_lists(fpr, tpr),
        baseline=results["logistic"], synthetic=True))
    top = p.argsort()[::-1][:3]
    print("\nreasons for the three highest risks:")
    for row, said in zip(top, explain.reasons(best, x_test[top]), strict=True):
        print(f"  {100 * p[row]:.1f}%: " + "; ".join(said))
    print(f"\nsaved model: {folder}\nmodel card: {md}\n            {html}")


if __name__ == "__main__":
    main()
