from dataclasses import dataclass
from decimal import Decimal

import pytest

from shop.cart.pricing import INSUFFICIENT_STOCK, OUT_OF_STOCK, UNAVAILABLE, price_lines
from shop.catalog.models import Category, Product, ProductVariant
from shop.coupons.calculations import merchandise_discount, money
from shop.coupons.models import Coupon, CouponType

D = Decimal


@dataclass
class Line:
    product: object
    variant: object
    quantity: int
    id: int = 1


def product(pk=1, price="10.00", stock=100, category_id=1, **extra):
    p = Product(pk=pk, name=f"P{pk}", price=D(price), stock_quantity=stock, status="active", category_id=category_id)
    p._state.fields_cache["category"] = Category(pk=category_id, parent_id=extra.pop("parent_id", None))
    for key, value in extra.items():
        setattr(p, key, value)
    return p


def coupon(type_=CouponType.PERCENTAGE, value="10", max_discount=None, products=(), categories=()):
    c = Coupon(code="X", type=type_, value=D(value), max_discount=D(max_discount) if max_discount else None)
    c._scope_cache = (frozenset(products), frozenset(categories))
    return c


@pytest.fixture(autouse=True)
def _rates(settings):
    settings.TAX_RATE = D("0.10")
    settings.SHIPPING_FLAT_RATE = D("3.50")
    settings.FREE_SHIPPING_THRESHOLD = D("50.00")


def test_money_rounds_half_up():
    assert money(D("0.005")) == D("0.01")
    assert money(D("0.015")) == D("0.02")
    assert money(D("2.675")) == D("2.68")
    assert money(D("-0.005")) == D("-0.01")


def test_empty_cart_costs_nothing():
    prices = price_lines(lines=[])
    assert (prices.subtotal, prices.shipping, prices.tax, prices.discount, prices.total) == (D("0.00"),) * 5


def test_small_cart_pays_flat_shipping_and_tax():
    prices = price_lines(lines=[Line(product(price="19.99"), None, 2)])
    assert prices.subtotal == D("39.98")
    assert prices.shipping == D("3.50")
    assert prices.tax == D("4.00")  # 3.998 -> 4.00
    assert prices.total == D("47.48")


def test_free_shipping_at_threshold_exactly():
    prices = price_lines(lines=[Line(product(price="25.00"), None, 2)])
    assert prices.shipping == D("0.00")
    assert prices.total == D("55.00")


def test_threshold_uses_amount_after_discount():
    prices = price_lines(lines=[Line(product(price="25.00"), None, 2)], coupon=coupon(value="10"))
    assert prices.discount == D("5.00")
    assert prices.shipping == D("3.50")
    assert prices.tax == D("4.50")
    assert prices.total == D("53.00")


def test_percentage_rounding_half_up_on_odd_cents():
    prices = price_lines(lines=[Line(product(price="0.05"), None, 1)], coupon=coupon(value="10"))
    assert prices.discount == D("0.01")  # 0.005 -> 0.01
    assert prices.tax == D("0.00")  # 0.04 * 0.10 = 0.004
    assert prices.total == prices.subtotal + prices.tax + prices.shipping - prices.discount


def test_percentage_capped_by_max_discount():
    c = coupon(value="50", max_discount="7.25")
    assert price_lines(lines=[Line(product(price="40.00"), None, 1)], coupon=c).discount == D("7.25")


def test_fixed_discount_never_exceeds_eligible_subtotal():
    prices = price_lines(lines=[Line(product(price="4.00"), None, 1)], coupon=coupon(CouponType.FIXED, "10"))
    assert prices.discount == D("4.00")
    assert prices.tax == D("0.00")
    assert prices.total == D("3.50")


def test_hundred_percent_leaves_shipping_only():
    prices = price_lines(lines=[Line(product(price="12.34"), None, 3)], coupon=coupon(value="100"))
    assert prices.subtotal == D("37.02")
    assert prices.discount == D("37.02")
    assert prices.total == D("3.50")


def test_free_shipping_coupon_discounts_the_shipping():
    prices = price_lines(lines=[Line(product(price="10.00"), None, 1)], coupon=coupon(CouponType.FREE_SHIPPING, "0"))
    assert prices.shipping == D("3.50")
    assert prices.discount == D("3.50")
    assert prices.total == D("11.00")


def test_coupon_scope_limits_discount_to_eligible_lines():
    lines = [Line(product(1, "20.00", category_id=5), None, 1), Line(product(2, "30.00", category_id=6), None, 1, id=2)]
    assert price_lines(lines=lines, coupon=coupon(value="10", products=[1])).discount == D("2.00")
    assert price_lines(lines=lines, coupon=coupon(value="10", categories=[6])).discount == D("3.00")


def test_coupon_on_parent_category_covers_child_category():
    lines = [Line(product(1, "20.00", category_id=7, parent_id=3), None, 1)]
    assert price_lines(lines=lines, coupon=coupon(value="50", categories=[3])).discount == D("10.00")


def test_variant_price_wins_and_variant_stock_counts():
    p = product(price="10.00", stock=0)
    v = ProductVariant(pk=9, product_id=p.pk, price=D("14.50"), stock_quantity=3, is_active=True)
    prices = price_lines(lines=[Line(p, v, 2)])
    assert prices.subtotal == D("29.00")
    assert prices.lines[0].available_quantity == 3


def test_unavailable_lines_are_flagged_and_not_charged():
    lines = [
        Line(product(1, stock=0), None, 1, id=1),
        Line(product(2, stock=2), None, 5, id=2),
        Line(product(3, status="archived"), None, 1, id=3),
        Line(product(4, price="9.99"), None, 1, id=4),
    ]
    prices = price_lines(lines=lines)
    assert [line.problem for line in prices.lines] == [OUT_OF_STOCK, INSUFFICIENT_STOCK, UNAVAILABLE, None]
    assert prices.subtotal == D("9.99")


def test_untracked_and_backorder_products_are_always_available():
    lines = [
        Line(product(1, stock=0, track_inventory=False), None, 5),
        Line(product(2, stock=-3, allow_backorders=True), None, 5, id=2),
    ]
    assert [line.problem for line in price_lines(lines=lines).lines] == [None, None]


def test_merchandise_discount_zero_for_free_shipping_type():
    assert merchandise_discount(coupon(CouponType.FREE_SHIPPING, "0"), D("100.00")) == D("0.00")


@pytest.mark.parametrize("price,qty", [("0.01", 1), ("99999.99", 99), ("33.33", 3), ("0.10", 7)])
def test_total_rule_always_holds(price, qty):
    for c in (None, coupon(value="33"), coupon(CouponType.FIXED, "5"), coupon(CouponType.FREE_SHIPPING, "0")):
        prices = price_lines(lines=[Line(product(price=price, stock=1000), None, qty)], coupon=c)
        assert prices.total == prices.subtotal + prices.tax + prices.shipping - prices.discount
        assert prices.total >= 0
        for amount in (prices.subtotal, prices.tax, prices.shipping, prices.discount, prices.total):
            assert amount == amount.quantize(D("0.01"))
