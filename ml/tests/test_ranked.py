"""``Recommender.ranked`` sorts a few of the best items at a time and lists exactly what one sort of every item
would (``recommend`` with ``k`` of every item), ties included: a refresh reads only the first of them."""

import random
from itertools import islice

import numpy as np
import pytest

from ml.recommender import ItemKNNRecommender, PopularityRecommender


def _sorted_all(model, row, blocked):
    """What ``_top`` listed before it ranked lazily: one lexsort of every candidate."""
    row = np.nan_to_num(np.asarray(row, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    candidates = np.array([n for n, item in enumerate(model.items) if item not in blocked], dtype=np.int64)
    if not candidates.size:
        return []
    top = row[candidates].max()
    normalised = np.clip(row / top, 0.0, 1.0) if top > 0 else np.zeros_like(row)
    order = np.lexsort((candidates, -model.popularity[candidates], -normalised[candidates]))
    return [(model.items[n], round(float(normalised[n]), 6)) for n in candidates[order]]


def _records(seed, users=60, items=150):
    rng = random.Random(seed)
    return [
        (f"u{u}", rng.randrange(items), rng.choice([1.0, 2.0, 3.0]), rng.randrange(1, 30) * 86400.0)
        for u in range(users)
        for _ in range(rng.randrange(1, 8))
    ]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("first", [1, 5, 20, 64, 10_000])
def test_ranked_lists_every_item_in_the_order_one_sort_of_all_gives(seed, first):
    rng = np.random.default_rng(seed)
    model = PopularityRecommender().fit(_records(seed))
    # scores with many ties (few distinct values), zeros, a NaN and an infinity
    row = rng.choice([0.0, 0.1, 0.25, 0.5, 1.0], size=len(model.items))
    row[rng.integers(len(row))] = np.nan
    row[rng.integers(len(row))] = np.inf
    blocked = set(rng.choice(model.items, size=10, replace=False).tolist())

    expected = _sorted_all(model, row, blocked)
    assert list(model._ranked(row, blocked, first)) == expected
    assert model._top(row, first, blocked) == expected[:first]
    assert list(islice(model._ranked(row, blocked, first), 3)) == expected[:3]


@pytest.mark.parametrize("seed", range(4))
def test_ranked_and_recommend_agree_for_a_fitted_model(seed):
    model = ItemKNNRecommender(neighbours=20).fit(_records(seed))
    users = [f"u{u}" for u in range(0, 60, 7)] + ["nobody"]
    everything = model.recommend(users, k=len(model.items))
    for user, items in model.ranked(users, first=8).items():
        assert list(items) == everything[user]
        assert [item for item, _ in everything[user]] == sorted(
            {item for item, _ in everything[user]}, key=[item for item, _ in everything[user]].index
        )  # each item once
    assert model.recommend(users, k=5) == {user: ranked[:5] for user, ranked in everything.items()}


def test_all_scores_zero_or_everything_blocked():
    model = PopularityRecommender().fit(_records(1))
    zeros = np.zeros(len(model.items))
    assert list(model._ranked(zeros, set(), 4)) == _sorted_all(model, zeros, set())
    assert list(model._ranked(zeros, set(model.items), 4)) == []
