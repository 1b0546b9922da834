"""The one pricing routine used by the cart response and by checkout.

``price_lines`` takes lines (anything with ``product``, ``variant``, ``quantity`` and
optionally ``id``) and an optional coupon already known to apply, and returns every
amount quantised to cents with ROUND_HALF_UP:

* subtotal = sum(unit price x quantity) over purchasable lines
* discount = goods discount (percentage / fixed on the eligible lines) + shipping discount
* shipping = the chosen shipping method's price (``shop.cart.shipping``; the default method when
  none is chosen), free when subtotal - goods discount >= the method's ``free_over``, or with a
  ``free_shipping`` coupon (shown as shipping with an equal discount)
* tax = (subtotal - goods discount) x TAX_RATE   (shipping is not taxed)
* total = subtotal + tax + shipping - discount   (also a database constraint on orders)
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from shop.cart.shipping import shipping_method as shipping_method_get
from shop.catalog.models import ProductStatus
from shop.coupons.calculations import ZERO, eligible_subtotal, merchandise_discount, money
from shop.coupons.models import CouponType

OUT_OF_STOCK = "out_of_stock"
INSUFFICIENT_STOCK = "insufficient_stock"
UNAVAILABLE = "unavailable"


@dataclass
class PricedLine:
    id: int | None
    product: object
    variant: object | None
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    available_quantity: int | None  # None = not limited
    problem: str | None = None

    @property
    def available(self):
        return self.problem is None


@dataclass
class Prices:
    lines: list = field(default_factory=list)
    subtotal: Decimal = ZERO
    goods_discount: Decimal = ZERO
    shipping_discount: Decimal = ZERO
    shipping: Decimal = ZERO
    tax: Decimal = ZERO
    coupon: object | None = None
    shipping_method: object | None = None

    @property
    def discount(self):
        return money(self.goods_discount + self.shipping_discount)

    @property
    def total(self):
        return money(self.subtotal + self.tax + self.shipping - self.discount)

    @property
    def purchasable_lines(self):
        return [line for line in self.lines if line.available]

    @property
    def problems(self):
        return [line for line in self.lines if not line.available]


def stock_is_limited(product):
    return product.track_inventory and not product.allow_backorders


def line_problem(product, variant, quantity):
    """Why ``quantity`` of this product / variant cannot be bought now, or None."""
    if product.status != ProductStatus.ACTIVE:
        return UNAVAILABLE, None
    if variant is not None and (not variant.is_active or variant.product_id != product.pk):
        return UNAVAILABLE, None
    if not stock_is_limited(product):
        return None, None
    stock = max(0, (variant or product).stock_quantity)
    if stock <= 0:
        return OUT_OF_STOCK, 0
    if quantity > stock:
        return INSUFFICIENT_STOCK, stock
    return None, stock


def unit_price(product, variant):
    return money(variant.price if variant is not None else product.price)


def price_lines(*, lines, coupon=None, shipping_method=None):
    """``shipping_method``: a ``ShippingMethod`` (the shop currency's default when None)."""
    prices = Prices(coupon=coupon, shipping_method=shipping_method or shipping_method_get())
    for line in lines:
        problem, available = line_problem(line.product, line.variant, line.quantity)
        price = unit_price(line.product, line.variant)
        prices.lines.append(
            PricedLine(
                id=getattr(line, "id", None),
                product=line.product,
                variant=line.variant,
                quantity=line.quantity,
                unit_price=price,
                line_total=money(price * line.quantity),
                available_quantity=available,
                problem=problem,
            )
        )
    purchasable = prices.purchasable_lines
    prices.subtotal = money(sum((line.line_total for line in purchasable), ZERO))
    if coupon is not None and purchasable:
        prices.goods_discount = merchandise_discount(coupon, eligible_subtotal(coupon, purchasable))
    net = money(prices.subtotal - prices.goods_discount)
    prices.shipping = prices.shipping_method.cost(net) if purchasable else ZERO
    if coupon is not None and coupon.type == CouponType.FREE_SHIPPING:
        prices.shipping_discount = prices.shipping
    prices.tax = money(net * settings.TAX_RATE)
    return prices
