"""Recommendations as shoppers and clients get them: read from the lists the nightly precompute
(and the per-user refresh) stored, then filtered for what changed since: products bought since
(except those due for a restock), hidden ("not interested"), containing an ingredient the
shopper avoids, inactive or sold out. At most ``PER_CATEGORY`` products of one category.

Each selector runs a constant number of queries (one store read, the products with their
primary image) whatever the list size. Live computations (bought together, feedback-based,
similarity of a product newer than the last run) are single aggregate queries or, for the
last, one fit of the content model over the catalogue."""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ml.models import AvoidedIngredient, HiddenRecommendation
from ml.recommendations import PER_CATEGORY, TOP_K
from ml.store import StoreError, get_store
from reviews.models import ContentStatus, Review
from shop.accounts.models import SkinType
from shop.catalog import selectors as catalog_selectors
from shop.catalog.models import Product, ProductIngredient
from shop.orders.models import OrderItem, OrderStatus

logger = logging.getLogger(__name__)

SIMILAR_K = 10
FEEDBACK_NEIGHBOURS = 50  # shoppers whose ratings agree most with yours
LIKED = 4  # a rating of 4 or 5 is a liking

SKIN_WORDS = {
    "acne": _("acne-prone"),
    "combination": _("combination"),
    "dry": _("dry"),
    "normal": _("normal"),
    "oily": _("oily"),
    "sensitive": _("sensitive"),
}
REASONS = {
    "because_bought": _("Because you bought %(name)s"),
    "similar_to_bought": _("Similar to %(name)s, which you bought"),
    "rated_by_skin": _("Rated %(rating)s by %(count)s people with %(skin_word)s skin"),
    "popular_skin": _("Popular with people with %(skin_word)s skin"),
    "trending": _("Trending in the shop"),
    "trending_skin": _("Trending with people with %(skin_word)s skin"),
    "popular": _("Popular in the shop"),
    "running_low": _("Running low? You bought %(name)s %(days)s days ago"),
    "similar_to": _("Similar to %(name)s"),
    "bought_together": _("Bought together with %(name)s by %(count)s shoppers"),
    "concerns_match": _("For %(concerns)s, suits %(skin_word)s skin"),
    "liked_by_similar": _("Liked by %(count)s shoppers who rate products the way you do"),
    "suits_skin": _("Suits %(skin_word)s skin"),
}
ALGORITHMS = ("collaborative_filtering", "content_based", "skin_analysis", "trending", "popularity", "repurchase",
              "feedback_similarity", "co_purchase")  # fmt: skip


def reason_text(entry):
    """The entry's reason in the active language (the stored English text when the code is unknown)."""
    template = REASONS.get(entry.get("reason_code"))
    if template is None:
        return entry.get("reason", "")
    params = dict(entry.get("reason_params") or {})
    params["skin_word"] = SKIN_WORDS.get(params.get("skin"), params.get("skin", ""))
    if isinstance(params.get("concerns"), list):
        params["concerns"] = ", ".join(_concern_label(c) for c in params["concerns"])
    return str(template) % params


def _concern_label(value):
    from shop.accounts.models import SkinConcern

    try:
        return str(SkinConcern(value).label).lower()
    except ValueError:
        return value.replace("_", " ")


@dataclass
class Recommended:
    product: object  # a Product loaded by catalog_selectors.product_list_queryset()
    score: float
    algorithm: str
    reason: str


def _stored(collection, key):
    """The stored list, or None when there is none — or when the store does not answer: a shopper then
    gets what can be computed without it (cold start, on-the-spot similarity), never an error page."""
    try:
        return get_store().get(collection, key)
    except StoreError:
        logger.warning("analytics store unavailable; serving %s %s without it", collection, key, exc_info=True)
        return None


def _bought(user):
    return OrderItem.objects.filter(order__user=user).exclude(order__status=OrderStatus.CANCELLED).values("product_id")


def _candidates(user):
    """Active products with what the list output needs, minus what this shopper hid or avoids."""
    queryset = catalog_selectors.product_list_queryset()
    if user is not None and user.is_authenticated:
        queryset = queryset.exclude(pk__in=HiddenRecommendation.objects.filter(user=user).values("product_id")).exclude(
            pk__in=ProductIngredient.objects.filter(
                ingredient_id__in=AvoidedIngredient.objects.filter(user=user).values("ingredient_id")
            ).values("product_id")
        )
    return queryset


