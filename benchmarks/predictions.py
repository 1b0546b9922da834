"""Predicted satisfaction and repurchase likelihood against simple baselines, on time-based hold-outs.

- **satisfaction** (stars a user gives a product): approved reviews in time order, the newest 20 %
  held out. The model (``ml.predictions.SatisfactionModel``, gradient-boosted trees on leave-one-out
  rating statistics, skin-type fit and concern overlap) is fitted on the oldest 80 % and compared by
  RMSE with two baselines fitted on the same rows: the overall mean rating and the product's mean
  rating smoothed toward its category's.
- **repurchase** (will a buyer order the same product again within 30 days): the test cut-off is 30
  days before the last purchase; every (user, product) bought by then is labelled by the next 30
  days. The model (``RepurchaseModel``) is trained on the same construction one horizon earlier
  (features up to cut-off − 30 days, labels up to the test cut-off), so it never sees the test
  labels. AUC against the baseline "share of the product's buyers who came back" and against
  "times bought so far".

The satisfaction model's tree size and learning rate are chosen on a validation split cut from
the training reviews (newest 20 % of them); the repurchase model runs with its defaults.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db after manage.py seed_demo> python benchmarks/predictions.py
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

from ml.predictions import (  # noqa: E402  (plain Python, before Django)
    RepurchaseModel,
    SatisfactionModel,
    repurchase_examples,
    rmse,
    roc_auc,
)

DAY = 86400.0
SATISFACTION_GRID = [
    {"max_leaf_nodes": 15, "learning_rate": 0.05},  # the model's defaults until validation chose the last
    {"max_leaf_nodes": 4, "learning_rate": 0.05},
    {"max_leaf_nodes": 4, "learning_rate": 0.02},  # SatisfactionModel's defaults now
]


def load():
    import django

    django.setup()
    from ml.prediction_services import training_records

    return training_records()


def satisfaction(reviews, users, products, test_fraction):
    ordered = sorted(reviews, key=lambda r: (r[3], r[0], r[1]))
    cut = int(len(ordered) * (1 - test_fraction))
    train, test = ordered[:cut], ordered[cut:]
    # Hyper-parameters by RMSE on a validation split cut from the training reviews the same way.
    inner_cut = int(len(train) * (1 - test_fraction))
    inner, validation = train[:inner_cut], train[inner_cut:]
    tried = []
    for params in SATISFACTION_GRID:
        candidate = SatisfactionModel(**params).fit(inner, users, products)
        predicted = candidate.predict([(u, p) for u, p, _, _ in validation])
        tried.append((rmse(predicted, [r for _, _, r, _ in validation]), params))
    best_rmse, best = min(tried, key=lambda pair: pair[0])
    print("\nsatisfaction validation RMSE: " + ", ".join(f"{p} {v:.4f}" for v, p in tried))
    started = time.perf_counter()
    model = SatisfactionModel(**best).fit(train, users, products)
    fit_seconds = time.perf_counter() - started
    pairs = [(u, p) for u, p, _, _ in test]
    actual = [r for _, _, r, _ in test]
    mean = sum(r for _, _, r, _ in train) / len(train)
    rows = {
        "overall mean": rmse([mean] * len(test), actual),
        "product mean (baseline)": rmse(model.baseline(pairs), actual),
        "gradient boosting": rmse(model.predict(pairs), actual),
    }
    print(f"\nSATISFACTION: {len(train)} training reviews, {len(test)} held out (newest {test_fraction:.0%})")
    print(f"{'predictor':<26}{'RMSE':>8}{'vs product mean':>17}")
    base = rows["product mean (baseline)"]
    for name, value in rows.items():
        print(f"{name:<26}{value:>8.4f}{value / base:>16.3f}x")
    print(f"chosen on validation: {best} (validation RMSE {best_rmse:.4f}); fit {fit_seconds:.2f}s")
    return rows


def repurchase(purchases, reviews, users, products, horizon_days):
    last = max(at for _, _, at in purchases)
    test_cutoff = last - horizon_days * DAY
    train_cutoff = test_cutoff - horizon_days * DAY
    train = repurchase_examples(purchases, reviews, users, products, cutoff=train_cutoff, horizon_days=horizon_days)
    test = repurchase_examples(purchases, reviews, users, products, cutoff=test_cutoff, horizon_days=horizon_days)
    _, train_x, train_y, _ = train
    _, test_x, test_y, test_baseline = test
    started = time.perf_counter()
    model = RepurchaseModel(horizon_days=horizon_days).fit(train_x, train_y)
    fit_seconds = time.perf_counter() - started
    rows = {
        "product repurchase rate (baseline)": roc_auc(test_baseline, test_y),
        "times bought so far": roc_auc([x[0] for x in test_x], test_y),
        "gradient boosting": roc_auc(model.predict(test_x), test_y),
    }
    print(
        f"\nREPURCHASE within {horizon_days} days: train {len(train_y)} pairs ({sum(train_y)} came back), "
        f"test {len(test_y)} pairs ({sum(test_y)} came back)"
    )
    print(f"{'predictor':<36}{'AUC':>8}{'vs baseline':>13}")
    base = rows["product repurchase rate (baseline)"]
    for name, value in rows.items():
        print(f"{name:<36}{value:>8.4f}{value / base:>12.3f}x")
    print(f"fit {fit_seconds:.2f}s")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--horizon-days", type=int, default=30)
    args = parser.parse_args(argv)
    reviews, purchases, users, products = load()
    if len(reviews) < 100 or not purchases:
        sys.exit("Too little data: run `manage.py seed_demo` first.")
    satisfaction(reviews, users, products, args.test_fraction)
    repurchase(purchases, reviews, users, products, args.horizon_days)


if __name__ == "__main__":
    main()
