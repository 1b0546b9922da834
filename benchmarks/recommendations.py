"""Recommender evaluation on the demo data: every model of ``ml.recommender`` on a time-based
hold-out and a random per-user split, hyper-parameters and hybrid weights chosen on a
validation split cut from the training data only (never the test split).

Run it on a database holding the demo shop (``manage.py seed_demo --scale N``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare python benchmarks/recommendations.py

It prints, per split and model, precision@10, recall@10, NDCG@10, MAP@10, catalogue coverage,
intra-list diversity (1 - content cosine), fit time and peak memory of the fit (tracemalloc), and
stores one ``model_performance`` document per split and model (``--no-store`` to skip).

The data is what the nightly precompute trains on (``ml.recommendations.training_data``): each
order line of a confirmed / processing / shipped / delivered order of a registered user (weight 1,
at the order time) and each approved review rated 4 or 5 (weight 1, at the review time), active
products only. Item features: ingredients, concerns, skin types, category, brand, name and short
description. User features: the skin type of the account.
"""

import argparse
import os
import sys
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

from ml.recommender import (  # noqa: E402  (plain Python, before Django)
    ALSRecommender,
    ContentRecommender,
    EASERecommender,
    HybridRecommender,
    Interactions,
    ItemKNNRecommender,
    PopularityRecommender,
    SkinTypeRecommender,
    TrendingRecommender,
    evaluate,
    fit_blend_weights,
    grid_search,
    random_per_user_split,
    time_split,
    tune_blend,
)

K = 10
GRIDS = {
    "popularity": (PopularityRecommender, {}),
    "trending": (TrendingRecommender, {"half_life_days": [7.0, 30.0, 90.0]}),
    "item_knn": (ItemKNNRecommender, {"neighbours": [20, 100], "shrink": [0.0, 10.0]}),
    "ease": (EASERecommender, {"l2": [10.0, 100.0, 500.0]}),
    "als": (ALSRecommender, {"factors": [16, 64], "regularization": [0.1, 10.0], "alpha": [5.0]}),
    "content": (ContentRecommender, {}),
    "skin_type": (SkinTypeRecommender, {"concern_weight": [0.0, 1.0, 3.0]}),
}


def load():
    import django

    django.setup()
    from ml.recommendations import training_data

    return training_data()


def measured_fit(model, train, items, users):
    tracemalloc.start()
    started = time.perf_counter()
    model.fit(train, items, users)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def run_split(name, split, records, items, users, *, seed):
    train, test = split(records)
    inner, validation = split(list(train))
    held, checked = sum(len(v) for v in test.values()), sum(len(v) for v in validation.values())
    print(f"\n## {name}: {len(train)} train pairs, {held} test pairs, {len(test)} test users; "
          f"validation {checked} pairs", flush=True)  # fmt: skip
    diversity_model = ContentRecommender().fit(train, items, users)
    rows, tuned, inner_fitted = [], {}, {}
    for model_name, (cls, grid) in GRIDS.items():
        params, val_ndcg, _ = grid_search(
            lambda **p: cls(seed=seed, **p),  # noqa: B023
            grid, inner, validation, item_features=items, user_features=users, k=K,
        )  # fmt: skip
        tuned[model_name] = (cls, params)
        inner_fitted[model_name] = cls(seed=seed, **params).fit(inner, items, users)
        rows.append((model_name, cls(seed=seed, **params), val_ndcg))

    def blend(weights):
        return HybridRecommender.from_fitted(inner_fitted, weights, seed=seed)

    # Two ways to fit the blend weights on the validation split; the one with the higher validation
    # NDCG@10 is kept (the test split plays no part in the choice).
    searched, searched_ndcg = tune_blend(inner_fitted, inner, validation, k=K, factory=blend)
    learned = fit_blend_weights(inner_fitted, inner, validation)
    learned_ndcg = evaluate(blend(learned), inner.seen(), validation, k=K)["ndcg"] if any(learned.values()) else -1.0
    print(f"blend weights on validation: coordinate ascent NDCG@10 {searched_ndcg:.4f}, "
          f"logistic regression NDCG@10 {learned_ndcg:.4f}", flush=True)  # fmt: skip
    weights, val_ndcg = (learned, learned_ndcg) if learned_ndcg > searched_ndcg else (searched, searched_ndcg)
    hybrid = HybridRecommender({n: cls(seed=seed, **p) for n, (cls, p) in tuned.items()}, weights, seed=seed)
    rows.append(("hybrid", hybrid, val_ndcg))
    results = []
    for model_name, model, val in rows:
        seconds, peak = measured_fit(model, train, items, users)
        scores = evaluate(model, train.seen(), test, k=K, catalogue_size=len(items),
                          similarity=diversity_model.item_similarity)  # fmt: skip
        results.append({"model": model_name, "params": model.params(), "validation_ndcg": val,
                        "fit_seconds": seconds, "peak_bytes": peak, **scores})  # fmt: skip
    header = f"{'model':<11} {'P@10':>7} {'R@10':>7} {'NDCG@10':>8} {'± se':>6} {'MAP@10':>7} {'cov':>6} {'ILD':>6} {'fit s':>7} {'peak MB':>8} {'val NDCG':>8}"  # noqa: E501
    print(header)
    for r in results:
        print(f"{r['model']:<11} {r['precision']:7.4f} {r['recall']:7.4f} {r['ndcg']:8.4f} {r['ndcg_se']:6.4f} "
              f"{r['map']:7.4f} "
              f"{r['coverage']:6.3f} {r['diversity']:6.3f} {r['fit_seconds']:7.2f} {r['peak_bytes'] / 2**20:8.1f} "
              f"{r['validation_ndcg']:8.4f}")  # fmt: skip
    print("hybrid weights:", {k: round(v, 3) for k, v in weights.items()})
    hybrid_row = results[-1]
    best = max(results[:-1], key=lambda r: r["ndcg"])
    diff, se, n = paired_difference(hybrid_row["ndcg_by_user"], best["ndcg_by_user"])
    print(f"hybrid - best single model ({best['model']}) NDCG@10: {diff:+.4f} ± {se:.4f} (paired over {n} users)")
    print(
        f"reference: a ranking uniform over the unseen items suiting the user's skin type (how the demo "
        f"orders are drawn) has expected P@10 = {suitable_uniform_precision(train, test, items, users):.4f}"
    )
    return results


