import re

from django.conf import settings
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from shop.cart.error_codes import CartErrorCode
from shop.cart.models import Cart
from shop.cart.selectors import cart_price
from shop.cart.serializers import cart_output
from shop.cart.services import cart_for_user, cart_resolve
from shop.catalog.error_codes import CatalogErrorCode
from shop.coupons.error_codes import COUPON_REFUSALS
from shop.orders import error_codes, list_cache, services
from shop.orders.error_codes import OrderErrorCode
from shop.orders.filters import MyOrderFilter
from shop.orders.models import Order, Payment, PaymentRecordStatus
from shop.orders.payments.stripe import SignatureError, verify_signature
from shop.orders.selectors import (
    order_detail_prefetch,
    order_for_guest,
    order_for_user,
    order_list_for_user,
    order_list_page_for_user,
    replenishment_opt_outs,
)
from shop.orders.serializers import (
    CancelInput,
    CheckoutInput,
    CheckoutOutput,
    GuestOrderCancelInput,
    GuestOrderLookupInput,
    OrderDetailOutput,
    OrderListOutput,
    PayInput,
    ReorderOutput,
    ReorderProblemOutput,
    ReplenishmentOptOutInput,
    ReplenishmentOptOutOutput,
    ShippingMethodOutput,
    WebhookOutput,
    checkout_output,
    order_list_rows,
    shipping_methods_output,
)
from skincare.api import user_pages
from skincare.api.error_docs import raises
from skincare.api.pagination import PagePagination, paginated_response, plain_page_number
from skincare.errors import ApplicationError

TAGS = ["orders"]
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{1,100}$")
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Retrying with the same key returns the first order (200) instead of placing another.",
)


def _idempotency_key(request):
    key = request.headers.get("Idempotency-Key", "").strip()
    if key and not IDEMPOTENCY_KEY.match(key):
        raise ApplicationError(
            error_codes.IDEMPOTENCY_KEY_INVALID,
            gettext("Idempotency-Key must be 1-100 letters, digits or - _ : ."),
            errors={"Idempotency-Key": [gettext("Invalid format.")]},
        )
    return key


def _own_order(request, order_number):
    order = order_for_user(user=request.user, order_number=order_number)
    if order is None:
        raise ApplicationError(error_codes.ORDER_NOT_FOUND, gettext("Order not found."))
    return order


class OrderListCreateApi(generics.ListAPIView):
    serializer_class = OrderListOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = MyOrderFilter

    def get_permissions(self):
        """Guests may check out (with an e-mail address); the list is the signed-in user's."""
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no signed-in user
            return Order.objects.none()
        return order_list_for_user(user=self.request.user)

    @raises()
    @extend_schema(tags=TAGS, summary="My orders")
    def get(self, request, *args, **kwargs):
        params = request.query_params
        page = None if any(name not in ("page", "per_page") for name in params) else plain_page_number(params)
        if page is not None:  # no filter, a page by its number: cached, else rows and total in one statement
            paginator = self.paginator
            per_page = paginator.get_page_size(request)
            user_id = request.user.pk
            cached, tag = user_pages.cached_page(list_cache.SCOPE, user_id, (page, per_page))
            if cached is not None:
                return cached
            rows, total = order_list_page_for_user(user=request.user, offset=(page - 1) * per_page, limit=per_page)
            if total is not None or page == 1:
                data = order_list_rows(rows)
                response = paginator.page_response(data, number=page, per_page=per_page, total=total or 0)
                return user_pages.store_page(list_cache.SCOPE, user_id, (page, per_page), tag, response, self)
        # Filters, ``page=last``, a page past the end (404): the generic list, its answers and errors.
        return super().get(request, *args, **kwargs)

    @raises(
        OrderErrorCode.ADDRESS_NOT_FOUND,
        OrderErrorCode.ADDRESS_REQUIRED,
        OrderErrorCode.CART_EMPTY,
        *COUPON_REFUSALS,
        OrderErrorCode.IDEMPOTENCY_KEY_INVALID,
        OrderErrorCode.PAYMENT_METHOD_UNAVAILABLE,
        CartErrorCode.CART_NOT_FOUND,
        OrderErrorCode.CART_UNAVAILABLE_ITEMS,
        OrderErrorCode.INVALID_STATUS_TRANSITION,
        OrderErrorCode.OUT_OF_STOCK,
        OrderErrorCode.EMAIL_REQUIRED,
        OrderErrorCode.SHIPPING_METHOD_UNAVAILABLE,
    )
    @extend_schema(
        tags=TAGS,
        summary="Check out the cart",
        description="Signed in: the user's cart. Guest (no Authorization): the cart of `X-Cart-Token`, "
        "with `email` and a typed `shipping_address`; find the order again with POST /orders/lookup.",
        parameters=[IDEMPOTENCY_HEADER],
        request=CheckoutInput,
        responses={201: CheckoutOutput, 200: CheckoutOutput},
    )
    def post(self, request):
        key = _idempotency_key(request)
        data = CheckoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        guest = not request.user.is_authenticated
        # A signed-in shopper's cart is found by the statement that locks it (``services.order_place``).
        cart = cart_resolve(request=request, create=False) if guest else None
        if guest and cart is None:
            raise ApplicationError(CartErrorCode.CART_NOT_FOUND, gettext("Your cart is empty."))
        order, created, charge = services.order_place(
            user=None if guest else request.user,
            email=values.get("email", "") if guest else "",
            customer_name=values.get("customer_name", ""),
            shipping_method=values.get("shipping_method", ""),
            cart=cart,
            idempotency_key=key,
            payment_method=values["payment_method"],
            payment_data={"card_number": values.get("card_number", "")},
            address_id=values.get("address_id"),
            shipping_address=values.get("shipping_address"),
            billing_address=values.get("billing_address"),
            notes=values.get("notes", ""),
        )
        if created:
            order = order_detail_prefetch(order=order)  # placed just now, and re-read after its charge
        elif guest:
            order = order_for_guest(order_number=order.order_number, email=order.customer_email)
        else:
            order = order_for_user(user=request.user, order_number=order.order_number)
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return Response(
            checkout_output(order, charge, request=request),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers=headers,
        )


