"""Recommenders behind one interface:

``fit(interactions, item_features=None, user_features=None)`` then
``recommend(user_ids, k=10, exclude_seen=True, repurchasable=(), user_features=None)`` ->
``{user: [(item, score), ...]}`` with scores in 0-1 (the user's best candidate scores 1),
best first, ties broken by popularity then item id; and ``similar_items(item_id, k)`` where it means something.

Users without interactions (cold start) get the skin-type list when their skin type is known
(``user_features[user]["skin_type"]``), otherwise the popularity list. No Django imports.
"""

import abc
import re
from collections import Counter
from itertools import islice

import numpy as np
from scipy import sparse

from .data import as_interactions

DAY = 86400.0
RANKED_FIRST = 64  # items ``ranked`` sorts at a time (a refresh lists 20, after its skin and category filters)


class SimilarityUnsupported(NotImplementedError):
    """The model has no notion of item-to-item similarity (popularity, trending, skin type)."""


class Recommender(abc.ABC):
    name = "base"
    version = "1"

    def __init__(self, seed=0):
        self.seed = seed

    # --- interface -------------------------------------------------------------------------
    def params(self):
        return {"seed": self.seed}

    def fit(self, interactions, item_features=None, user_features=None):
        data = as_interactions(interactions)
        self.interactions = data
        self.item_features = dict(item_features or {})
        items = set(data.items) | set(self.item_features)
        self.items = sorted(items, key=lambda v: (type(v).__name__, v))
        self.item_index = {item: n for n, item in enumerate(self.items)}
        self.users = data.users
        self.user_index = {user: n for n, user in enumerate(self.users)}
        self.user_features = dict(user_features or {})
        self.X = data.matrix(self.users, self.items)
        self.seen = data.seen()
        binary = (self.X > 0).astype(np.float64)
        self.popularity = np.asarray(binary.sum(axis=0)).ravel()
        self.skin_popularity = self._skin_popularity(binary)
        self._fit()
        return self

    def recommend(self, user_ids, k=10, exclude_seen=True, repurchasable=(), user_features=None):
        ranked = self.ranked(user_ids, exclude_seen, repurchasable, user_features, first=k)
        return {user: list(islice(items, k)) for user, items in ranked.items()}

    def ranked(self, user_ids, exclude_seen=True, repurchasable=(), user_features=None, *, first=RANKED_FIRST):
        """``{user: iterator of (item, score)}``: every item ``recommend`` may list, best first, as it would
        list them with ``k`` of every item; ordered ``first`` at a time as the iterator is read (a caller that
        stops after a few pays for sorting those, not every item)."""
        features = {**self.user_features, **(user_features or {})}
        repurchasable = set(repurchasable)
        known = [u for u in user_ids if u in self.user_index]
        scores = {}
        if known:
            rows = self.X[[self.user_index[u] for u in known]]
            block = self._scores(rows, [self.user_index[u] for u in known])
            for n, user in enumerate(known):
                scores[user] = block[n]
        out = {}
        for user in user_ids:
            row = scores.get(user)
            if row is None:
                row = self.cold_start_scores(features.get(user, {}).get("skin_type"))
            blocked = self.seen.get(user, set()) - repurchasable if exclude_seen else set()
            out[user] = self._ranked(row, blocked, first)
        return out

    def similar_items(self, item_id, k=10):
        raise SimilarityUnsupported(f"{self.name} has no item similarity")

    # --- scoring new rows against a fitted model (no refit) ---------------------------------
    FITTED = ()
    """Attributes ``_fit`` learns that scoring needs (arrays or plain values)."""

    def fitted_state(self):
        """What scoring any user's row needs besides the row: the item order, popularity,
        skin-type popularity and what ``_fit`` learned. ``for_rows`` rebuilds a model from it."""
        return {
            "items": list(self.items),
            "popularity": self.popularity,
            "skin_popularity": dict(self.skin_popularity),
            **{attr: getattr(self, attr) for attr in self.FITTED},
        }

    @classmethod
    def for_rows(cls, state, params, rows, user_features=None, item_features=None):
        """A model that scores the users of ``rows`` (``{user: {item: weight}}``, their current
        interactions) against ``state`` (``fitted_state()`` of a model fitted earlier), without
        refitting: what a fitted model does for the users it was trained on, for any user.
        Items the state does not know are left out of the scores (still counted as seen)."""
        model = cls(**params)
        model._restore(state, rows, user_features, item_features)
        return model

    def _restore(self, state, rows, user_features, item_features):
        self.items = list(state["items"])
        self.item_index = {item: n for n, item in enumerate(self.items)}
        self.popularity = np.asarray(state["popularity"], dtype=np.float64)
        self.skin_popularity = dict(state["skin_popularity"])
        for attr in self.FITTED:
            setattr(self, attr, state[attr])
        self.item_features = dict(item_features or {})
        self.user_features = dict(user_features or {})
        self.users = sorted(rows, key=lambda v: (type(v).__name__, v))
        self.user_index = {user: n for n, user in enumerate(self.users)}
        self.seen = {user: set(row) for user, row in rows.items() if row}
        cells = [
            (n, self.item_index[item], float(weight))
            for n, user in enumerate(self.users)
            for item, weight in rows[user].items()
            if item in self.item_index
        ]
        self.X = sparse.csr_matrix(
            ([c[2] for c in cells], ([c[0] for c in cells], [c[1] for c in cells])),
            shape=(len(self.users), len(self.items)),
        )
        self.interactions = None
        self._restored()

    def _restored(self):  # noqa: B027 - optional hook: per-user state a model derives from the rows
        """Derive per-user state from ``self.X`` after ``_restore`` (ALS: the user factors)."""

    # --- helpers for subclasses ------------------------------------------------------------
    def _fit(self):  # noqa: B027 - optional hook: models without a training step keep it empty
        """Train on the state ``fit`` prepared; nothing to learn by default."""

    @abc.abstractmethod
    def _scores(self, rows, user_positions):
        """Dense (len(rows), n_items) raw scores, higher is better."""

    def cold_start_scores(self, skin_type=None):
        if skin_type and skin_type in self.skin_popularity:
            return self.skin_popularity[skin_type]
        return self.popularity.astype(np.float64)

    def _skin_popularity(self, binary):
        by_skin = {}
        for user, n in self.user_index.items():
            skin = self.user_features.get(user, {}).get("skin_type")
            if skin:
                by_skin.setdefault(skin, []).append(n)
        out = {}
        total = self.popularity / max(1, binary.shape[0])
        for skin, rows in by_skin.items():
            counts = np.asarray(binary[rows].sum(axis=0)).ravel()
            # share of that skin type's users, smoothed toward the overall share (5 pseudo-users)
            out[skin] = (counts + 5.0 * total) / (len(rows) + 5.0)
            suits = np.array([_suits(self.item_features.get(i, {}), skin) for i in self.items], dtype=np.float64)
            if self.item_features:
                out[skin] = out[skin] * (0.5 + 0.5 * suits)
        return out

    def _top(self, row, k, blocked):
        """The ``k`` best items not in ``blocked``, scores divided by the best candidate's
        (so the first scores 1 unless nothing scores above 0); ties go to the more popular
        item, then the smaller id."""
        return list(islice(self._ranked(row, blocked, k), k))

    def _ranked(self, row, blocked, first):
        """``_top`` of every item, as an iterator that sorts the ``first`` best (and any tied with the last of
        them) when it is first read, and the rest only if it is read past them. The best are found with a
        partition, not a sort: every item scoring at least the ``first``-th best score is among them, so they
        come out exactly as a sort of all would order them, and every other item after them."""
        row = np.nan_to_num(np.asarray(row, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        allowed = np.ones(len(self.items), dtype=bool)
        for item in blocked:
            n = self.item_index.get(item)
            if n is not None:
                allowed[n] = False
        candidates = np.flatnonzero(allowed)
        if not candidates.size:
            return
        top = row[candidates].max()
        normalised = np.clip(row / top, 0.0, 1.0) if top > 0 else np.zeros_like(row)
        scores = normalised[candidates]
        if 0 < first < candidates.size:
            threshold = np.partition(scores, candidates.size - first)[candidates.size - first]
            best = scores >= threshold
            yield from self._ordered(candidates[best], normalised)
            yield from self._ordered(candidates[~best], normalised)
        else:
            yield from self._ordered(candidates, normalised)

    def _ordered(self, picked, normalised):
        """``(item, score)`` of the item positions ``picked``, best score first, ties to the more popular item,
        then the smaller id."""
        # lexsort: last key is primary
        picked = picked[np.lexsort((picked, -self.popularity[picked], -normalised[picked]))]
        # np.round is what round() of a numpy float runs: the same scores, without a Python call per item
        yield from zip([self.items[n] for n in picked.tolist()], np.round(normalised[picked], 6).tolist(), strict=True)

    def _similar_from(self, vector, item_id, k):
        vector = np.asarray(vector, dtype=np.float64).copy()
        vector[self.item_index[item_id]] = -np.inf
        return self._top(np.where(np.isfinite(vector), vector, 0.0), k, {item_id})


def _suits(features, skin):
    types = set(features.get("skin_types") or ())
    return 1.0 if ("all" in types or skin in types) else 0.0


def _row_normalise(matrix):
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


def _keep_top(sim, neighbours):
    """Keep the ``neighbours`` largest entries of each column of a dense square matrix."""
    if neighbours is None or neighbours >= sim.shape[0]:
        return sim
    keep = np.argpartition(-sim, neighbours - 1, axis=0)[:neighbours]
    pruned = np.zeros_like(sim)
    cols = np.arange(sim.shape[1])
    pruned[keep, cols] = sim[keep, cols]
    return pruned


class PopularityRecommender(Recommender):
    """Items by the number of distinct users who interacted with them."""

    name = "popularity"

    def _scores(self, rows, user_positions):
        return np.tile(self.popularity.astype(np.float64), (rows.shape[0], 1))


class TrendingRecommender(Recommender):
    """Popularity with each interaction's weight halved every ``half_life_days`` before the
    latest interaction."""

    name = "trending"
    FITTED = ("trend",)

    def __init__(self, half_life_days=14.0, seed=0):
        super().__init__(seed)
        self.half_life_days = half_life_days

    def params(self):
        return {**super().params(), "half_life_days": self.half_life_days}

    def _fit(self):
        decayed = self.interactions.matrix(self.users, self.items, decay_half_life=self.half_life_days * DAY)
        self.trend = np.asarray(decayed.sum(axis=0)).ravel()

    def _scores(self, rows, user_positions):
        return np.tile(self.trend, (rows.shape[0], 1))

    def cold_start_scores(self, skin_type=None):
        return self.trend


class ItemKNNRecommender(Recommender):
    """Item-item neighbourhood: cosine similarity of item columns of the (binarised or
    weighted) user-item matrix, ``shrink`` damping pairs with little co-occurrence, the
    ``neighbours`` most similar kept per item; a user's score for an item is the sum of its
    similarities to the items the user interacted with (weighted)."""

    name = "item_knn"
    FITTED = ("similarity",)

    def __init__(self, neighbours=50, shrink=0.0, binary=True, seed=0):
        super().__init__(seed)
        self.neighbours, self.shrink, self.binary = neighbours, shrink, binary

    def params(self):
        return {**super().params(), "neighbours": self.neighbours, "shrink": self.shrink, "binary": self.binary}

    def _fit(self):
        X = (self.X > 0).astype(np.float64) if self.binary else self.X
        co = (X.T @ X).toarray()
        norms = np.sqrt(np.diag(co))
        denom = np.outer(norms, norms) + self.shrink
        denom[denom == 0] = 1.0
        sim = co / denom
        np.fill_diagonal(sim, 0.0)
        self.similarity = _keep_top(sim, self.neighbours)

    def _scores(self, rows, user_positions):
        X = (rows > 0).astype(np.float64) if self.binary else rows
        return np.asarray(X @ self.similarity)

    def similar_items(self, item_id, k=10):
        return self._similar_from(self.similarity[:, self.item_index[item_id]], item_id, k)


class EASERecommender(Recommender):
    """EASE (Steck, 2019): a closed-form item-item linear model with a zero diagonal,
    B = I - P / diag(P), P = (XᵀX + λI)⁻¹ on the binarised matrix."""

    name = "ease"
    FITTED = ("B",)

    def __init__(self, l2=100.0, seed=0):
        super().__init__(seed)
        self.l2 = l2

    def params(self):
        return {**super().params(), "l2": self.l2}

    def _fit(self):
        X = (self.X > 0).astype(np.float64)
        gram = (X.T @ X).toarray()
        gram[np.diag_indices_from(gram)] += self.l2
        P = np.linalg.inv(gram)
        B = -P / np.diag(P)
        np.fill_diagonal(B, 0.0)
        self.B = B

    def _scores(self, rows, user_positions):
        return np.asarray((rows > 0).astype(np.float64) @ self.B)

    def similar_items(self, item_id, k=10):
        return self._similar_from(self.B[self.item_index[item_id]], item_id, k)


class ALSRecommender(Recommender):
    """Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008): confidence
    1 + alpha * weight, preference 1 for observed pairs, alternating least squares with L2
    ``regularization``; seeded initialisation."""

    name = "als"
    FITTED = ("V",)

    def __init__(self, factors=32, regularization=0.1, alpha=10.0, iterations=15, seed=0):
        super().__init__(seed)
        self.factors, self.regularization, self.alpha, self.iterations = factors, regularization, alpha, iterations

    def params(self):
        return {
            **super().params(),
            "factors": self.factors,
            "regularization": self.regularization,
            "alpha": self.alpha,
            "iterations": self.iterations,
        }

    def _fit(self):
        rng = np.random.default_rng(self.seed)
        C = self.X.tocsr()
        n_users, n_items = C.shape
        self.U = rng.normal(0, 0.01, (n_users, self.factors))
        self.V = rng.normal(0, 0.01, (n_items, self.factors))
        Ct = C.T.tocsr()
        for _ in range(self.iterations):
            self.U = self._solve(C, self.V)
            self.V = self._solve(Ct, self.U)

    def _solve(self, C, Y):
        YtY = Y.T @ Y
        reg = self.regularization * np.eye(self.factors)
        out = np.zeros((C.shape[0], self.factors))
        for u in range(C.shape[0]):
            start, end = C.indptr[u], C.indptr[u + 1]
            if start == end:
                continue
            idx, w = C.indices[start:end], C.data[start:end]
            conf = self.alpha * w  # (c - 1)
            Yi = Y[idx]
            A = YtY + (Yi.T * conf) @ Yi + reg
            b = (Yi.T * (1.0 + conf)).sum(axis=1)
            out[u] = np.linalg.solve(A, b)
        return out

    def _restored(self):
        # fold-in: each user's factors solved against the fixed item factors
        self.U = self._solve(self.X.tocsr(), self.V)

    def _scores(self, rows, user_positions):
        return self.U[user_positions] @ self.V.T

    def similar_items(self, item_id, k=10):
        V = self.V / np.maximum(np.linalg.norm(self.V, axis=1, keepdims=True), 1e-12)
        return self._similar_from(V @ V[self.item_index[item_id]], item_id, k)


TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset("a an and the for with of to in on is it your you this that skin".split())


def feature_tokens(features):
    """The weighted tokens of an item's features: ingredients, concerns, skin types,
    category (and brand), words of the text."""
    tokens = Counter()
    for field, weight in (("ingredients", 1.0), ("concerns", 1.5), ("skin_types", 1.5)):
        for value in features.get(field) or ():
            tokens[f"{field}:{str(value).lower()}"] += weight
    for field, weight in (("category", 2.0), ("brand", 0.5)):
        if features.get(field):
            tokens[f"{field}:{str(features[field]).lower()}"] += weight
    for word in TOKEN.findall(str(features.get("text") or "").lower()):
        if word not in STOPWORDS and len(word) > 2:
            tokens[f"w:{word}"] += 0.2
    return tokens


class ContentRecommender(Recommender):
    """Content similarity: TF-IDF-weighted cosine of item feature tokens (ingredients,
    concerns, skin types, category, brand, text). A user's score for an item is its mean
    similarity to the user's items; works for items nobody has bought yet."""

    name = "content"
    FITTED = ("similarity",)

    def _fit(self):
        vocab, rows, cols, vals = {}, [], [], []
        for n, item in enumerate(self.items):
            for token, weight in feature_tokens(self.item_features.get(item, {})).items():
                rows.append(n)
                cols.append(vocab.setdefault(token, len(vocab)))
                vals.append(weight)
        F = sparse.csr_matrix((vals, (rows, cols)), shape=(len(self.items), max(1, len(vocab))))
        df = np.asarray((F > 0).sum(axis=0)).ravel()
        idf = np.log((1 + len(self.items)) / (1 + df)) + 1.0
        F = _row_normalise(F @ sparse.diags(idf))
        self.similarity = np.asarray((F @ F.T).toarray())
        np.fill_diagonal(self.similarity, 0.0)

    def _scores(self, rows, user_positions):
        X = (rows > 0).astype(np.float64)
        counts = np.maximum(np.asarray(X.sum(axis=1)), 1.0)
        return np.asarray(X @ self.similarity) / counts

    def similar_items(self, item_id, k=10):
        return self._similar_from(self.similarity[self.item_index[item_id]], item_id, k)

    def item_similarity(self, a, b):
        return float(self.similarity[self.item_index[a], self.item_index[b]])


class SkinTypeRecommender(Recommender):
    """Skin-type affinity: items by their share of users with the user's skin type (smoothed
    toward the overall share), halved for items whose features do not list that skin type; with
    ``concern_weight`` > 0 each of the user's concerns the item addresses (``concerns`` in the
    user and item features) multiplies its score by ``1 + concern_weight``."""

    name = "skin_type"
    FITTED = ("item_concerns",)

    def __init__(self, concern_weight=0.0, seed=0):
        super().__init__(seed)
        self.concern_weight = concern_weight

    def params(self):
        return {**super().params(), "concern_weight": self.concern_weight}

    def _fit(self):
        self.item_concerns = [set(self.item_features.get(i, {}).get("concerns") or ()) for i in self.items]

    def _scores(self, rows, user_positions):
        out = np.empty((rows.shape[0], len(self.items)))
        for n, pos in enumerate(user_positions):
            features = self.user_features.get(self.users[pos], {})
            out[n] = self.cold_start_scores(features.get("skin_type")) * self._concern_boost(features.get("concerns"))
        return out

    def _concern_boost(self, concerns):
        concerns = set(concerns or ())
        if not self.concern_weight or not concerns:
            return 1.0
        matched = np.array([len(concerns & c) for c in self.item_concerns], dtype=np.float64)
        return (1.0 + self.concern_weight) ** matched


class HybridRecommender(Recommender):
    """A weighted blend of its components' per-user max-normalised scores (weights are
    rescaled to sum to 1, so the blend stays in 0-1)."""

    name = "hybrid"

    def __init__(self, components, weights, seed=0):
        super().__init__(seed)
        self.components = dict(components)
        total = sum(weights.values()) or 1.0
        self.weights = {name: weights.get(name, 0.0) / total for name in self.components}

    def params(self):
        return {
            "seed": self.seed,
            "weights": {k: round(v, 4) for k, v in self.weights.items()},
            "components": {name: m.params() for name, m in self.components.items()},
        }

    BASE_STATE = (
        "interactions", "item_features", "items", "item_index", "users", "user_index",
        "user_features", "X", "seen", "popularity", "skin_popularity",
    )  # fmt: skip

    @classmethod
    def from_fitted(cls, components, weights, seed=0):
        """A hybrid over components already fitted on the same data (no refit)."""
        hybrid = cls(components, weights, seed=seed)
        first = next(iter(hybrid.components.values()))
        for attr in cls.BASE_STATE:
            setattr(hybrid, attr, getattr(first, attr))
        return hybrid

    def _fit(self):
        for model in self.components.values():
            model.fit(self.interactions, self.item_features, self.user_features)

    def fitted_state(self):
        """The shared state once, plus each component's own (``components``), its parameters
        (``params``) and the blend ``weights``."""
        first = next(iter(self.components.values()))
        base = Recommender.fitted_state(first)
        return {
            **base,
            "weights": dict(self.weights),
            "params": {name: model.params() for name, model in self.components.items()},
            "components": {
                name: {attr: getattr(model, attr) for attr in model.FITTED} for name, model in self.components.items()
            },
        }

    @classmethod
    def for_rows(cls, state, params=None, rows=None, user_features=None, item_features=None, models=None):
        """The hybrid of ``fitted_state()`` scoring ``rows`` without refitting; ``models`` maps
        component names to their classes (default: ``MODELS``)."""
        models = models or MODELS
        base = {key: state[key] for key in ("items", "popularity", "skin_popularity")}
        components = {
            name: models[name].for_rows(
                {**base, **state["components"][name]}, state["params"][name], rows, user_features, item_features
            )
            for name in state["components"]
        }
        hybrid = cls.from_fitted(components, state["weights"], seed=(params or {}).get("seed", 0))
        hybrid.weights = dict(state["weights"])  # already rescaled: kept bit for bit
        return hybrid

    def _scores(self, rows, user_positions):
        total = np.zeros((rows.shape[0], len(self.items)))
        for name, model in self.components.items():
            if self.weights[name]:
                total += self.weights[name] * _normalise_rows(model._scores(rows, user_positions), rows)
        return total


def _normalise_rows(block, rows):
    """Negative scores to 0, each row divided by its largest score among the user's unseen
    items (seen items may exceed it and are capped at 1)."""
    block = np.clip(np.asarray(block, dtype=np.float64), 0.0, None)
    unseen = np.where(rows.toarray() > 0, 0.0, block)
    top = unseen.max(axis=1, keepdims=True)
    top[top <= 0] = 1.0
    return np.minimum(block / top, 1.0)


MODELS = {
    cls.name: cls
    for cls in (
        PopularityRecommender,
        TrendingRecommender,
        ItemKNNRecommender,
        EASERecommender,
        ALSRecommender,
        ContentRecommender,
        SkinTypeRecommender,
    )
}