def _materialise(entries, queryset):
    """[(entry, product)] in the entries' order, for the products the queryset keeps in stock."""
    ids = [entry["product_id"] for entry in entries]
    products = {product.pk: product for product in queryset.filter(pk__in=ids)}
    return [
        (e, products[e["product_id"]])
        for e in entries
        if e["product_id"] in products and products[e["product_id"]].in_stock
    ]


def _varied(pairs, limit):
    per, out = defaultdict(int), []
    for entry, product in pairs:
        if per[product.category_id] >= PER_CATEGORY:
            continue
        per[product.category_id] += 1
        out.append(
            Recommended(
                product=product,
                score=round(min(1.0, max(0.0, float(entry["score"]))), 4),
                algorithm=entry["algorithm_used"],
                reason=reason_text(entry),
            )
        )
        if len(out) == limit:
            break
    return out


def _entries(document):
    return list((document or {}).get("recommended_products") or ())


def recommendations_for_user(*, user, limit=TOP_K):
    """The shopper's stored list; a shopper without one (no purchases or liked reviews before
    the last run) gets the cold-start list of their skin type re-ranked by their concerns."""
    document = _stored("product_recommendations", str(user.pk))
    if document is None:
        return recommendations_for_skin(
            skin_type=user.skin_type,
            concerns=list(user.skin_concerns or ()),
            sensitive=user.skin_type == SkinType.SENSITIVE,
            user=user,
            limit=limit,
        )
    entries = _entries(document)
    restock = [e["product_id"] for e in entries if e.get("algorithm_used") == "repurchase"]
    queryset = _candidates(user).exclude(Q(pk__in=_bought(user)) & ~Q(pk__in=restock))
    return _varied(_materialise(entries, queryset), limit)


def recommendations_for_skin(*, skin_type, concerns=(), sensitive=False, user=None, limit=TOP_K):
    """Skin-type list re-ranked by the concerns: score = ½ skin-type score + ½ the share of the
    shopper's concerns the product targets; ``sensitive`` keeps products made for sensitive skin."""
    entries = _entries(_stored("product_recommendations", f"skin:{skin_type}"))
    queryset = _candidates(user)
    if user is not None and user.is_authenticated:
        queryset = queryset.exclude(pk__in=_bought(user))
    pairs = _materialise(entries, queryset)
    if sensitive:
        pairs = [(e, p) for e, p in pairs if p.suitable_for_sensitive_skin or "sensitive" in (p.skin_types or ())]
    concerns = list(dict.fromkeys(concerns))
    if concerns:
        reranked = []
        for position, (entry, product) in enumerate(pairs):
            matched = [c for c in concerns if c in (product.concerns or ())]
            score = 0.5 * float(entry["score"]) + 0.5 * len(matched) / len(concerns)
            entry = {**entry, "score": score}
            if matched and entry.get("reason_code") != "rated_by_skin":
                entry.update(reason_code="concerns_match", reason_params={"concerns": matched, "skin": skin_type})
            reranked.append((-score, position, entry, product))
        reranked.sort(key=lambda row: row[:2])
        pairs = [(entry, product) for _, _, entry, product in reranked]
    return _varied(pairs, limit)


def recommendations_popular(*, skin_type=None, user=None, limit=TOP_K):
    key = f"skin:{skin_type}" if skin_type else "popular"
    return _varied(_materialise(_entries(_stored("product_recommendations", key)), _candidates(user)), limit)


def recommendations_trending(*, skin_type, user=None, limit=TOP_K):
    entries = _entries(_stored("product_recommendations", f"trending:{skin_type}"))
    return _varied(_materialise(entries, _candidates(user)), limit)


def recommendations_similar(*, product_id, user=None, limit=SIMILAR_K, product_name=None):
    """Content-similar products: stored nightly; for a product newer than the last run the API
    computes them on the spot. A page passes ``product_name`` (it has loaded the product) and
    gets only the stored list, so it runs the same queries for every product. 404 for an
    unknown or inactive product."""
    compute_missing = product_name is None
    if product_name is None:
        product_name = catalog_selectors.product_active_get(product_id=product_id).name
    document = _stored("product_similarities", str(product_id))
    if document is not None:
        similar = [(row["product_id"], row["similarity_score"]) for row in document.get("similar_products") or ()]
    else:
        similar = _similar_now(product_id) if compute_missing else []
    entries = [
        {
            "product_id": other,
            "score": score,
            "algorithm_used": "content_based",
            "reason_code": "similar_to",
            "reason_params": {"name": product_name},
        }
        for other, score in similar
        if other != product_id
    ]
    return _varied(_materialise(entries, _candidates(user)), limit)