class OrderDetailApi(APIView):
    @raises(OrderErrorCode.ORDER_NOT_FOUND)
    @extend_schema(tags=TAGS, responses=OrderDetailOutput, summary="One of my orders")
    def get(self, request, order_number):
        return Response(OrderDetailOutput(_own_order(request, order_number), context={"request": request}).data)


class OrderCancelApi(APIView):
    @raises(
        OrderErrorCode.PAYMENT_METHOD_UNAVAILABLE,
        OrderErrorCode.ORDER_NOT_FOUND,
        OrderErrorCode.INVALID_STATUS_TRANSITION,
        OrderErrorCode.ORDER_NOT_CANCELLABLE,
    )
    @extend_schema(
        tags=TAGS, request=CancelInput, responses=OrderDetailOutput, summary="Cancel a pending/confirmed order"
    )
    def post(self, request, order_number):
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = _own_order(request, order_number)
        services.order_cancel(order=order, by=request.user, reason=data.validated_data["reason"])
        return Response(OrderDetailOutput(_own_order(request, order_number), context={"request": request}).data)


class OrderPayApi(APIView):
    @raises(
        OrderErrorCode.PAYMENT_METHOD_UNAVAILABLE,
        OrderErrorCode.ORDER_NOT_FOUND,
        OrderErrorCode.INVALID_STATUS_TRANSITION,
        OrderErrorCode.PAYMENT_IN_PROGRESS,
        OrderErrorCode.PAYMENT_NOT_ALLOWED,
    )
    @extend_schema(tags=TAGS, request=PayInput, responses=CheckoutOutput, summary="Retry payment of a pending order")
    def post(self, request, order_number):
        data = PayInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = _own_order(request, order_number)
        order, charge = services.order_pay(
            order=order,
            payment_method=data.validated_data["payment_method"],
            payment_data={"card_number": data.validated_data.get("card_number", "")},
        )
        return Response(checkout_output(_own_order(request, order_number), charge, request=request))


class _GuestProofApi(APIView):
    """Anyone with a guest order's number and e-mail, at the ``order_lookup`` rate."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "order_lookup"


class GuestOrderLookupApi(_GuestProofApi):
    """A guest finds an order again with its number and e-mail. Rate-limited (``order_lookup`` scope)
    and one answer for a wrong number or a wrong e-mail, so it cannot be used to probe either."""

    @raises(OrderErrorCode.ORDER_NOT_FOUND)
    @extend_schema(
        tags=TAGS,
        summary="Find a guest order by number and e-mail",
        request=GuestOrderLookupInput,
        responses=OrderDetailOutput,
        auth=[],
    )
    def post(self, request):
        data = GuestOrderLookupInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = _guest_order(data.validated_data)
        return Response(OrderDetailOutput(order, context={"request": request}).data)


def _guest_order(proof):
    """The guest order that the number and e-mail prove; one 404 for a wrong number or e-mail."""
    order = order_for_guest(order_number=proof["order_number"].strip(), email=proof["email"])
    if order is None:
        raise ApplicationError(
            error_codes.ORDER_NOT_FOUND, gettext("No guest order has this number and e-mail address.")
        )
    return order


class GuestOrderCancelApi(_GuestProofApi):
    """A guest cancels their pending or confirmed order with the proof that finds it (number and
    e-mail): stock and coupon use return, what was paid is refunded. Shares the lookup's rate limit."""

    @raises(OrderErrorCode.ORDER_NOT_FOUND, OrderErrorCode.ORDER_NOT_CANCELLABLE)
    @extend_schema(
        tags=TAGS,
        summary="Cancel a guest order with its number and e-mail",
        request=GuestOrderCancelInput,
        responses=OrderDetailOutput,
        auth=[],
    )
    def post(self, request):
        data = GuestOrderCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = _guest_order(data.validated_data)
        services.guest_order_cancel(order=order, reason=data.validated_data["reason"])
        return Response(OrderDetailOutput(_guest_order(data.validated_data), context={"request": request}).data)


class ShippingMethodListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises()
    @extend_schema(
        tags=TAGS,
        summary="Shipping methods and their price rule",
        responses=ShippingMethodOutput(many=True),
        auth=[],
    )
    def get(self, request):
        return paginated_response(self, request, shipping_methods_output())


class OrderReorderApi(APIView):
    @raises(OrderErrorCode.ORDER_NOT_FOUND, CartErrorCode.CART_NOT_FOUND)
    @extend_schema(
        tags=TAGS,
        request=None,
        responses=ReorderOutput,
        summary="Put an order's items back in my cart",
        description="Each line goes through the cart's own checks; the ones that cannot (unavailable, "
        "out of stock, over the line limit) are listed in `unavailable` and the rest are added.",
    )
    def post(self, request, order_number):
        order = _own_order(request, order_number)
        cart = cart_for_user(user=request.user)
        added, problems = services.order_reorder(cart=cart, order=order)
        cart = Cart.objects.get(pk=cart.pk)  # fresh updated_at after the changes
        prices, coupon, problem = cart_price(cart, user=request.user)
        unavailable = [
            {"item_id": item.pk, "product_name": item.product_name, "code": exc.error_code, "message": exc.message}
            for item, exc in problems
        ]
        # The cart is already the cart API's answer (``cart_output``): rendered once, not fed through
        # ``ReorderOutput`` again, whose image fields read products, not rendered images.
        return Response(
            {
                "added": added,
                "unavailable": ReorderProblemOutput(unavailable, many=True).data,
                "cart": cart_output(
                    cart=cart,
                    prices=prices,
                    coupon=coupon,
                    coupon_problem=problem,
                    include_token=False,
                    request=request,
                ),
            }
        )


class ReplenishmentOptOutListApi(APIView):
    pagination_class = PagePagination

    @raises()
    @extend_schema(
        tags=TAGS, responses=ReplenishmentOptOutOutput(many=True), summary="Products I get no running-low reminders for"
    )
    def get(self, request):
        rows = replenishment_opt_outs(user=request.user)
        return paginated_response(
            self, request, rows, render=lambda page: ReplenishmentOptOutOutput(page, many=True).data
        )

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(
        tags=TAGS,
        request=ReplenishmentOptOutInput,
        responses={201: ReplenishmentOptOutOutput},
        summary="No running-low reminders for a product",
    )
    def post(self, request):
        data = ReplenishmentOptOutInput(data=request.data)
        data.is_valid(raise_exception=True)
        opt_out = services.replenishment_opt_out(
            user=request.user, product_id=data.validated_data["product_id"], enabled=False
        )
        opt_out = replenishment_opt_outs(user=request.user).get(pk=opt_out.pk)
        return Response(ReplenishmentOptOutOutput(opt_out).data, status=status.HTTP_201_CREATED)


class ReplenishmentOptOutApi(APIView):
    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(tags=TAGS, responses={204: None}, summary="Running-low reminders for a product again")
    def delete(self, request, product_id):
        services.replenishment_opt_out(user=request.user, product_id=product_id, enabled=True)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StripeWebhookApi(APIView):
    """Stripe calls this; the signature (not a login) authenticates it."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @raises(
        OrderErrorCode.PAYMENT_METHOD_UNAVAILABLE,
        OrderErrorCode.WEBHOOK_SIGNATURE_INVALID,
        OrderErrorCode.INVALID_STATUS_TRANSITION,
    )
    @extend_schema(
        tags=["payments"],
        parameters=[
            OpenApiParameter(
                "Stripe-Signature", str, OpenApiParameter.HEADER, required=True, description="Stripe's signature."
            )
        ],
        request={"application/json": OpenApiTypes.OBJECT},
        responses=WebhookOutput,
        auth=[],
        description="A Stripe event; only payment_intent.succeeded and payment_intent.payment_failed change anything.",
    )
    def post(self, request):
        try:
            event = verify_signature(
                payload=request.body,
                header=request.headers.get("Stripe-Signature", ""),
                secret=settings.STRIPE_WEBHOOK_SECRET,
            )
        except SignatureError as exc:
            raise ApplicationError(error_codes.WEBHOOK_SIGNATURE_INVALID, str(exc)) from exc
        kind = event.get("type", "")
        intent = (event.get("data") or {}).get("object") or {}
        outcome = {
            "payment_intent.succeeded": PaymentRecordStatus.COMPLETED,
            "payment_intent.payment_failed": PaymentRecordStatus.FAILED,
        }.get(kind)
        if outcome is not None and intent.get("id"):
            payment = Payment.objects.filter(provider_transaction_id=intent["id"], payment_provider="stripe").first()
            if payment is not None:
                error = (intent.get("last_payment_error") or {}).get("message", "")
                services.payment_record_result(
                    payment_id=payment.pk,
                    status_=outcome,
                    transaction_id=intent["id"],
                    response={"event": event.get("id"), "status": intent.get("status")},
                    failure_message=error,
                )
        return Response({"received": True})
