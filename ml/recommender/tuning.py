"""Hyper-parameter search on a validation split (never the test split)."""

import itertools

import numpy as np

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


def fit_blend_weights(fitted, train, validation, *, candidates=50, l2=1.0):
    """Blend weights learned on the validation split: a logistic regression (non-negative
    weights, free intercept, L2 penalty ``l2``) predicting whether a candidate item is one of the
    user's validation items from each component's normalised score (the hybrid's own scale).
    Candidates: the union of every component's top ``candidates`` unseen items per validation
    user. Returns ``{name: weight}`` (all zero when nothing is learnable)."""
    from scipy.optimize import minimize

    from .models import _normalise_rows

    names = list(fitted)
    first = fitted[names[0]]
    seen = train.seen()
    users = [u for u, items in validation.items() if u in first.user_index and items - seen.get(u, set())]
    if not users:
        return dict.fromkeys(names, 0.0)
    positions = [first.user_index[u] for u in users]
    rows = first.X[positions]
    blocks = [_normalise_rows(fitted[name]._scores(rows, positions), rows) for name in names]
    features, labels = [], []
    for n, user in enumerate(users):
        blocked = np.array([first.item_index[i] for i in seen.get(user, ()) if i in first.item_index], dtype=int)
        pool = set()
        for block in blocks:
            row = block[n].copy()
            row[blocked] = -np.inf
            pool.update(np.argpartition(-row, min(candidates, len(row) - 1))[:candidates].tolist())
        pool = np.array(sorted(pool - set(blocked.tolist())), dtype=int)
        relevant = {first.item_index[i] for i in validation[user] if i in first.item_index}
        features.append(np.stack([block[n, pool] for block in blocks], axis=1))
        labels.append(np.array([float(i in relevant) for i in pool]))
    X, y = np.vstack(features), np.concatenate(labels)
    if y.min() == y.max():
        return dict.fromkeys(names, 0.0)

    def loss(theta):
        z = X @ theta[1:] + theta[0]
        # log(1 + e^z) - y z, computed stably; gradient through the logistic function
        value = np.logaddexp(0.0, z).sum() - y @ z + 0.5 * l2 * theta[1:] @ theta[1:]
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        grad = np.concatenate([[np.sum(p - y)], X.T @ (p - y) + l2 * theta[1:]])
        return value, grad

    start = np.zeros(len(names) + 1)
    bounds = [(None, None)] + [(0.0, None)] * len(names)
    theta = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds).x
    return {name: float(w) for name, w in zip(names, theta[1:], strict=True)}
