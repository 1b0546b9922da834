"""Top-k ranking metrics on binary relevance. ``recommended`` is a ranked list of item ids,
``relevant`` a set of item ids. Means over users skip users with nothing relevant."""

import math
from itertools import combinations


def precision_at_k(recommended, relevant, k=10):
    return sum(1 for item in recommended[:k] if item in relevant) / k


def recall_at_k(recommended, relevant, k=10):
    if not relevant:
        return 0.0
    return sum(1 for item in recommended[:k] if item in relevant) / len(relevant)


def ndcg_at_k(recommended, relevant, k=10):
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 2) for rank, item in enumerate(recommended[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return dcg / ideal


def average_precision_at_k(recommended, relevant, k=10):
    """AP@k: mean of precision@i at each hit i, divided by min(k, |relevant|)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, item in enumerate(recommended[:k], 1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / min(k, len(relevant))


def coverage(lists, catalogue_size):
    """Share of the catalogue that appears in at least one list."""
    if not catalogue_size:
        return 0.0
    return len({item for items in lists for item in items}) / catalogue_size


def intra_list_diversity(lists, similarity):
    """Mean over lists (of two or more items) of the mean pairwise dissimilarity 1 - sim(a, b)."""
    scores = []
    for items in lists:
        pairs = list(combinations(items, 2))
        if pairs:
            scores.append(sum(1.0 - similarity(a, b) for a, b in pairs) / len(pairs))
    return sum(scores) / len(scores) if scores else 0.0


def evaluate(model, train_seen, test, *, k=10, catalogue_size=None, similarity=None, exclude_seen=True):
    """Evaluation of a fitted ``model``: ``test`` is {user: set of relevant items}; items the
    user already had in training are not counted as relevant, users left with none are skipped.
    Returns the means over users (``precision``, ``recall``, ``ndcg``, ``map``), ``ndcg_se``,
    ``ndcg_by_user``, ``users``, ``coverage`` and ``diversity`` (None without ``similarity``)."""
    users = [u for u, items in test.items() if items - train_seen.get(u, set())]
    recs = model.recommend(users, k=k, exclude_seen=exclude_seen) if users else {}
    totals = {"precision": 0.0, "recall": 0.0, "ndcg": 0.0, "map": 0.0}
    lists, ndcgs = [], []
    for user in users:
        relevant = test[user] - train_seen.get(user, set())
        ranked = [item for item, _ in recs[user]]
        lists.append(ranked)
        totals["precision"] += precision_at_k(ranked, relevant, k)
        totals["recall"] += recall_at_k(ranked, relevant, k)
        ndcgs.append(ndcg_at_k(ranked, relevant, k))
        totals["ndcg"] += ndcgs[-1]
        totals["map"] += average_precision_at_k(ranked, relevant, k)
    n = max(1, len(users))
    out = {name: value / n for name, value in totals.items()}
    out["users"] = len(users)
    # standard error of the mean NDCG over users (how much of a difference is noise)
    mean = out["ndcg"]
    out["ndcg_se"] = math.sqrt(sum((x - mean) ** 2 for x in ndcgs) / (n - 1) / n) if n > 1 else 0.0
    out["ndcg_by_user"] = dict(zip(users, ndcgs, strict=True))  # for paired comparisons of models
    out["coverage"] = coverage(lists, catalogue_size or len(model.items))
    out["diversity"] = intra_list_diversity(lists, similarity) if similarity else None
    return out
