"""Hyper-parameter search on a validation split (never the test split)."""

import itertools

from .metrics import evaluate


def grid_search(factory, grid, train, validation, *, item_features=None, user_features=None, k=10):
    """Fit ``factory(**params)`` for every combination of ``grid`` on ``train`` and score
    NDCG@k on ``validation``; returns (best params, best ndcg, [(params, ndcg), ...])."""
    names = sorted(grid)
    tried = []
    for values in itertools.product(*(grid[n] for n in names)):
        params = dict(zip(names, values, strict=True))
        model = factory(**params).fit(train, item_features, user_features)
        tried.append((params, evaluate(model, train.seen(), validation, k=k)["ndcg"]))
    best = max(tried, key=lambda pair: pair[1])  # first best on ties: grid order is deterministic
    return best[0], best[1], tried


def tune_blend(fitted, train, validation, *, steps=(0.0, 0.5, 1.0, 2.0, 4.0), rounds=2, k=10, factory=None):
    """Coordinate ascent on the blend weights of already fitted components (``{name: model}``)
    by validation NDCG@k. ``factory(weights)`` builds the hybrid over the same fitted models."""
    weights = {name: 1.0 for name in fitted}
    best = evaluate(factory(weights), train.seen(), validation, k=k)["ndcg"]
    for _ in range(rounds):
        for name in fitted:
            for step in steps:
                trial = {**weights, name: step}
                if not any(trial.values()):
                    continue
                score = evaluate(factory(trial), train.seen(), validation, k=k)["ndcg"]
                if score > best + 1e-12:
                    best, weights = score, trial
    return weights, best
