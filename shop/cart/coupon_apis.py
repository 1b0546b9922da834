"""A coupon against the shopper's cart: does this code apply now, which coupons would.

These live with the cart (which prices lines and resolves the guest's cart) so that coupons never
import the cart: the cart depends on coupons, not the other way round.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.cart.pricing import price_lines
from shop.cart.selectors import cart_lines
from shop.cart.services import cart_resolve
from shop.coupons import selectors, services
from shop.coupons.calculations import eligible_subtotal, merchandise_discount
from shop.coupons.models import CouponType
from shop.coupons.serializers import CouponAvailableOutput, CouponPublicOutput, ValidateInput, ValidateOutput
from skincare.api.error_docs import raises
from skincare.api.pagination import PagePagination, paginated_response
from skincare.errors import ApplicationError

TAGS = ["coupons"]


def _estimate(coupon, prices):
    lines = prices.purchasable_lines
    if coupon.type == CouponType.FREE_SHIPPING:
        return str(price_lines(lines=lines, coupon=coupon).shipping_discount)
    return str(merchandise_discount(coupon, eligible_subtotal(coupon, lines)))


class CouponValidateApi(APIView):
    """Does this code apply to my cart now? Always 200: ``valid`` and the reason when it does not."""

    permission_classes = [AllowAny]

    @raises()
    @extend_schema(tags=TAGS, request=ValidateInput, responses=ValidateOutput)
    def post(self, request):
        data = ValidateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        cart = cart_resolve(request=request, create=False)
        prices = price_lines(lines=cart_lines(cart) if cart else [])
        try:
            coupon = services.coupon_get(code=data.validated_data["code"], user=user)
            services.coupon_check(coupon=coupon, user=user, prices=prices)
        except ApplicationError as exc:
            return Response({"valid": False, "code": exc.error_code, "reason": exc.message, "coupon": None})
        return Response(
            {
                "valid": True,
                "code": None,
                "reason": None,
                "coupon": CouponPublicOutput(coupon).data,
                "discount": _estimate(coupon, prices),
            }
        )


class CouponAvailableApi(APIView):
    """Coupons this user can see, each with whether it applies to the current cart."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises()
    @extend_schema(tags=TAGS, responses=CouponAvailableOutput(many=True))
    def get(self, request):
        user = request.user if request.user.is_authenticated else None
        cart = cart_resolve(request=request, create=False)
        prices = price_lines(lines=cart_lines(cart) if cart else [])
        coupons = list(selectors.coupons_live(user=user)[:50])
        uses = selectors.coupon_user_uses(coupon_ids=[c.pk for c in coupons], user=user)
        user_orders = user.total_orders if user else None
        results = []
        for coupon in coupons:
            try:
                services.coupon_check(
                    coupon=coupon, user=user, prices=prices, user_uses=uses.get(coupon.pk, 0), user_orders=user_orders
                )
            except ApplicationError as exc:
                results.append(
                    {
                        **CouponPublicOutput(coupon).data,
                        "applicable": False,
                        "reason": exc.message,
                        "reason_code": exc.error_code,
                        "discount": None,
                    }
                )
            else:
                results.append(
                    {
                        **CouponPublicOutput(coupon).data,
                        "applicable": True,
                        "reason": None,
                        "reason_code": None,
                        "discount": _estimate(coupon, prices),
                    }
                )
        results.sort(key=lambda row: (not row["applicable"], row["code"]))
        return paginated_response(self, request, results)