def paired_difference(a, b):
    """Mean and standard error of the per-user difference a - b over the users both scored."""
    diffs = [a[u] - b[u] for u in a if u in b]
    n = len(diffs)
    if n < 2:
        return 0.0, 0.0, n
    mean = sum(diffs) / n
    return mean, (sum((d - mean) ** 2 for d in diffs) / (n - 1) / n) ** 0.5, n


def suitable_uniform_precision(train, test, items, users):
    """Expected precision@10 of a random top-10 among the unseen items that list the user's skin
    type (or "all"): per user E[hits] = 10 * relevant-and-suitable / suitable (capped)."""
    seen, total, n = train.seen(), 0.0, 0
    for user, held in test.items():
        relevant = held - seen.get(user, set())
        if not relevant:
            continue
        skin = users.get(user, {}).get("skin_type")
        suitable = {
            i for i, f in items.items()
            if i not in seen.get(user, set()) and ("all" in f["skin_types"] or skin in f["skin_types"])
        }  # fmt: skip
        if suitable:
            picked = min(K, len(suitable))
            total += picked * len(relevant & suitable) / len(suitable) / K
        n += 1
    return total / max(1, n)


def store_results(split_name, results, meta):
    """One ``model_performance`` document per model, in the seed's shape (k10 only: the
    benchmark measures at 10), keyed by model, split and time so runs accumulate."""
    from ml.recommender.models import Recommender
    from ml.store import get_store, iso

    now = iso(datetime.now(UTC))
    keyed = []
    for r in results:
        doc = {
            "model_name": r["model"],
            "model_version": f"ml.recommender.{r['model']}/{Recommender.version}",
            "evaluation_date": now,
            "split": split_name,
            "metrics": {
                "precision_at_k": {"k10": round(r["precision"], 6)},
                "recall_at_k": {"k10": round(r["recall"], 6)},
                "ndcg_at_k": {"k10": round(r["ndcg"], 6)},
                "ndcg_at_10_standard_error": round(r["ndcg_se"], 6),
                "map_at_k": {"k10": round(r["map"], 6)},
                "coverage": round(r["coverage"], 6),
                "diversity": round(r["diversity"], 6),
                "validation_ndcg_at_10": round(r["validation_ndcg"], 6),
            },
            "test_data_stats": {**meta, "evaluated_users": r["users"]},
            "training_params": r["params"],
            "fit_seconds": round(r["fit_seconds"], 3),
            "peak_memory_bytes": r["peak_bytes"],
            "created_at": now,
        }
        keyed.append((f"{r['model']}:{split_name}:{now}", doc))
    get_store().upsert_many("model_performance", keyed)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--no-store", action="store_true")
    args = parser.parse_args(argv)
    records, items, users = load()
    data = Interactions(records)
    print(f"{len(records)} interaction records, {len(data)} user-item pairs, {len(data.users)} users, "
          f"{len(items)} products")  # fmt: skip
    if not records:
        sys.exit("No interactions: run `manage.py seed_demo` first.")
    splits = {
        "time": lambda rs: time_split(rs, args.test_fraction),
        "random_per_user": lambda rs: random_per_user_split(rs, args.test_fraction, seed=args.seed),
    }
    skins = Counter(f.get("skin_type") or "unknown" for u, f in users.items() if u in set(data.users))
    meta = {
        "dataset": "demo",
        "total_users": len(data.users),
        "total_products": len(items),
        "total_interactions": len(data),
        "skin_type_distribution": dict(sorted(skins.items())),
    }
    all_results = {}
    for split_name, split in splits.items():
        results = run_split(split_name, split, records, items, users, seed=args.seed)
        all_results[split_name] = results
        if not args.no_store:
            store_results(split_name, results, meta)
    return all_results


if __name__ == "__main__":
    main()
