"""Predicted satisfaction (the star rating a user would give a product) and repurchase likelihood.

Plain Python + numpy + scikit-learn, no Django: fitted on generic records so a benchmark or a test
can feed them hand-made data.

- reviews: ``(user_id, product_id, rating, timestamp)``
- purchases: ``(user_id, product_id, timestamp)`` (one per order line)
- users: ``{user_id: {"skin_type": str, "concerns": [str]}}``
- products: ``{product_id: {"skin_types": [str], "concerns": [str], "category": int, "price": float,
  "ingredients": [str], "lasts_days": float or None}}`` (``lasts_days``: how long one unit lasts,
  size ÷ daily use, as ``shop.orders.replenishment`` estimates it; optional)

Timestamps are seconds (floats). Training rows see only statistics that leave themselves out, so
a row's own rating never leaks into its features.
"""

import math
from collections import defaultdict

import numpy as np

DAY = 86400.0
PRIOR = 5.0  # pseudo-reviews pulling a product's or user's mean toward the wider mean


def _skin_match(user, product):
    skin_types = product.get("skin_types") or []
    return 1.0 if "all" in skin_types or user.get("skin_type") in skin_types else 0.0


def _concern_overlap(user, product):
    return float(len(set(user.get("concerns") or []) & set(product.get("concerns") or [])))


def _cell():
    return [0.0, 0]  # a module-level factory: fitted statistics are pickled with the model


def _smoothed(total, count, prior_mean, prior=PRIOR):
    return (total + prior * prior_mean) / (count + prior)


class RatingStats:
    """Sums and counts of ratings by product, user, product × skin type and category."""

    def __init__(self, reviews, users, products):
        self.users, self.products = users, products
        self.total = sum(r[2] for r in reviews)
        self.count = len(reviews)
        self.mean = self.total / self.count if self.count else 3.0
        self.by = {name: defaultdict(_cell) for name in ("product", "user", "product_skin", "category")}
        # How people of a skin type rate products containing an ingredient (a retinoid on sensitive skin...).
        self.ingredient_skin = defaultdict(_cell)
        for user_id, product_id, rating, _ in reviews:
            for name, key in self._keys(user_id, product_id).items():
                cell = self.by[name][key]
                cell[0] += rating
                cell[1] += 1
            skin = users.get(user_id, {}).get("skin_type")
            for ingredient in products.get(product_id, {}).get("ingredients") or ():
                cell = self.ingredient_skin[(ingredient, skin)]
                cell[0] += rating
                cell[1] += 1

    def _keys(self, user_id, product_id, user=None, product=None):
        user = user if user is not None else self.users.get(user_id, {})
        product = product if product is not None else self.products.get(product_id, {})
        return {
            "product": product_id,
            "user": user_id,
            "product_skin": (product_id, user.get("skin_type")),
            "category": product.get("category"),
        }

    def features(self, user_id, product_id, leave_out=None, user=None, product=None):
        """Feature vector; ``leave_out`` is the row's own rating when it is part of these statistics;
        ``user`` / ``product`` override the profiles seen when fitting (a profile edited since)."""
        cells = {}
        for name, key in self._keys(user_id, product_id, user, product).items():
            total, count = self.by[name].get(key, (0.0, 0))
            if leave_out is not None:
                total, count = total - leave_out, count - 1
            cells[name] = (total, count)
        mean = self.mean if leave_out is None or self.count < 2 else (self.total - leave_out) / (self.count - 1)
        category = _smoothed(*cells["category"], mean)
        product_mean = _smoothed(*cells["product"], category)
        user_bias = _smoothed(*cells["user"], mean) - mean
        skin_mean = _smoothed(*cells["product_skin"], product_mean)
        user = user if user is not None else self.users.get(user_id, {})
        product = product if product is not None else self.products.get(product_id, {})
        affinities = []
        for ingredient in product.get("ingredients") or ():
            total, count = self.ingredient_skin.get((ingredient, user.get("skin_type")), (0.0, 0))
            if leave_out is not None:
                total, count = total - leave_out, count - 1
            affinities.append(_smoothed(total, count, mean))
        return [
            product_mean,
            math.log1p(cells["product"][1]),
            user_bias,
            math.log1p(cells["user"][1]),
            skin_mean,
            math.log1p(cells["product_skin"][1]),
            category,
            _skin_match(user, product),
            _concern_overlap(user, product),
            float(product.get("price") or 0.0),
            min(affinities, default=mean),
            sum(affinities) / len(affinities) if affinities else mean,
        ]

    def product_mean(self, product_id):
        """The baseline: the product's mean rating smoothed toward its category's."""
        category = _smoothed(
            *self.by["category"].get(self.products.get(product_id, {}).get("category"), (0, 0)), self.mean
        )
        return _smoothed(*self.by["product"].get(product_id, (0.0, 0)), category)


