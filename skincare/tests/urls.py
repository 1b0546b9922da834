"""URLconf for plumbing tests: the real routes plus views that fail on purpose."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from shop.coupons.error_codes import CouponErrorCode
from skincare.api import parsers
from skincare.api.error_docs import raises
from skincare.errors import ApplicationError


class Boom(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("unexpected")


class Business(APIView):
    permission_classes = []

    @raises(CouponErrorCode.COUPON_EXPIRED)
    def get(self, request):
        raise ApplicationError(CouponErrorCode.COUPON_EXPIRED, "This coupon has expired.", errors={"code": ["expired"]})


class Throttled(APIView):
    permission_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "test"

    def get(self, request):
        return Response({"ok": True})


class Lookup(APIView):
    """Looks a body value up in the database, as views that read ``request.data`` directly do.

    It takes form and multipart bodies too, as the upload views do (the API's default is JSON only).
    """

    permission_classes = []
    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]

    def post(self, request):
        from django.contrib.auth import get_user_model

        found = get_user_model().objects.filter(email=request.data.get("email", "")).exists()
        return Response({"found": found})


urlpatterns = [
    path("api/v1/test/lookup", Lookup.as_view()),
    path("api/v1/test/boom", Boom.as_view()),
    path("api/v1/test/business", Business.as_view()),
    path("api/v1/test/throttled", Throttled.as_view()),
    path("", include("skincare.urls")),
]

handler404 = "skincare.api.views.handler404"
handler500 = "skincare.api.views.handler500"
