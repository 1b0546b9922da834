from django.utils.translation import gettext
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.coupons import selectors, services
from shop.coupons.error_codes import CouponErrorCode
from shop.coupons.models import Coupon, CouponStatus, CouponType, CouponUsage
from shop.coupons.serializers import (
    BulkStatusInput,
    CouponStaffSerializer,
    CouponStatsAllOutput,
    CouponStatsOneOutput,
    CouponUsageOutput,
)
from skincare.api import bulk
from skincare.api.bulk import BulkResultOutput, bulk_result
from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import raises
from skincare.api.permissions import HasStaffPermission
from skincare.errors import ApplicationError

TAGS = ["coupons"]
STAFF_TAGS = ["staff: coupons"]


class StaffCouponFilter(serializers.Serializer):
    """An unknown ``status`` or ``type`` answers 400, as on every other list."""

    status = serializers.ChoiceField(choices=CouponStatus.choices, required=False)
    type = serializers.ChoiceField(choices=CouponType.choices, required=False)
    q = serializers.CharField(required=False, max_length=100, help_text="Part of the code or name.")


class StaffCouponListCreateApi(generics.ListCreateAPIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "coupons.view_coupon", "POST": "coupons.add_coupon"}
    serializer_class = CouponStaffSerializer

    def get_queryset(self):
        filters = StaffCouponFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.coupon_list_staff(filters=filters.validated_data)

    @raises()
    @extend_schema(tags=STAFF_TAGS, parameters=[StaffCouponFilter])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @raises(CouponErrorCode.COUPON_CODE_TAKEN)
    @extend_schema(tags=STAFF_TAGS)
    def post(self, request, *args, **kwargs):
        data = CouponStaffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        coupon = services.coupon_create(**data.validated_data)
        return Response(CouponStaffSerializer(coupon).data, status=status.HTTP_201_CREATED)


class StaffCouponDetailApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {
        "GET": "coupons.view_coupon",
        "PATCH": "coupons.change_coupon",
        "DELETE": "coupons.delete_coupon",
    }

    def _coupon(self, pk):
        coupon = Coupon.objects.prefetch_related("applicable_products", "applicable_categories").filter(pk=pk).first()
        if coupon is None:
            raise ApplicationError(ApiErrorCode.NOT_FOUND, gettext("Coupon not found."))
        return coupon

    @raises(ApiErrorCode.NOT_FOUND)
    @extend_schema(tags=STAFF_TAGS, responses=CouponStaffSerializer)
    def get(self, request, pk):
        return Response(CouponStaffSerializer(self._coupon(pk)).data)

    @raises(ApiErrorCode.NOT_FOUND, CouponErrorCode.COUPON_CODE_TAKEN)
    @extend_schema(tags=STAFF_TAGS, request=CouponStaffSerializer, responses=CouponStaffSerializer)
    def patch(self, request, pk):
        coupon = self._coupon(pk)
        data = CouponStaffSerializer(coupon, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        coupon = services.coupon_update(coupon=coupon, **data.validated_data)
        return Response(CouponStaffSerializer(self._coupon(coupon.pk)).data)

    @raises(ApiErrorCode.NOT_FOUND, CouponErrorCode.COUPON_IN_USE)
    @extend_schema(tags=STAFF_TAGS, responses={204: None})
    def delete(self, request, pk):
        services.coupon_delete(coupon=self._coupon(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffCouponBulkStatusApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "coupons.change_coupon"}

    @raises()
    @extend_schema(tags=STAFF_TAGS, request=BulkStatusInput, responses=BulkResultOutput)
    def post(self, request):
        data = BulkStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["ids"]
        done = services.coupons_bulk_status(coupon_ids=ids, status=data.validated_data["status"])
        skipped = [bulk.not_found(pk) for pk in dict.fromkeys(ids) if pk not in set(done)]
        return Response(bulk_result(done=done, skipped=skipped))


class StaffCouponUsageListApi(generics.ListAPIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "coupons.view_couponusage"}
    serializer_class = CouponUsageOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return CouponUsage.objects.none()
        return CouponUsage.objects.filter(coupon_id=self.kwargs["pk"]).select_related("user", "order")

    @raises(ApiErrorCode.NOT_FOUND)
    @extend_schema(tags=STAFF_TAGS)
    def get(self, request, *args, **kwargs):
        if not Coupon.objects.filter(pk=kwargs["pk"]).exists():
            raise ApplicationError(ApiErrorCode.NOT_FOUND, gettext("Coupon not found."))
        return super().get(request, *args, **kwargs)


class _CouponStatsSchema(AutoSchema):
    """One view serves the totals of all coupons and of one coupon (``/{id}/stats``): each
    path gets its own operation id and answer shape."""

    def _one_coupon(self):
        return "{" in self.path

    def get_operation_id(self):
        return "staff_coupons_stats_retrieve" if self._one_coupon() else "staff_coupons_stats_all"

    def get_response_serializers(self):
        return CouponStatsOneOutput if self._one_coupon() else CouponStatsAllOutput


class StaffCouponStatsApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "coupons.view_coupon"}
    schema = _CouponStatsSchema()

    @raises(ApiErrorCode.NOT_FOUND)
    @extend_schema(tags=STAFF_TAGS)
    def get(self, request, pk=None):
        coupon = None
        if pk is not None:
            coupon = Coupon.objects.filter(pk=pk).first()
            if coupon is None:
                raise ApplicationError(ApiErrorCode.NOT_FOUND, gettext("Coupon not found."))
        return Response(selectors.coupon_stats(coupon=coupon))
