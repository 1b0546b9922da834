"""Coupon invariants (see ``skincare.invariants``): ``used_count`` counts the usages not released."""

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from shop.coupons.models import Coupon, CouponUsage
from skincare.invariants import register_invariant


def coupon_used_count_violations():
    usages = CouponUsage.objects.filter(coupon=OuterRef("pk"), released_at__isnull=True).order_by()
    counted = usages.annotate(_k=Value(1)).values("_k").annotate(n=Count("pk")).values("n")
    return Coupon.objects.annotate(_used=Coalesce(Subquery(counted, output_field=IntegerField()), 0)).exclude(
        used_count=F("_used")
    )


def register():
    register_invariant("coupon_used_count", "coupon used_count = its usages not released", coupon_used_count_violations)
