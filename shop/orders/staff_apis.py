from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.orders import error_codes, services
from shop.orders.error_codes import OrderErrorCode
from shop.orders.filters import StaffOrderFilter
from shop.orders.selectors import dashboard, order_for_staff, orders_for_staff
from shop.orders.serializers import (
    BulkUpdateInput,
    DashboardOutput,
    RefundInput,
    RefundOutput,
    ShipInput,
    StaffOrderDetailOutput,
    StaffOrderListOutput,
    StaffOrderUpdateInput,
)
from skincare.api.bulk import OrderBulkResultOutput, bulk_result
from skincare.api.error_docs import raises
from skincare.api.permissions import HasStaffPermission
from skincare.errors import ApplicationError

TAGS = ["staff: orders"]


def _order(order_number):
    order = order_for_staff(order_number=order_number)
    if order is None:
        raise ApplicationError(error_codes.ORDER_NOT_FOUND, gettext("Order not found."))
    return order


class StaffOrderListApi(generics.ListAPIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order"}
    serializer_class = StaffOrderListOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = StaffOrderFilter

    def get_queryset(self):
        return orders_for_staff()

    @raises()
    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class StaffOrderDetailApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order", "PATCH": "orders.change_order"}

    @raises(OrderErrorCode.ORDER_NOT_FOUND)
    @extend_schema(tags=TAGS, responses=StaffOrderDetailOutput)
    def get(self, request, order_number):
        return Response(StaffOrderDetailOutput(_order(order_number), context={"request": request}).data)

    @raises(
        OrderErrorCode.PAYMENT_METHOD_UNAVAILABLE,
        OrderErrorCode.REFUND_EXCEEDS_PAID,
        OrderErrorCode.TRACKING_NUMBER_REQUIRED,
        OrderErrorCode.ORDER_NOT_FOUND,
        OrderErrorCode.INVALID_STATUS_TRANSITION,
        OrderErrorCode.ORDER_NOT_CANCELLABLE,
        OrderErrorCode.REFUND_NOT_ALLOWED,
        OrderErrorCode.PAYMENT_PROVIDER_ERROR,
    )
    @extend_schema(tags=TAGS, request=StaffOrderUpdateInput, responses=StaffOrderDetailOutput)
    def patch(self, request, order_number):
        data = StaffOrderUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.order_staff_update(
            order=_order(order_number),
            by=request.user,
            status_=values.get("status"),
            payment_status=values.get("payment_status"),
            payment_reference=values.get("payment_reference", ""),
            fulfillment_status=values.get("fulfillment_status"),
            tracking_number=values.get("tracking_number"),
            notes=values.get("notes"),
            admin_notes=values.get("admin_notes"),
        )
        return Response(StaffOrderDetailOutput(_order(order_number), context={"request": request}).data)


class StaffOrderShipApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "orders.change_order"}

    @raises(OrderErrorCode.ORDER_NOT_FOUND, OrderErrorCode.INVALID_STATUS_TRANSITION)
    @extend_schema(tags=TAGS, request=ShipInput, responses=StaffOrderDetailOutput)
    def post(self, request, order_number):
        data = ShipInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.order_ship(
            order=_order(order_number), tracking_number=data.validated_data["tracking_number"], by=request.user
        )
        return Response(StaffOrderDetailOutput(_order(order_number), context={"request": request}).data)


class StaffOrderRefundApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "orders.add_paymentrefund"}

    @raises(
        OrderErrorCode.PAYMENT_METHOD_UNAVAILABLE,
        OrderErrorCode.REFUND_EXCEEDS_PAID,
        OrderErrorCode.ORDER_NOT_FOUND,
        OrderErrorCode.INVALID_STATUS_TRANSITION,
        OrderErrorCode.REFUND_NOT_ALLOWED,
        OrderErrorCode.PAYMENT_PROVIDER_ERROR,
        OrderErrorCode.REFUND_LINES_INVALID,
    )
    @extend_schema(tags=TAGS, request=RefundInput, responses={201: RefundOutput})
    def post(self, request, order_number):
        data = RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "lines" in values:
            _, refund = services.order_refund_lines(
                order=_order(order_number),
                lines=[(line["item_id"], line["quantity"]) for line in values["lines"]],
                include_shipping=values["include_shipping"],
                reason=values["reason"],
                by=request.user,
            )
        else:
            _, refund = services.order_refund(
                order=_order(order_number),
                amount=None if values["full"] else values["amount"],
                reason=values["reason"],
                by=request.user,
            )
        return Response(RefundOutput(refund).data, status=status.HTTP_201_CREATED)


class StaffOrderBulkUpdateApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "orders.change_order"}

    @raises()
    @extend_schema(tags=TAGS, request=BulkUpdateInput, responses=OrderBulkResultOutput)
    def post(self, request):
        data = BulkUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        done, skipped = services.orders_bulk_update(
            order_numbers=values["order_numbers"],
            by=request.user,
            status_=values.get("status"),
            fulfillment_status=values.get("fulfillment_status"),
        )
        return Response(bulk_result(done=done, skipped=skipped, serializer=OrderBulkResultOutput))


class StaffDashboardApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order"}

    @raises()
    @extend_schema(
        tags=TAGS,
        summary="Sales today / 7 / 30 days, recent orders, top products, low stock",
        responses=DashboardOutput,
    )
    def get(self, request):
        return Response(dashboard())
