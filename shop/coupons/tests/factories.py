from decimal import Decimal

import factory

from shop.coupons.models import Coupon, CouponType


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"SAVE{n}")
    name = factory.Sequence(lambda n: f"Coupon {n}")
    type = CouponType.PERCENTAGE
    value = Decimal("10.00")
    usage_limit_per_user = None
