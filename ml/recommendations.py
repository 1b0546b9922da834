"""Nightly precompute of ``product_recommendations`` (per user) and ``product_similarities``
(per product) with the ``ml.recommender`` engine, each item with a score in 0-1, the algorithm
that put it there and a reason a person understands.

Training data (also what ``benchmarks/recommendations.py`` evaluates on): order lines of
confirmed / processing / shipped / delivered orders of registered users, and approved reviews
rated 4 or 5; item features from the catalog; the account's skin type.

Removed from a user's list: what the user bought, except a product that is due for a restock
(``repurchase_due``), and products whose skin types exclude the user's. Variety: at most
``PER_CATEGORY`` products of one category per list. Hidden products, ingredients to avoid and
what was bought since the run are removed when the list is served (``ml.serving``).

Besides one list per user, the run stores the lists cold-start shoppers and the public
endpoints are served from: ``skin:<skin type>`` (skin-type affinity), ``trending:<skin type>``
(time-decayed popularity among shoppers of that skin type) and ``popular``. Between runs,
``recommendations_users_refresh`` rebuilds the lists of shoppers after their purchases or reviews."""

import json
import logging
import os
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Avg, Count

from ml.etl.common import PURCHASED
from ml.etl.runner import JobResult
from ml.recommender import (
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
from shop.accounts.models import SkinType
from shop.catalog.models import Product, ProductIngredient, ProductStatus
from shop.orders.models import OrderItem

logger = logging.getLogger(__name__)

TOP_K = 20
PER_CATEGORY = 4
SIMILAR_K = 10
COLD_K = 50  # the shared lists: enough for the concern re-ranking and the routine builder
RESTOCK_K = 2  # at most this many "running low" products lead a user's list
MIN_REPURCHASE_INTERVALS = 3
LIFETIME = timedelta(days=2)  # nightly, with a day of slack if a run fails
ALGORITHM_VERSION = "hybrid-1"
# Components and weights: the hybrid as tuned on the validation split of the time hold-out by
# benchmarks/recommendations.py --seed 0 on the scale-1 demo (docs/ml.md has the measured table).
# ALS got weight 0 there and is left out (it is the slowest to fit); content similarity also got
# weight 0 but stays, with weight 0, for the "similar to what you bought" reasons.
COMPONENTS = {
    "item_knn": (ItemKNNRecommender, {"neighbours": 100, "shrink": 10.0}),
    "ease": (EASERecommender, {"l2": 100.0}),
    "content": (ContentRecommender, {}),
    "skin_type": (SkinTypeRecommender, {"concern_weight": 0.0}),
    "trending": (TrendingRecommender, {"half_life_days": 7.0}),
}
WEIGHTS = {"item_knn": 0.2, "ease": 0.2, "content": 0.0, "skin_type": 0.2, "trending": 0.4}
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


def item_features():
    """{product id: content features} of every active product (what the content model reads)."""
    ingredients = defaultdict(list)
    for pid, name in ProductIngredient.objects.values_list("product_id", "ingredient__name"):
        ingredients[pid].append(name)
    return {
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
    items = item_features()
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


REASON_TEXT = {
    "because_bought": "Because you bought {name}",
    "similar_to_bought": "Similar to {name}, which you bought",
    "rated_by_skin": "Rated {rating} by {count} people with {skin_word} skin",
    "popular_skin": "Popular with people with {skin_word} skin",
    "trending": "Trending in the shop",
    "trending_skin": "Trending with people with {skin_word} skin",
    "popular": "Popular in the shop",
    "running_low": "Running low? You bought {name} {days} days ago",
}


def reason_entry(code, **params):
    """``reason`` (English, as stored) plus ``reason_code`` / ``reason_params``, which the
    serving layer turns into the shopper's language."""
    words = {"skin_word": SKIN_WORDS.get(params.get("skin"), params.get("skin"))}
    return {"reason": REASON_TEXT[code].format(**params, **words), "reason_code": code, "reason_params": params}


def _rated(item, skin, ratings):
    rated = ratings.get((item, skin))
    if skin and rated and rated[1] >= 3 and rated[0] >= 4:
        return reason_entry("rated_by_skin", rating=f"{rated[0]:.1f}", count=rated[1], skin=skin)
    return None


GENERAL = ("trending", "popularity")  # say nothing about the shopper


def _explaining(parts, row, column):
    """The component that explains an item: the one with the largest share of its blended score
    (on a tie the more personal one), unless that is a general one (trending, popularity) and a
    personal component contributes at least half as much — then that personal one, since "because
    you bought X" or "rated 4.7 by people with oily skin" tells the shopper more than "trending"."""
    ordered = sorted(parts, key=lambda name: (-parts[name][row, column], PERSONAL.index(name)))
    top = ordered[0]
    if top in GENERAL:
        personal = next((name for name in ordered if name not in GENERAL), None)
        if personal is not None and parts[personal][row, column] >= 0.5 * parts[top][row, column] > 0:
            return personal
    return top


def _reason(component, *, item, user_items, model, items, skin, ratings):
    if component in ("item_knn", "ease", "als", "content") and user_items:
        sim = model.components[
            "content" if component == "content" or "item_knn" not in model.components else "item_knn"
        ]
        matrix = sim.similarity
        column = model.item_index[item]
        anchor = max(user_items, key=lambda other: (matrix[model.item_index[other], column], -other))
        if matrix[model.item_index[anchor], column] > 0:
            if component == "content":
                return reason_entry("similar_to_bought", name=items[anchor]["name"])
            return reason_entry("because_bought", name=items[anchor]["name"])
    rated = _rated(item, skin, ratings)
    if rated:
        return rated
    if skin and component == "skin_type":
        return reason_entry("popular_skin", skin=skin)
    if component == "trending":
        return reason_entry("trending")
    return reason_entry("popular")


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


def fit_hybrid(records, items, users, *, without=()):
    components = {name: cls(**params) for name, (cls, params) in COMPONENTS.items() if name not in without}
    return HybridRecommender(components, {name: WEIGHTS[name] for name in components}).fit(records, items, users)


def repurchase_due(*, now, items):
    """{user: [(product, days since the last purchase)]} of products due for a restock.

    A product is due when the time since the user last bought it is at least the median time
    between two purchases of the same product by the same shopper, measured per product type
    over the whole shop (types with fewer than ``MIN_REPURCHASE_INTERVALS`` such gaps get none).
    """
    rows = OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False).values_list(
        "order__user_id", "product_id", "product__product_type", "order__created_at"
    )
    bought, kind = _purchases(rows)
    return _due(bought, kind, _repurchase_medians(bought, kind), now=now, items=items)


def _purchases(rows):
    bought, kind = defaultdict(list), {}
    for user, product, product_type, created in rows:
        bought[(user, product)].append(created)
        kind[product] = product_type
    return bought, kind


def _repurchase_medians(bought, kind):
    """{product type: median days between two purchases of one product by one shopper}."""
    gaps = defaultdict(list)
    for (_user, product), dates in bought.items():
        dates = sorted(dates)
        gaps[kind[product]] += [
            (b - a).total_seconds() / 86400
            for a, b in zip(dates, dates[1:], strict=False)
            if b - a >= timedelta(days=1)
        ]
    return {t: statistics.median(g) for t, g in gaps.items() if len(g) >= MIN_REPURCHASE_INTERVALS}


def _due(bought, kind, medians, *, now, items):
    due = defaultdict(list)
    for (user, product), dates in bought.items():
        days = (now - max(dates)).total_seconds() / 86400
        if product in items and kind[product] in medians and days >= medians[kind[product]]:
            due[user].append((product, int(days)))
    return {user: sorted(found, key=lambda pair: (-pair[1], pair[0]))[:RESTOCK_K] for user, found in due.items()}


def _user_documents(model, chunk, *, users, items, ratings, generated, due):
    """One ``product_recommendations`` document per user of ``chunk`` (users the model knows)."""
    positions = [model.user_index[u] for u in chunk]
    rows = model.X[positions]
    parts = {
        name: model.weights[name] * _normalise_rows(component._scores(rows, positions), rows)
        for name, component in model.components.items()
        if model.weights[name]
    }
    ranked = model.ranked(chunk)  # read lazily below: only the best-ranked items are sorted
    keyed = []
    for n, user in enumerate(chunk):
        skin = users.get(user, {}).get("skin_type")
        entries = [
            {
                "product_id": item,
                "score": 1.0,
                **reason_entry("running_low", name=items[item]["name"], days=days),
                "algorithm_used": "repurchase",
                "generated_at": generated,
            }
            for item, days in due.get(user, ())
        ]
        # Lazily: ``_varied`` stops at the list's length, so only the best-ranked items are checked, not all.
        allowed = ((i, s) for i, s in ranked[user] if _suits(items[i], skin))
        user_items = sorted(i for i in model.seen.get(user, ()) if i in model.item_index)
        for item, score in _varied(allowed, items, TOP_K - len(entries)):
            column = model.item_index[item]
            component = _explaining(parts, n, column)
            reason = _reason(
                component,
                item=item,
                user_items=user_items,
                model=model,
                items=items,
                skin=skin,
                ratings=ratings,
            )
            entries.append(
                {
                    "product_id": item,
                    "score": score,
                    **reason,
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
    return keyed


def _list_document(kind, ranked, *, reason, algorithm, generated, skin=None):
    entries = [
        {"product_id": item, "score": score, **reason(item), "algorithm_used": algorithm, "generated_at": generated}
        for item, score in ranked
    ]
    return {
        "user_id": None,
        "recommendation_type": kind,
        "recommended_products": entries,
        "user_profile": {"skin_type": skin, "concerns": []},
        "model_version": ALGORITHM_VERSION,
        "created_at": generated,
    }


def _shared_documents(model, records, items, users, *, ratings, generated):
    """``skin:<type>``, ``trending:<type>`` and ``popular``: the lists for shoppers without
    history and for the public endpoints."""
    keyed = []
    skin_model = model.components["skin_type"]
    for skin in SkinType.values:

        def skin_reason(item, skin=skin):
            return _rated(item, skin, ratings) or reason_entry("popular_skin", skin=skin)

        ranked = skin_model._top(skin_model.cold_start_scores(skin), len(model.items), set())
        chosen = [(i, s) for i, s in ranked if s > 0 and _suits(items[i], skin)][:COLD_K]
        keyed.append(
            (
                f"skin:{skin}",
                _list_document(
                    "skin_based",
                    chosen,
                    reason=lambda item, skin=skin: (
                        _rated(item, skin, ratings) or reason_entry("popular_skin", skin=skin)
                    ),
                    algorithm="skin_analysis",
                    generated=generated,
                    skin=skin,
                ),
            )
        )
        subset = [r for r in records if users.get(r[0], {}).get("skin_type") == skin]
        chosen = []
        if subset:
            trend = TrendingRecommender(**COMPONENTS["trending"][1]).fit(subset, items)
            ranked = trend._top(trend.trend, len(trend.items), set())
            chosen = [(i, s) for i, s in ranked if s > 0 and _suits(items[i], skin)][:COLD_K]
        keyed.append(
            (
                f"trending:{skin}",
                _list_document(
                    "trending",
                    chosen,
                    reason=lambda item, skin=skin: reason_entry("trending_skin", skin=skin),
                    algorithm="trending",
                    generated=generated,
                    skin=skin,
                ),
            )
        )
    ranked = [(i, s) for i, s in model._top(model.popularity, len(model.items), set()) if s > 0][:COLD_K]
    keyed.append(
        (
            "popular",
            _list_document(
                "popularity",
                ranked,
                reason=lambda item: reason_entry("popular"),
                algorithm="popularity",
                generated=generated,
            ),  # fmt: skip
        )
    )
    return keyed


def recommendations_precompute(*, progress, now=None):
    now = now or datetime.now(UTC)
    records, items, users = training_data()
    store = get_store()
    if not records:
        return JobResult(rows_read=0, rows_written=0)
    model = fit_hybrid(records, items, users)
    ratings = _skin_ratings()
    bought, kind = _purchases(
        OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False).values_list(
            "order__user_id", "product_id", "product__product_type", "order__created_at"
        )
    )
    medians = _repurchase_medians(bought, kind)
    due = _due(bought, kind, medians, now=now, items=items)
    snapshot_save(model, items=items, ratings=ratings, medians=medians, fitted_at=now)
    generated, expires = iso(now), now + LIFETIME
    keyed, batch = [], 200
    for start in range(0, len(model.users), batch):
        chunk = model.users[start : start + batch]
        keyed += _user_documents(
            model, chunk, users=users, items=items, ratings=ratings, generated=generated, due=due
        )  # fmt: skip
        progress(min(start + batch, len(model.users)), len(model.users) + len(model.items))
    keyed += _shared_documents(model, records, items, users, ratings=ratings, generated=generated)
    written = store.upsert_many("product_recommendations", keyed, expires_at=expires)
    written += _similarities(store, model, items, generated=generated, expires=expires)
    progress(len(model.users) + len(model.items), len(model.users) + len(model.items))
    return JobResult(rows_read=len(records), rows_written=written)


REFRESH_CHUNK = 200  # users scored together (as the nightly run's chunks): bounded memory per batch


def recommendations_users_refresh(*, user_ids, now=None):
    """Rebuild the lists of ``user_ids`` (after their purchases or reviews) from their current history;
    returns the ids whose list was written.

    Scores the users' current purchases and 4-5 star reviews against the model the last nightly run
    fitted (``snapshot_load``): per chunk of ``REFRESH_CHUNK`` users, three queries, one scoring pass and
    one write, whatever the size of the shop. Each user's list is the one a refresh of that user alone
    writes: the engine scores each row on its own. Without a usable snapshot (none yet, another
    algorithm version, unreadable) it fits the hybrid on all the shop's data as the nightly run does
    and saves that fit as the snapshot, so only the first refresh pays for it. A user without purchases
    or 4-5 star reviews of active products gets no list: they are served the cold-start list of their
    skin type instead."""
    now = now or datetime.now(UTC)
    ids = sorted(set(user_ids))
    written = set()
    for start in range(0, len(ids), REFRESH_CHUNK):
        chunk = ids[start : start + REFRESH_CHUNK]
        try:
            written |= _refresh_chunk(chunk, now=now)
        except Exception:
            if len(chunk) == 1:
                raise
            logger.exception("Recommendation refresh of %s users failed; refreshing them one at a time", len(chunk))
            written |= _refresh_one_at_a_time(chunk, now=now)
    return written


def _refresh_chunk(user_ids, *, now):
    snapshot = snapshot_load()
    return _refresh_scored(user_ids, snapshot, now=now) if snapshot else _refresh_refitted(user_ids, now=now)


def _refresh_one_at_a_time(user_ids, *, now):
    """A failed chunk again, user by user: one shopper whose refresh raises does not hold back the others'
    lists (it is logged). When every user fails, the last error is raised: an outage, for the task to retry."""
    written, failed = set(), []
    for user_id in user_ids:
        try:
            written |= _refresh_chunk([user_id], now=now)
        except Exception as exc:  # noqa: BLE001 - logged; raised below when nobody could be refreshed
            logger.exception("Recommendation refresh of user %s failed", user_id)
            failed.append(exc)
    if len(failed) == len(user_ids):
        raise failed[-1]
    return written


def recommendations_user_refresh(*, user_id, now=None):
    """One user's list (``recommendations_users_refresh``); whether it was written."""
    return user_id in recommendations_users_refresh(user_ids=[user_id], now=now)


def _refresh_scored(user_ids, snapshot, *, now):
    purchases = list(
        OrderItem.objects.filter(
            order__user_id__in=user_ids, order__status__in=PURCHASED, product__status=ProductStatus.ACTIVE
        ).values_list("order__user_id", "product_id", "product__product_type", "order__created_at")
    )
    reviewed = Review.objects.filter(
        user_id__in=user_ids, status="approved", rating__gte=4, product__status=ProductStatus.ACTIVE
    ).values_list("user_id", "product_id")
    rows = defaultdict(lambda: defaultdict(float))
    for user, product in [(u, p) for u, p, _, _ in purchases] + list(reviewed):
        rows[user][product] += 1.0  # as training_data: one interaction per order line and per review
    if not rows:
        return set()
    users = {
        pk: {"skin_type": skin, "concerns": concerns or []}
        for pk, skin, concerns in get_user_model()
        .objects.filter(pk__in=list(rows))
        .values_list("pk", "skin_type", "skin_concerns")
    }
    items = snapshot["items"]
    model = HybridRecommender.for_rows(
        snapshot["state"], rows={user: dict(row) for user, row in rows.items()}, user_features=users
    )
    bought, kind = _purchases(purchases)
    keyed = _user_documents(
        model,
        sorted(rows),
        users=users,
        items=items,
        ratings=snapshot["ratings"],
        generated=iso(now),
        due=_due(bought, kind, snapshot["medians"], now=now, items=items),
    )
    return _write_refreshed(keyed, now=now)


def _refresh_refitted(user_ids, *, now):
    """The refresh without a snapshot: a fit on all the shop's data (seconds at the demo scale)."""
    records, items, users = training_data()
    known = sorted({r[0] for r in records}.intersection(user_ids))
    if not known:
        return set()
    model = fit_hybrid(records, items, users, without=("als",))
    ratings = _skin_ratings()
    bought, kind = _purchases(
        OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False).values_list(
            "order__user_id", "product_id", "product__product_type", "order__created_at"
        )
    )
    medians = _repurchase_medians(bought, kind)
    snapshot_save(model, items=items, ratings=ratings, medians=medians, fitted_at=now)
    keyed = _user_documents(
        model,
        known,
        users=users,
        items=items,
        ratings=ratings,
        generated=iso(now),
        due=_due(bought, kind, medians, now=now, items=items),
    )
    return _write_refreshed(keyed, now=now)


def _write_refreshed(keyed, *, now):
    for _, document in keyed:
        document["model_version"] = f"{ALGORITHM_VERSION}-refresh"
    get_store().upsert_many("product_recommendations", keyed, expires_at=now + LIFETIME)
    return {document["user_id"] for _, document in keyed}


# --- the fitted model between the nightly run and the refreshes ---------------------------
# A directory per fit under ``settings.ML_MODEL_DIR``: ``meta.json`` (item order, the item
# features the lists use, blend weights and parameters, skin-type ratings, repurchase medians)
# and one ``.npy`` per array, read memory-mapped so a refresh touches only the rows of the items
# the user has. ``current-<version>`` names the directory in use and is replaced atomically.
SNAPSHOT_FORMAT = 1
SNAPSHOT_SETTLE_SECONDS = 600
ITEM_FIELDS = ("name", "category", "skin_types")


def _snapshot_root():
    return Path(getattr(settings, "ML_MODEL_DIR", None) or Path(tempfile.gettempdir()) / "skincare-ml-models")


def _pointer(root):
    return root / f"current-{ALGORITHM_VERSION}"


def snapshot_save(model, *, items, ratings, medians, fitted_at):
    """Save what ``recommendations_users_refresh`` scores against; returns the folder, or None
    (logged) when it cannot be written: the lists are written all the same, and refreshes fit
    on all the data until a save succeeds."""
    try:
        return _snapshot_write(model, items=items, ratings=ratings, medians=medians, fitted_at=fitted_at)
    except OSError:
        logger.warning("recommendations: cannot save the fitted model under %s", _snapshot_root(), exc_info=True)
        return None


def _snapshot_write(model, *, items, ratings, medians, fitted_at):
    root = _snapshot_root()
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{ALGORITHM_VERSION}-{fitted_at:%Y%m%dT%H%M%S}-", dir=root))
    state = model.fitted_state()
    arrays = {"popularity": state["popularity"]}
    arrays.update({f"skin_popularity.{skin}": values for skin, values in state["skin_popularity"].items()})
    plain = {}
    for name, attrs in state["components"].items():
        for attr, value in attrs.items():
            if isinstance(value, np.ndarray):
                arrays[f"{name}.{attr}"] = value
            else:  # skin_type's item concerns: a list of sets
                plain[f"{name}.{attr}"] = [sorted(v) for v in value]
    for key, value in arrays.items():
        np.save(folder / f"{key}.npy", np.ascontiguousarray(value))
    meta = {
        "format": SNAPSHOT_FORMAT,
        "algorithm_version": ALGORITHM_VERSION,
        "fitted_at": iso(fitted_at),
        "items": state["items"],
        "item_features": {str(i): {f: items[i].get(f) for f in ITEM_FIELDS} for i in state["items"] if i in items},
        "weights": state["weights"],
        "params": state["params"],
        "components": {name: sorted(attrs) for name, attrs in state["components"].items()},
        "arrays": sorted(arrays),
        "plain": plain,
        "ratings": [[product, skin, float(avg), n] for (product, skin), (avg, n) in sorted(ratings.items())],
        "medians": medians,
    }
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    pointer, previous = _pointer(root), _current_folder(root)
    staged = root / f".{pointer.name}.{os.getpid()}"
    staged.write_text(folder.name, encoding="utf-8")
    os.replace(staged, pointer)
    settled = time.time() - SNAPSHOT_SETTLE_SECONDS  # never a folder a parallel save is writing
    for old in root.glob(f"{ALGORITHM_VERSION}-*"):  # keep the new fit and the one before
        if old.is_dir() and old.name not in (folder.name, previous) and old.stat().st_mtime < settled:
            shutil.rmtree(old, ignore_errors=True)
    return folder


def _current_folder(root):
    try:
        return _pointer(root).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


# The snapshot this process read last, by its folder: a fit's folder is written in full before
# ``current-<version>`` names it and is never written again, so the same name means the same fit.
_loaded = {}


def snapshot_load():
    """The last saved fit as ``{"state", "items", "ratings", "medians", "fitted_at"}``, or None
    when there is none for this algorithm version or it cannot be read.

    The pointer is read every time, so a new fit is used from the next call on; the fit it names is
    read once per process (``meta.json`` parsed, its dictionaries built) and shared by the refreshes
    that follow, which only read it."""
    root = _snapshot_root()
    name = _current_folder(root)
    if not name:
        return None
    key = (str(root / name), ALGORITHM_VERSION)
    snapshot = _loaded.get(key)
    if snapshot is None:
        snapshot = _snapshot_read(root / name)
        if snapshot is not None:
            _loaded.clear()  # one fit kept: the one in use
            _loaded[key] = snapshot
    return snapshot


def _snapshot_read(folder):
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != SNAPSHOT_FORMAT or meta.get("algorithm_version") != ALGORITHM_VERSION:
            return None
        arrays = {key: np.load(folder / f"{key}.npy", mmap_mode="r") for key in meta["arrays"]}
    except (OSError, ValueError, KeyError):
        return None
    components = {}
    for component, attrs in meta["components"].items():
        components[component] = {
            attr: arrays[f"{component}.{attr}"]
            if f"{component}.{attr}" in arrays
            else [set(v) for v in meta["plain"][f"{component}.{attr}"]]
            for attr in attrs
        }
    skin_popularity = {
        key.split(".", 1)[1]: values for key, values in arrays.items() if key.startswith("skin_popularity.")
    }
    state = {
        "items": meta["items"],
        "popularity": arrays["popularity"],
        "skin_popularity": skin_popularity,
        "weights": meta["weights"],
        "params": meta["params"],
        "components": components,
    }
    return {
        "state": state,
        "items": {int(pk): features for pk, features in meta["item_features"].items()},
        "ratings": {(product, skin): (avg, n) for product, skin, avg, n in meta["ratings"]},
        "medians": meta["medians"],
        "fitted_at": meta["fitted_at"],
    }


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