class SatisfactionModel:
    """Gradient-boosted trees on rating statistics, skin-type fit and concern overlap → 1..5 stars.
    The default tree size and learning rate are the ones ``benchmarks/predictions.py`` chose on its
    validation split (small trees: the ratings are noisy)."""

    FEATURES = (
        "product_mean", "product_reviews_log", "user_bias", "user_reviews_log", "product_skin_mean",
        "product_skin_reviews_log", "category_mean", "skin_type_match", "concern_overlap", "price",
        "worst_ingredient_for_skin_type", "mean_ingredient_for_skin_type",
    )  # fmt: skip

    def __init__(self, *, max_iter=100, learning_rate=0.02, max_leaf_nodes=4, seed=0):
        self.params = {"max_iter": max_iter, "learning_rate": learning_rate, "max_leaf_nodes": max_leaf_nodes}
        self.seed = seed
        self.stats = None
        self.regressor = None
        self.samples = 0

    def fit(self, reviews, users, products):
        from sklearn.ensemble import HistGradientBoostingRegressor

        if len(reviews) < 20:
            raise ValueError(f"At least 20 reviews are needed, got {len(reviews)}")
        self.stats = RatingStats(reviews, users, products)
        x = np.array([self.stats.features(u, p, leave_out=r) for u, p, r, _ in reviews])
        y = np.array([r for _, _, r, _ in reviews], dtype=float)
        self.regressor = HistGradientBoostingRegressor(random_state=self.seed, **self.params).fit(x, y)
        self.samples = len(reviews)
        return self

    def predict(self, pairs, profiles=None) -> list[float]:
        """Predicted stars (1..5) for ``[(user_id, product_id)]``; ``profiles`` maps a pair to
        ``(user, product)`` attribute dicts that replace the ones seen when fitting."""
        if not pairs:
            return []
        profiles = profiles or {}
        x = np.array([self.stats.features(u, p, None, *profiles.get((u, p), (None, None))) for u, p in pairs])
        return [float(v) for v in np.clip(self.regressor.predict(x), 1.0, 5.0)]

    def baseline(self, pairs) -> list[float]:
        return [self.stats.product_mean(p) for _, p in pairs]


class PurchaseHistory:
    """Purchases before a cut-off: per (user, product) the times, per product how many buyers came back."""

    def __init__(self, purchases, cutoff):
        self.cutoff = cutoff
        self.times = defaultdict(list)
        for user_id, product_id, at in purchases:
            if at <= cutoff:
                self.times[(user_id, product_id)].append(at)
        buyers, returning = defaultdict(int), defaultdict(int)
        self.user_products = defaultdict(int)
        for (user_id, product_id), times in self.times.items():
            buyers[product_id] += 1
            returning[product_id] += len(set(times)) > 1
            self.user_products[user_id] += 1
        self.buyers, self.returning = buyers, returning
        self.overall = sum(returning.values()) / max(1, sum(buyers.values()))
        # Per user: products bought, and of those bought again (the user's habit of rebuying).
        self.user_returning = defaultdict(int)
        for (user_id, _), times in self.times.items():
            self.user_returning[user_id] += len(set(times)) > 1

    def product_rate(self, product_id, *, exclude_repeat=None):
        """Share of the product's buyers who bought it again, leaving the asking pair out."""
        buyers, returning = self.buyers.get(product_id, 0), self.returning.get(product_id, 0)
        if exclude_repeat is not None:
            buyers, returning = buyers - 1, returning - int(exclude_repeat)
        return _smoothed(returning, buyers, self.overall, prior=10.0)

    def features(self, user_id, product_id, ratings, users, products):
        times = sorted(self.times.get((user_id, product_id), []))
        repeat = len(set(times)) > 1
        rating = ratings.get((user_id, product_id))
        user = users.get(user_id, {})
        product = products.get(product_id, {})
        return [
            float(len(times)),
            (self.cutoff - times[-1]) / DAY if times else 365.0,
            (self.cutoff - times[0]) / DAY if times else 365.0,
            self.product_rate(product_id, exclude_repeat=repeat if times else None),
            float(rating) if rating is not None else 0.0,
            1.0 if rating is not None else 0.0,
            float(self.user_products.get(user_id, 0)),
            _skin_match(user, product),
            _concern_overlap(user, product),
            float(product.get("price") or 0.0),
            *self.run_out(times, product.get("lasts_days")),
            self.user_rate(user_id, exclude_repeat=repeat if times else None),
        ]

    def run_out(self, times, lasts_days):
        """(days until the last unit runs out, counted from the cut-off; days since the last
        purchase ÷ days a unit lasts): negative / above 1 when it should have run out already.
        Unknown (no size or never bought): (365, 0)."""
        if not times or not lasts_days:
            return 365.0, 0.0
        since = (self.cutoff - times[-1]) / DAY
        return float(lasts_days) - since, since / float(lasts_days)

    def user_rate(self, user_id, *, exclude_repeat=None):
        """Share of the user's other products the user bought again (smoothed toward the overall share)."""
        bought, returning = self.user_products.get(user_id, 0), self.user_returning.get(user_id, 0)
        if exclude_repeat is not None:
            bought, returning = bought - 1, returning - int(exclude_repeat)
        return _smoothed(returning, bought, self.overall, prior=3.0)


