"""Nightly precompute of ``product_recommendations`` (per user) and ``product_similarities``
(per product) with the ``ml.recommender`` engine, each item with a score in 0-1, the algorithm
that put it there and a reason a person understands.

Training data (also what ``benchmarks/recommendations.py`` evaluates on): order lines of
confirmed / processing / shipped / delivered orders of registered users, and approved reviews
rated 4 or 5; item features from the catalog; the account's skin type.

Removed from a user's list: what the user bought (there is no "running low" signal yet, so no
repurchase exceptions) and products whose skin types exclude the user's. Hidden products and
ingredients to avoid are not filtered: the profile has no such fields yet. Variety: at most
``PER_CATEGORY`` products of one category per list."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count

from ml.etl.common import PURCHASED
from ml.etl.runner import JobResult
from ml.recommender import (
    ALSRecommender,
    ContentRecommender,
    EASERecommender,
    HybridRecommender,
    ItemKNNRecommender,
    SkinTypeRecommender,
    TrendingRecommender,
)
from ml.recommender.models import _normalise_rows
from ml.store import get_store, iso
from reviews.models import Review
from shop.catalog.models import Product, ProductIngredient, ProductStatus
from shop.orders.models import OrderItem

TOP_K = 20
PER_CATEGORY = 4
SIMILAR_K = 10
LIFETIME = timedelta(days=2)  # nightly, with a day of slack if a run fails
ALGORITHM_VERSION = "hybrid-1"
# Components and weights: the hybrid as tuned on the validation split of the time hold-out by
# benchmarks/recommendations.py (docs/ml.md has the measured table).
COMPONENTS = {
    "item_knn": (ItemKNNRecommender, {"neighbours": 20, "shrink": 10.0}),
    "ease": (EASERecommender, {"l2": 10.0}),
    "als": (ALSRecommender, {"factors": 16, "regularization": 10.0, "alpha": 5.0}),
    "content": (ContentRecommender, {}),
    "skin_type": (SkinTypeRecommender, {}),
    "trending": (TrendingRecommender, {"half_life_days": 7.0}),
}
WEIGHTS = {"item_knn": 0.2, "ease": 0.2, "als": 0.2, "content": 0.1, "skin_type": 0.2, "trending": 0.1}
PERSONAL = ("item_knn", "ease", "als", "content", "skin_type", "trending", "popularity")
ALGORITHM = {
    "item_knn": "collaborative_filtering",
    "ease": "collaborative_filtering",
    "als": "collaborative_filtering",
    "trending": "trending",
    "content": "content_based",
    "skin_type": "skin_analysis",
    "popularity": "popularity",
}


def training_data():
    """(interaction records, item features, user features) from the database."""
    records = [
        (row["order__user_id"], row["product_id"], 1.0, row["order__created_at"])
        for row in OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False).values(
            "order__user_id", "product_id", "order__created_at"
        )
    ]
    records += [
        (row["user_id"], row["product_id"], 1.0, row["created_at"])
        for row in Review.objects.filter(status="approved", user__isnull=False, rating__gte=4).values(
            "user_id", "product_id", "created_at"
        )
    ]
    ingredients = defaultdict(list)
    for pid, name in ProductIngredient.objects.values_list("product_id", "ingredient__name"):
        ingredients[pid].append(name)
    items = {
        p["pk"]: {
            "name": p["name"],
            "ingredients": ingredients.get(p["pk"], []),
            "concerns": p["concerns"] or [],
            "skin_types": p["skin_types"] or [],
            "category": p["category__slug"],
            "brand": p["brand__slug"],
            "price": p["price"],
            "text": f"{p['name']} {p['short_description']}",
        }
        for p in Product.objects.filter(status=ProductStatus.ACTIVE).values(
            "pk", "name", "concerns", "skin_types", "category__slug", "brand__slug", "price", "short_description"
        )
    }
    records = [r for r in records if r[1] in items]  # inactive products are not recommended
    users = {
        pk: {"skin_type": skin, "concerns": concerns or []}
        for pk, skin, concerns in get_user_model()
        .objects.filter(pk__in={r[0] for r in records})
        .values_list("pk", "skin_type", "skin_concerns")
    }
    return records, items, users


def _suits(features, skin):
    types = features.get("skin_types") or []
    return not types or not skin or "all" in types or skin in types


def _skin_ratings():
    """{(product, skin type): (average rating, count)} of approved reviews."""
    rows = (
        Review.objects.filter(status="approved")
        .exclude(skin_type_at_review="")
        .values("product_id", "skin_type_at_review")
        .annotate(avg=Avg("rating"), n=Count("id"))
    )
    return {(r["product_id"], r["skin_type_at_review"]): (r["avg"], r["n"]) for r in rows}


SKIN_WORDS = {"acne": "acne-prone", "combination": "combination", "dry": "dry", "normal": "normal",
              "oily": "oily", "sensitive": "sensitive"}  # fmt: skip


def _reason(component, *, item, user_items, model, items, skin, ratings):
    skin_word = SKIN_WORDS.get(skin, skin)
    if component in ("item_knn", "ease", "als", "content") and user_items:
        sim = model.components[
            "content" if component == "content" or "item_knn" not in model.components else "item_knn"
        ]
        matrix = sim.similarity
        column = model.item_index[item]
        anchor = max(user_items, key=lambda other: (matrix[model.item_index[other], column], -other))
        if matrix[model.item_index[anchor], column] > 0:
            if component == "content":
                return f"Similar to {items[anchor]['name']}, which you bought"
            return f"Because you bought {items[anchor]['name']}"
    rated = ratings.get((item, skin))
    if skin and rated and rated[1] >= 3 and rated[0] >= 4:
        return f"Rated {rated[0]:.1f} by {rated[1]} people with {skin_word} skin"
    if skin and component == "skin_type":
        return f"Popular with people with {skin_word} skin"
    if component == "trending":
        return "Trending in the shop"
    return "Popular in the shop"


def _varied(ranked, items, k):
    """At most PER_CATEGORY items of one category, keeping the order."""
    per, out = defaultdict(int), []
    for item, score in ranked:
        category = items[item]["category"]
        if per[category] < PER_CATEGORY:
            per[category] += 1
            out.append((item, score))
        if len(out) == k:
            break
    return out


def fit_hybrid(records, items, users):
    components = {name: cls(**params) for name, (cls, params) in COMPONENTS.items()}
    return HybridRecommender(components, WEIGHTS).fit(records, items, users)


def recommendations_precompute(*, progress, now=None):
    now = now or datetime.now(UTC)
    records, items, users = training_data()
    store = get_store()
    if not records:
        return JobResult(rows_read=0, rows_written=0)
    model = fit_hybrid(records, items, users)
    ratings = _skin_ratings()
    generated, expires = iso(now), now + LIFETIME
    keyed, batch = [], 200
    for start in range(0, len(model.users), batch):
        chunk = model.users[start : start + batch]
        positions = [model.user_index[u] for u in chunk]
        rows = model.X[positions]
        parts = {
            name: model.weights[name] * _normalise_rows(component._scores(rows, positions), rows)
            for name, component in model.components.items()
            if model.weights[name]
        }
        ranked = model.recommend(chunk, k=len(model.items))
        for n, user in enumerate(chunk):
            skin = users.get(user, {}).get("skin_type")
            allowed = [(i, s) for i, s in ranked[user] if _suits(items[i], skin)]
            chosen = _varied(allowed, items, TOP_K)
            entries = []
            for item, score in chosen:
                column = model.item_index[item]
                # the largest share of the blended score; on a tie the more personal reason
                component = max(parts, key=lambda name: (parts[name][n, column], -PERSONAL.index(name)))  # noqa: B023
                entries.append(
                    {
                        "product_id": item,
                        "score": score,
                        "reason": _reason(
                            component,
                            item=item,
                            user_items=sorted(model.seen.get(user, ())),
                            model=model,
                            items=items,
                            skin=skin,
                            ratings=ratings,
                        ),  # fmt: skip
                        "algorithm_used": ALGORITHM[component],
                        "generated_at": generated,
                    }
                )
            keyed.append(
                (
                    str(user),
                    {
                        "user_id": user,
                        "recommendation_type": "hybrid",
                        "recommended_products": entries,
                        "user_profile": {"skin_type": skin, "concerns": users.get(user, {}).get("concerns", [])},
                        "model_version": ALGORITHM_VERSION,
                        "created_at": generated,
                    },
                )
            )
        progress(min(start + batch, len(model.users)), len(model.users) + len(model.items))
    written = store.upsert_many("product_recommendations", keyed, expires_at=expires)
    written += _similarities(store, model, items, generated=generated, expires=expires)
    progress(len(model.users) + len(model.items), len(model.users) + len(model.items))
    return JobResult(rows_read=len(records), rows_written=written)


def _jaccard(a, b):
    a, b = set(a or ()), set(b or ())
    return round(len(a & b) / len(a | b), 4) if a | b else 0.0


def _similarities(store, model, items, *, generated, expires):
    """Content similarity (works for products nobody bought yet) with its factors."""
    content = model.components["content"]
    keyed = []
    for item in model.items:
        similar = []
        for other, _ in content.similar_items(item, k=SIMILAR_K):
            a, b = items[item], items[other]
            high = max(a["price"], b["price"])
            similar.append(
                {
                    "product_id": other,
                    "similarity_score": round(content.item_similarity(item, other), 6),
                    "similarity_factors": {
                        "category_match": 1.0 if a["category"] == b["category"] else 0.0,
                        "skin_type_match": _jaccard(a["skin_types"], b["skin_types"]),
                        "concern_overlap": _jaccard(a["concerns"], b["concerns"]),
                        "ingredient_similarity": _jaccard(a["ingredients"], b["ingredients"]),
                        "price_similarity": float(round(1 - abs(a["price"] - b["price"]) / high, 4)) if high else 1.0,
                    },
                }
            )
        keyed.append(
            (
                str(item),
                {
                    "product_id": item,
                    "similar_products": similar,
                    "computed_at": generated,
                    "algorithm_version": "content-1",
                },
            )
        )
    return store.upsert_many("product_similarities", keyed, expires_at=expires)
