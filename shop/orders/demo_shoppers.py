"""How demo shoppers choose, like and buy again: the behaviour the demo orders (``shop.orders.demo``)
and reviews (``reviews.demo``) share, so that what people buy, how they rate it and whether they
come back for more tell one consistent story (the structure recommenders and predictions learn).

- **Fit**: a product fits a shopper when its skin types include the shopper's (or "all"), its
  concerns overlap the shopper's, and it holds nothing that skin dislikes (strong actives on
  sensitive skin, rich butters on oily / acne-prone skin, drying clays and peroxides on dry skin).
- **Satisfaction**: the star rating a shopper gives a product is drawn once per (shopper, product)
  from the fit level and the product's own quality (``demo_rating``); the reviews step writes
  exactly that rating and the orders step uses it to decide whether the shopper buys it again.
- **Choice**: shoppers pick among products suiting their skin type, weighted by fit, a per-product
  appeal (a few products are much more popular than most, as in real shops) and one or two
  favourite brands (brand loyalty).
- **Routines**: most shoppers build a routine in sequence (cleanser → serum → moisturiser →
  sunscreen), one or two steps per order, a couple of weeks apart.
- **Repurchase**: a consumable runs out ``size × quantity ÷ daily use`` days after delivery (the
  rule of ``shop.orders.replenishment``); a satisfied shopper (4–5 stars) usually buys it again a
  few days before that, a dissatisfied one almost never does and tries another product of the same
  type instead.

Plain functions of stable keys (e-mails, SKUs), so reruns make the same choices. No reviews import.
"""

import math
import random
from dataclasses import dataclass

STRONG_ACTIVES = {"Retinol", "Glycolic acid", "Salicylic acid", "Benzoyl peroxide", "Sulfur"}
RICH = {"Shea butter"}
DRYING = {"Kaolin clay", "Benzoyl peroxide", "Sulfur"}

ROUTINE = ("cleanser", "serum", "moisturizer", "sunscreen")
ROUTINE_SHARE = 0.65  # shoppers who build a routine step by step; the others buy what catches their eye
REPURCHASE_IF_SATISFIED = 0.75
REPURCHASE_IF_DISSATISFIED = 0.03
REPLACE_IF_DISSATISFIED = 0.6  # try another product of the same type
BUY_AHEAD_DAYS = (-6, 2)  # reorder between six days before and two days after the run-out date
DELIVERY_DAYS = 3
BRAND_LOYALTY = 8.0  # how much more likely a favourite brand's product is chosen
BROWSES = [0, 1, 1, 2, 3]  # products bought outside the routine, per shopper (drawn)

RATING_WEIGHTS = {  # 5..1 stars
    "great": [55, 32, 9, 3, 1],
    "ok": [18, 36, 30, 11, 5],
    "poor": [3, 9, 24, 34, 30],
}
CHOICE_WEIGHT = {"great": 6.0, "ok": 2.0, "poor": 0.4}


@dataclass(frozen=True)
class Fit:
    level: str  # "great" (type and concerns match), "ok" (type only), "poor" (wrong type or a clash)
    suits_type: bool
    matched: tuple  # the shopper's concerns the product addresses
    clash: str  # "strong_active", "rich", "drying", "wrong_type" or ""


def product_fit(*, skin_type, concerns, product) -> Fit:
    """How well ``product`` (anything with ``skin_types``, ``concerns``, ``ingredients``) fits a
    shopper with ``skin_type`` and ``concerns``."""
    types = set(product.skin_types or ())
    suits_type = "all" in types or skin_type in types
    matched = tuple(c for c in (concerns or ()) if c in set(product.concerns or ()))
    ingredients = set(product.ingredients)
    clash = ""
    if skin_type == "sensitive" and ingredients & STRONG_ACTIVES:
        clash = "strong_active"
    elif skin_type in ("oily", "acne") and ingredients & RICH:
        clash = "rich"
    elif skin_type == "dry" and ingredients & DRYING:
        clash = "drying"
    elif not suits_type:
        clash = "wrong_type"
    level = "poor" if clash else ("great" if matched else "ok")
    return Fit(level=level, suits_type=suits_type, matched=matched, clash=clash)


def rng_for(*parts):
    """A generator seeded from stable keys (e-mails, SKUs), so reruns make the same choices."""
    return random.Random("|".join(str(p) for p in parts))


def quality(sku):
    """How much better or worse than its fit a product does (some formulas are simply better):
    the chance, from -0.5 to 0.5, that a rating moves one star up (positive) or down (negative)."""
    return max(-0.5, min(0.5, rng_for("quality", sku).gauss(0.0, 0.3)))


