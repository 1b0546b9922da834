"""Discount arithmetic. Pure functions over ``Decimal``; no queries beyond the coupon's
applicable product / category ids (prefetched by the caller when it matters)."""

from decimal import ROUND_HALF_UP, Decimal

from shop.coupons.models import CouponType

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def coupon_scope(coupon):
    """(product ids, category ids) the coupon is limited to; both empty = whole cart."""
    cached = getattr(coupon, "_scope_cache", None)
    if cached is None:
        cached = (
            frozenset(p.pk for p in coupon.applicable_products.all()),
            frozenset(c.pk for c in coupon.applicable_categories.all()),
        )
        coupon._scope_cache = cached
    return cached


def line_is_eligible(coupon, product):
    product_ids, category_ids = coupon_scope(coupon)
    if not product_ids and not category_ids:
        return True
    if product.pk in product_ids:
        return True
    category = product._state.fields_cache.get("category")  # loaded with select_related; no extra query
    category_id = product.category_id
    parent_id = category.parent_id if category is not None else None
    return category_id in category_ids or (parent_id is not None and parent_id in category_ids)


def eligible_subtotal(coupon, priced_lines):
    return money(sum((line.line_total for line in priced_lines if line_is_eligible(coupon, line.product)), ZERO))


def merchandise_discount(coupon, eligible):
    """Discount on goods (not shipping) for an eligible subtotal; never above it."""
    if coupon.type == CouponType.PERCENTAGE:
        discount = money(eligible * coupon.value / Decimal(100))
        if coupon.max_discount is not None:
            discount = min(discount, coupon.max_discount)
    elif coupon.type == CouponType.FIXED:
        discount = money(coupon.value)
    else:
        return ZERO
    return money(max(ZERO, min(discount, eligible)))
