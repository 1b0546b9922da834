"""The demo shoppers' behaviour (``shop.orders.demo_shoppers``) on small hand-made catalogues."""

import random
from collections import Counter
from dataclasses import dataclass

import pytest

from shop.orders.demo_shoppers import (
    BUY_AHEAD_DAYS,
    DELIVERY_DAYS,
    ROUTINE,
    Fit,
    demo_rating,
    product_fit,
    quality,
    run_out_days,
    shopper_history,
)


@dataclass(frozen=True)
class P:
    id: int
    sku: str
    brand_id: int
    product_type: str
    skin_types: tuple = ("all",)
    concerns: tuple = ()
    ingredients: tuple = ()


GREAT = Fit("great", True, ("acne",), "")


def history(products, ratings, lasts, seed, horizon=120):
    fits = {p.id: GREAT for p in products}
    return shopper_history(
        products=products, fits=fits, ratings=ratings, lasts=lasts, horizon_days=horizon, max_orders=50,
        rng=random.Random(seed),
    )  # fmt: skip


def test_run_out_days_is_size_times_quantity_over_daily_use():
    assert run_out_days(size=150, daily_use=3) == 50
    assert run_out_days(size=150, daily_use=3, quantity=2) == 100
    assert run_out_days(size=0.5, daily_use=3) == 1  # at least a day
    assert run_out_days(size=None, daily_use=3) is None


def test_product_fit_levels():
    sensitive_retinol = P(1, "a", 1, "serum", ("sensitive",), ("aging",), ("Retinol",))
    assert product_fit(skin_type="sensitive", concerns=["aging"], product=sensitive_retinol).clash == "strong_active"
    matching = P(2, "b", 1, "serum", ("oily",), ("acne", "pores"))
    assert product_fit(skin_type="oily", concerns=["acne"], product=matching) == Fit("great", True, ("acne",), "")
    assert product_fit(skin_type="oily", concerns=["dryness"], product=matching).level == "ok"
    assert product_fit(skin_type="dry", concerns=["acne"], product=matching).clash == "wrong_type"


def test_demo_rating_is_stable_and_follows_the_fit():
    assert demo_rating(email="a@x", sku="S1", level="great") == demo_rating(email="a@x", sku="S1", level="great")
    great = [demo_rating(email=f"u{n}", sku="S", level="great") for n in range(400)]
    poor = [demo_rating(email=f"u{n}", sku="S", level="poor") for n in range(400)]
    assert sum(great) / 400 > 4.0 and sum(poor) / 400 < 2.6
    # Some products are better than others whoever buys them.
    skus = sorted((f"S{n}" for n in range(200)), key=quality)
    worst, best = skus[0], skus[-1]
    assert quality(worst) < -0.3 and quality(best) > 0.3
    assert all(-0.5 <= quality(sku) <= 0.5 for sku in skus)
    mean = {sku: sum(demo_rating(email=f"u{n}", sku=sku, level="ok") for n in range(400)) / 400 for sku in skus}
    assert mean[best] > mean[worst] + 0.5


def test_satisfied_shoppers_reorder_near_the_run_out_date_and_dissatisfied_ones_do_not():
    only = [P(1, "one", 1, "cleanser")]
    checked, liked_again, disliked_again = 0, 0, 0
    for seed in range(200):
        liked = [p for _, purchases in history(only, {1: 5}, {1: 30}, seed) for p in purchases]
        liked_again += len(liked) > 1
        for earlier, later in zip(liked, liked[1:], strict=False):
            # The earlier order's units last 30 days each from delivery; the next order comes 6 days
            # before to 2 days after they run out.
            runs_out = earlier.day + DELIVERY_DAYS + 30 * earlier.quantity
            assert runs_out + BUY_AHEAD_DAYS[0] <= later.day <= runs_out + BUY_AHEAD_DAYS[1]
            assert later.kind == "repurchase"
            checked += 1
        disliked = [p for _, purchases in history(only, {1: 2}, {1: 30}, seed) for p in purchases]
        disliked_again += len(disliked) > 1
    assert checked > 100
    assert liked_again > 100  # most satisfied shoppers come back (those starting late run out of window)
    assert disliked_again < 0.2 * liked_again


def test_a_dissatisfied_shopper_tries_another_product_of_the_same_type():
    products = [P(1, "one", 1, "cleanser"), P(2, "two", 2, "cleanser")]
    switched = 0
    for seed in range(100):
        orders = history(products, {1: 1, 2: 1}, {1: 30, 2: 30}, seed)
        bought = [p.product.id for _, purchases in orders for p in purchases]
        kinds = Counter(p.kind for _, purchases in orders for p in purchases)
        switched += kinds["replacement"] > 0 and set(bought) == {1, 2}
    assert switched > 20


def test_routines_are_built_in_order():
    products = [P(n, f"s{n}", 1, product_type) for n, product_type in enumerate(ROUTINE, 1)]
    in_order = complete = 0
    for seed in range(300):
        orders = history(products, dict.fromkeys(range(1, 5), 3), {}, seed)
        first = {}
        for day, purchases in orders:
            for p in purchases:
                if p.kind == "routine":
                    first.setdefault(p.product.product_type, day)
        if len(first) == len(ROUTINE):
            complete += 1
            in_order += [first[t] for t in ROUTINE] == sorted(first[t] for t in ROUTINE)
    assert complete > 100 and in_order == complete


def same_brand_rate(products):
    same = pairs = 0
    for seed in range(1000):
        bought = [p.product.brand_id for _, ps in history(products, dict.fromkeys(range(40), 3), {}, seed) for p in ps]
        for n, brand in enumerate(bought):
            same += sum(other == brand for other in bought[n + 1 :])
            pairs += len(bought) - n - 1
    return same / pairs


def test_favourite_brands_are_bought_more_often_than_without_loyalty(monkeypatch):
    products = [P(n, f"s{n}", n % 10, "mask") for n in range(40)]  # 10 brands, 4 masks each
    loyal = same_brand_rate(products)
    monkeypatch.setattr("shop.orders.demo_shoppers.BRAND_LOYALTY", 1.0)
    # Two purchases of one shopper share a brand about twice as often as they would without loyalty.
    assert loyal > 1.6 * same_brand_rate(products)


@pytest.mark.parametrize("seed", [0, 1])
def test_histories_are_deterministic(seed):
    products = [P(n, f"s{n}", n % 3, ROUTINE[n % 4]) for n in range(12)]
    ratings, lasts = dict.fromkeys(range(12), 4), dict.fromkeys(range(12), 20)
    assert history(products, ratings, lasts, seed) == history(products, ratings, lasts, seed)