def demo_rating(*, email, sku, level):
    """The stars this shopper gives this product (1-5), drawn once from the fit level and moved
    a star up or down by the product's quality."""
    rng = rng_for("rating", email, sku)
    stars = rng.choices([5, 4, 3, 2, 1], weights=RATING_WEIGHTS[level])[0]
    shift = quality(sku)
    if rng.random() < abs(shift):
        stars += 1 if shift > 0 else -1
    return max(1, min(5, stars))


def appeal(sku):
    """A product's pull on every shopper: log-normal, so a few products sell far more than most."""
    return math.exp(rng_for("appeal", sku).gauss(0.0, 0.8))


def run_out_days(*, size, daily_use, quantity=1):
    """Days a delivered unit lasts (``shop.orders.replenishment.runs_out_on``'s rule), None without a size."""
    if not size or size <= 0:
        return None
    return max(1, math.floor(size * quantity / daily_use))


@dataclass(frozen=True)
class Purchase:
    day: float  # days from the start of the shopper's history
    product: object
    quantity: int
    kind: str  # "routine", "browse", "repurchase", "replacement"


def shopper_history(*, products, fits, ratings, lasts, horizon_days, max_orders, rng):
    """The purchases of one shopper over ``horizon_days`` days (day 0 = the start of the window),
    grouped into orders: ``[(day, [Purchase, ...]), ...]`` in time order.

    ``products``: the products this shopper would consider (suiting the skin type); ``fits``:
    ``{product_id: Fit}``; ``ratings``: ``{product_id: stars the shopper would give}``; ``lasts``:
    ``{product_id: days one unit lasts or None}``. Products need ``id``, ``sku``, ``brand_id``,
    ``product_type``."""
    if not products:
        return []
    brands = sorted({p.brand_id for p in products})
    loyal = set(rng.sample(brands, k=min(len(brands), rng.choice([1, 1, 2])))) if rng.random() < 0.7 else set()

    def weight(p):
        return CHOICE_WEIGHT[fits[p.id].level] * appeal(p.sku) * (BRAND_LOYALTY if p.brand_id in loyal else 1.0)

    def pick(pool, exclude=()):
        pool = [p for p in pool if p.id not in exclude]
        if not pool:
            return None
        return rng.choices(pool, weights=[weight(p) for p in pool])[0]

    by_type = {}
    for p in products:
        by_type.setdefault(p.product_type, []).append(p)
    start = rng.uniform(0, horizon_days * 0.6)
    events = []  # (day, Purchase)
    day = start
    if rng.random() < ROUTINE_SHARE:
        steps = [t for t in ROUTINE if t in by_type]
        while steps:
            for product_type in steps[: rng.choice([1, 1, 2])]:
                product = pick(by_type[product_type])
                events.append((day, Purchase(day, product, 1, "routine")))
                steps.remove(product_type)
            day += rng.uniform(7, 24)
    day = start
    for _ in range(rng.choice(BROWSES)):  # products that catch the eye, each bought once
        day += rng.uniform(3, 30)
        product = pick(products, exclude={purchase.product.id for _, purchase in events})
        if product is not None:
            events.append((day, Purchase(day, product, rng.choice([1, 1, 1, 1, 2]), "browse")))
    # Repurchases and replacements as consumables run out (each delivered unit once).
    events.sort(key=lambda e: (e[0], e[1].product.id))
    timeline, bought = [], set()
    queue = list(events)
    while queue:
        queue.sort(key=lambda e: (e[0], e[1].product.id))
        at, purchase = queue.pop(0)
        if at > horizon_days:
            continue
        timeline.append(purchase)
        bought.add(purchase.product.id)
        lasts_days = lasts.get(purchase.product.id)
        if not lasts_days:
            continue
        runs_out = at + DELIVERY_DAYS + lasts_days * purchase.quantity
        again = runs_out + rng.uniform(*BUY_AHEAD_DAYS)
        if again > horizon_days:
            continue
        satisfied = ratings[purchase.product.id] >= 4
        roll = rng.random()
        if satisfied and roll < REPURCHASE_IF_SATISFIED:
            queue.append((again, Purchase(again, purchase.product, purchase.quantity, "repurchase")))
        elif not satisfied and roll < REPURCHASE_IF_DISSATISFIED:
            queue.append((again, Purchase(again, purchase.product, 1, "repurchase")))
        elif not satisfied and roll < REPURCHASE_IF_DISSATISFIED + REPLACE_IF_DISSATISFIED:
            other = pick(by_type.get(purchase.product.product_type, []), exclude=bought)
            if other is not None:
                queue.append((again, Purchase(again, other, 1, "replacement")))
    # Purchases within two days of each other go into one order.
    orders = []
    for purchase in sorted(timeline, key=lambda p: p.day):
        if (
            orders
            and purchase.day - orders[-1][0] <= 2
            and purchase.product.id not in {p.product.id for p in orders[-1][1]}
        ):
            orders[-1][1].append(purchase)
        else:
            orders.append((purchase.day, [purchase]))
    return orders[:max_orders]
