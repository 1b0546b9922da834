from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from shop.coupons.calculations import money
from shop.coupons.models import Coupon, CouponStatus, CouponUsage


def coupon_find(*, code):
    code = (code or "").strip().upper()
    if not code:
        return None
    return Coupon.objects.filter(code=code).prefetch_related("applicable_products", "applicable_categories").first()


def coupons_live(*, user, now=None):
    """Active, started, unexpired, not exhausted coupons this user may see (public or personal)."""
    now = now or timezone.now()
    qs = Coupon.objects.filter(status=CouponStatus.ACTIVE).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=now), Q(end_date__isnull=True) | Q(end_date__gt=now)
    )
    qs = qs.exclude(usage_limit__isnull=False, used_count__gte=F("usage_limit"))
    visibility = Q(customer__isnull=True)
    if user is not None and user.is_authenticated:
        visibility |= Q(customer=user)
    return qs.filter(visibility).prefetch_related("applicable_products", "applicable_categories")


def coupon_user_uses(*, coupon_ids, user):
    """{coupon id: live uses by this user}."""
    if user is None or not user.is_authenticated:
        return {}
    rows = (
        CouponUsage.objects.filter(coupon_id__in=coupon_ids, user=user, released_at__isnull=True)
        .values("coupon_id")
        .annotate(n=Count("id"))
    )
    return {row["coupon_id"]: row["n"] for row in rows}


def coupon_list_staff(*, filters=None):
    qs = Coupon.objects.all().prefetch_related("applicable_products", "applicable_categories")
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    if filters.get("q"):
        qs = qs.filter(Q(code__icontains=filters["q"]) | Q(name__icontains=filters["q"]))
    return qs


def coupon_stats(*, coupon=None):
    usages = CouponUsage.objects.filter(released_at__isnull=True)
    if coupon is not None:
        usages = usages.filter(coupon=coupon)
    totals = usages.aggregate(uses=Count("id"), customers=Count("user", distinct=True), discount=Sum("discount_amount"))
    revenue = usages.aggregate(revenue=Sum("order__total"))["revenue"]
    data = {
        "uses": totals["uses"],
        "customers": totals["customers"],
        "total_discount": str(money(totals["discount"] or 0)),
        "order_revenue": str(money(revenue or 0)),
    }
    if coupon is None:
        counts = dict(Coupon.objects.values_list("status").annotate(n=Count("id")))
        data["coupons_by_status"] = {status: counts.get(status, 0) for status in CouponStatus.values}
    else:
        data["remaining"] = None if coupon.usage_limit is None else max(0, coupon.usage_limit - coupon.used_count)
    return data
