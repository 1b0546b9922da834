from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from shop.cart.cache import cart_lines_cached
from shop.cart.pricing import price_lines
from shop.catalog.models import Product, ProductVariant
from shop.catalog.selectors import primary_media_prefetch
from shop.coupons.models import Coupon
from shop.coupons.services import coupon_check
from skincare.errors import ApplicationError


@dataclass
class LineView:
    id: int
    product: object
    variant: object
    quantity: int


def cart_is_expired(cart, now=None):
    now = now or timezone.now()
    return cart.updated_at is not None and cart.updated_at < now - timedelta(days=settings.CART_TTL_DAYS)


def cart_lines(cart, *, from_cache=True):
    """Lines with their product (and category, brand, primary image) and variant, in three or four queries."""
    if from_cache:
        rows = cart_lines_cached(cart.pk)
    else:
        rows = list(cart.lines.values_list("id", "product_id", "variant_id", "quantity"))
    if not rows:
        return []
    products = (
        Product.objects.select_related("category", "brand")
        .prefetch_related(primary_media_prefetch())
        .in_bulk({row[1] for row in rows})
    )
    variant_ids = {row[2] for row in rows if row[2]}
    variants = ProductVariant.objects.in_bulk(variant_ids) if variant_ids else {}
    lines = []
    for line_id, product_id, variant_id, quantity in rows:
        product = products.get(product_id)
        if product is None or (variant_id and variant_id not in variants):
            continue  # deleted since the cache was filled
        lines.append(LineView(line_id, product, variants.get(variant_id), quantity))
    return lines


def cart_coupon(cart):
    if not cart.coupon_id:
        return None
    return (
        Coupon.objects.prefetch_related("applicable_products", "applicable_categories")
        .filter(pk=cart.coupon_id)
        .first()
    )


def cart_price(cart, *, user=None, shipping_method=None):
    """(prices, coupon problem or None). A coupon that stopped applying is shown with its reason."""
    lines = cart_lines(cart)
    prices = price_lines(lines=lines, shipping_method=shipping_method)
    coupon = cart_coupon(cart)
    problem = None
    if coupon is not None:
        try:
            coupon_check(coupon=coupon, user=user, prices=prices)
        except ApplicationError as exc:
            problem = {"code": exc.error_code, "message": exc.message}
        else:
            prices = price_lines(lines=lines, coupon=coupon, shipping_method=shipping_method)
    return prices, coupon, problem
