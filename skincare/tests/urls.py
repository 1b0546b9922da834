"""URLconf for plumbing tests: the real routes plus views that fail on purpose."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from skincare.api.exceptions import ApiError


class Boom(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("unexpected")


class Business(APIView):
    permission_classes = []

    def get(self, request):
        raise ApiError("COUPON_EXPIRED", "This coupon has expired.", errors={"code": ["expired"]}, status_code=409)


class Throttled(APIView):
    permission_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "test"

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/test/boom", Boom.as_view()),
    path("api/v1/test/business", Business.as_view()),
    path("api/v1/test/throttled", Throttled.as_view()),
    path("", include("skincare.urls")),
]

handler404 = "skincare.api.views.handler404"
handler500 = "skincare.api.views.handler500"