# On-the-spot similar lists (products newer than the nightly run) are kept this long: each costs a fit of
# the content model over the whole catalogue, which a request must not pay every time.
SIMILAR_NOW_SECONDS = 600


def _similar_now(product_id):
    from ml.recommendations import SIMILAR_K as STORED_K
    from ml.recommendations import item_features
    from ml.recommender import ContentRecommender

    key = f"ml:similar-now:{product_id}"
    cached = cache.get(key)
    if cached is not None:
        return [tuple(row) for row in cached]
    items = item_features()  # the content model reads product features only, never orders or users
    if product_id not in items:
        return []
    model = ContentRecommender().fit([], items)
    similar = [
        (other, round(model.item_similarity(product_id, other), 6))
        for other, _ in model.similar_items(product_id, k=STORED_K)
    ]
    cache.set(key, similar, SIMILAR_NOW_SECONDS)
    return similar


def bought_together(*, product_ids, user=None, limit=SIMILAR_K):
    """Products most often in the same order as any of ``product_ids`` (orders that went through
    or are on their way), each with how many orders had both."""
    product_ids = list(product_ids)
    if not product_ids:
        return []
    orders = OrderItem.objects.filter(product_id__in=product_ids).exclude(order__status=OrderStatus.CANCELLED)
    rows = list(
        OrderItem.objects.filter(order_id__in=orders.values("order_id"))
        .exclude(product_id__in=product_ids)
        .values("product_id")
        .annotate(orders=Count("order_id", distinct=True))
        .order_by("-orders", "product_id")[: limit * 3]
    )
    if not rows:
        return []
    top = rows[0]["orders"]
    anchor = Product.objects.filter(pk=product_ids[0]).values_list("name", flat=True).first() or ""
    entries = [
        {
            "product_id": row["product_id"],
            "score": row["orders"] / top,
            "algorithm_used": "co_purchase",
            "reason_code": "bought_together",
            "reason_params": {"name": anchor, "count": row["orders"]},
        }
        for row in rows
    ]
    queryset = _candidates(user)
    if user is not None and user.is_authenticated:
        queryset = queryset.exclude(pk__in=_bought(user))
    return _varied(_materialise(entries, queryset), limit)


def recommendations_feedback_based(*, user, limit=TOP_K):
    """Products liked (4-5 stars) by the shoppers whose ratings agree most with yours.

    Agreement with a shopper: the number of products you both rated within one star of each
    other; their liked products you have not bought or rated are scored by the summed
    agreement of the shoppers who liked them."""
    mine = dict(Review.objects.filter(user=user, status=ContentStatus.APPROVED).values_list("product_id", "rating"))
    if not mine:
        return []
    theirs = Review.objects.filter(status=ContentStatus.APPROVED, product_id__in=list(mine)).exclude(user=user)
    agreement = defaultdict(int)
    for other, product_id, rating in theirs.values_list("user_id", "product_id", "rating"):
        if other is not None and abs(rating - mine[product_id]) <= 1:
            agreement[other] += 1
    neighbours = dict(sorted(agreement.items(), key=lambda kv: (-kv[1], kv[0]))[:FEEDBACK_NEIGHBOURS])
    if not neighbours:
        return []
    scores, likers = defaultdict(float), defaultdict(int)
    liked = Review.objects.filter(
        status=ContentStatus.APPROVED, user_id__in=list(neighbours), rating__gte=LIKED
    ).exclude(product_id__in=list(mine))
    for other, product_id in liked.values_list("user_id", "product_id"):
        scores[product_id] += neighbours[other]
        likers[product_id] += 1
    if not scores:
        return []
    top = max(scores.values())
    entries = [
        {
            "product_id": product_id,
            "score": score / top,
            "algorithm_used": "feedback_similarity",
            "reason_code": "liked_by_similar",
            "reason_params": {"count": likers[product_id]},
        }
        for product_id, score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[: limit * 3]
    ]
    queryset = _candidates(user).exclude(pk__in=_bought(user))
    return _varied(_materialise(entries, queryset), limit)