def repurchase_examples(purchases, reviews, users, products, *, cutoff, horizon_days):
    """(pairs, features, labels, baseline): every pair bought by the cut-off, labelled 1 when the user
    bought the product again within ``horizon_days`` after it. Ratings count when given by the cut-off."""
    history = PurchaseHistory(purchases, cutoff)
    ratings = {(u, p): r for u, p, r, at in reviews if at <= cutoff}
    end = cutoff + horizon_days * DAY
    again = {(u, p) for u, p, at in purchases if cutoff < at <= end}
    pairs = sorted(history.times)
    features = [history.features(u, p, ratings, users, products) for u, p in pairs]
    labels = [int(pair in again) for pair in pairs]
    baseline = [history.product_rate(p) for _, p in pairs]
    return pairs, features, labels, baseline


class RepurchaseModel:
    """Gradient-boosted classifier: will the user buy this product again within the horizon?"""

    FEATURES = (
        "times_bought", "days_since_last", "days_since_first", "product_repurchase_rate", "user_rating",
        "reviewed", "products_bought", "skin_type_match", "concern_overlap", "price", "days_to_run_out",
        "share_of_run_out_used", "user_repurchase_rate",
    )  # fmt: skip

    def __init__(self, *, horizon_days=30, max_iter=150, learning_rate=0.05, max_leaf_nodes=15, seed=0):
        self.horizon_days = horizon_days
        self.params = {"max_iter": max_iter, "learning_rate": learning_rate, "max_leaf_nodes": max_leaf_nodes}
        self.seed = seed
        self.classifier = None
        self.samples = 0
        self.positives = 0

    def fit(self, features, labels):
        from sklearn.ensemble import HistGradientBoostingClassifier

        if len(set(labels)) < 2:
            raise ValueError("Repurchase training needs both repurchased and not repurchased pairs")
        self.classifier = HistGradientBoostingClassifier(random_state=self.seed, **self.params)
        self.classifier.fit(np.array(features), np.array(labels))
        self.samples, self.positives = len(labels), int(sum(labels))
        self.features = self.FEATURES  # pickled with the model: serving refuses one fitted on other features
        return self

    def predict(self, features) -> list[float]:
        if not features:
            return []
        return [float(p) for p in self.classifier.predict_proba(np.array(features))[:, 1]]


def rmse(predicted, actual) -> float:
    return math.sqrt(sum((p - a) ** 2 for p, a in zip(predicted, actual, strict=True)) / len(actual))


def roc_auc(scores, labels) -> float:
    """Probability that a positive scores above a negative (ties half)."""
    order = sorted(zip(scores, labels, strict=True))
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        raise ValueError("AUC needs both classes")
    rank_sum, i = 0.0, 0
    while i < len(order):
        j = i
        while j < len(order) and order[j][0] == order[i][0]:
            j += 1
        average_rank = (i + 1 + j) / 2  # ranks i+1..j share their mean
        rank_sum += average_rank * sum(label for _, label in order[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
