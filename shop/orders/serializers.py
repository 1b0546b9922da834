import copy
from decimal import Context, Decimal

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop.cart.serializers import CartOutput
from shop.cart.shipping import NAMES as SHIPPING_METHOD_NAMES
from shop.cart.shipping import shipping_methods
from shop.catalog.media import media_url
from shop.catalog.serializers import ImageSerializer, product_image
from shop.orders.models import (
    FulfillmentStatus,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentRefund,
    PaymentRefundLine,
    PaymentStatus,
)
from shop.orders.selectors import PLACED
from skincare.api.fields import CurrencyField, datetime_text


class AddressInput(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    address_line1 = serializers.CharField(max_length=255)
    address_line2 = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20)
    country = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class CheckoutInput(serializers.Serializer):
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.CARD)
    card_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="Test provider only (see docs/checkout.md)."
    )
    address_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    shipping_address = AddressInput(required=False)
    billing_address = AddressInput(required=False)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    shipping_method = serializers.ChoiceField(
        choices=list(SHIPPING_METHOD_NAMES),
        required=False,
        help_text="A code from GET /api/v1/shipping-methods; the first one when left out.",
    )
    email = serializers.EmailField(
        max_length=255,
        required=False,
        help_text="Guests only (no Authorization): where the confirmation goes; the order is found again "
        "with its number and this address, and joins the account verified with it later.",
    )
    customer_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def get_fields(self):
        """DRF deep-copies the declared fields for each serializer (``Field.__deepcopy__`` runs each field's
        ``__init__`` again); a checkout builds one per request. Here the plain fields are copied shallowly: an
        unbound declared field holds what its ``__init__`` set, which nothing changes later (``bind`` sets
        attributes of the copy). The nested address serializers keep DRF's deep copy (fields of their own)."""
        return {
            name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
            for name, field in self._declared_fields.items()
        }

    def validate(self, attrs):
        if "address_id" in attrs and "shipping_address" in attrs:
            raise serializers.ValidationError(
                {"address_id": [gettext("Give address_id or shipping_address, not both.")]}
            )
        return attrs


class PayInput(serializers.Serializer):
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.CARD)
    card_number = serializers.CharField(max_length=30, required=False, allow_blank=True)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _snapshot_image(item, request):
    file = item.image_file
    return {
        "id": file.id,
        "url": media_url(file, request=request),
        "thumbnail": media_url(file, size="small", request=request),
        "thumbnails": {name: media_url(file, size=name, request=request) for name in sorted(file.thumbnails or {})},
        "width": file.width,
        "height": file.height,
        "alt_text": item.product_name,
        "alt_text_km": "",
        "sort_order": 0,
        "is_primary": True,
    }


class OrderItemOutput(serializers.ModelSerializer):
    product_name_km = serializers.CharField(source="product.name_km", help_text="The product's Khmer name today.")
    image = serializers.SerializerMethodField(
        help_text="The product's primary image when the order was placed (orders placed before image "
        "snapshots: the product's primary image today)."
    )
    refunded_quantity = serializers.SerializerMethodField(help_text="Units of this line refunded so far.")

    def get_image(self, item) -> ImageSerializer(allow_null=True):
        if item.image_file_id:
            return _snapshot_image(item, self.context.get("request"))
        return product_image(item.product, request=self.context.get("request"))

    def get_refunded_quantity(self, item) -> int:
        return sum(line.quantity for line in item.refund_lines.all())

    class Meta:
        model = OrderItem
        fields = [
            "id",
            "product_id",
            "variant_id",
            "product_name",
            "product_name_km",
            "variant_name",
            "variant_kind",
            "product_sku",
            "quantity",
            "unit_price",
            "total_price",
            "image",
            "refunded_quantity",
        ]
        read_only_fields = fields  # an answer: every field is always sent (required in the schema)


class PaymentOutput(serializers.ModelSerializer):
    currency = CurrencyField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "payment_method",
            "payment_provider",
            "amount",
            "refunded_amount",
            "currency",
            "status",
            "failure_message",
            "processed_at",
            "created_at",
        ]
        read_only_fields = fields  # an answer: every field is always sent (required in the schema)


class OrderAddressOutput(serializers.Serializer):
    """The address as it was at checkout (a snapshot; later edits of the address book do not change it)."""

    first_name = serializers.CharField()
    last_name = serializers.CharField()
    company = serializers.CharField()
    address_line1 = serializers.CharField()
    address_line2 = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()
    phone = serializers.CharField()


class OrderEventOutput(serializers.ModelSerializer):
    data = extend_schema_field(
        {"type": "object", "additionalProperties": True, "description": "Details of the event; keys depend on type."}
    )(serializers.JSONField(read_only=True))

    class Meta:
        model = OrderEvent
        fields = ["type", "data", "created_at"]


MONEY_FIELDS = ["subtotal", "tax_amount", "shipping_amount", "discount_amount", "total"]
STATUS_FIELDS = ["status", "payment_status", "fulfillment_status", "payment_method", "shipping_method"]
CENT = Decimal("0.01")
MONEY_CONTEXT = Context(prec=10)  # the columns' max_digits, as DRF's DecimalField quantizes


class OrderListOutput(serializers.ModelSerializer):
    currency = CurrencyField()
    item_count = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["order_number", "currency", *MONEY_FIELDS, *STATUS_FIELDS, "item_count", "created_at"]
        read_only_fields = fields  # an answer: every field is always sent (required in the schema)

    def get_item_count(self, order) -> int:
        """Units bought, annotated by the list selectors (``_with_item_count``)."""
        return order.item_count


def _money(value):
    """A money column as ``DecimalField(max_digits=10, decimal_places=2)`` writes it: two places, plain digits."""
    return f"{value.quantize(CENT, context=MONEY_CONTEXT):f}"


def order_list_rows(rows):
    """``OrderListOutput`` of the value rows of ``order_list_page_for_user``, without a serializer per row
    (the same keys, in the same order, with the same values: ``test_order_list_rows_match_the_serializer``)."""
    zone = timezone.get_current_timezone()
    return [
        {
            "order_number": row["order_number"],
            "currency": row["currency"],
            "subtotal": _money(row["subtotal"]),
            "tax_amount": _money(row["tax_amount"]),
            "shipping_amount": _money(row["shipping_amount"]),
            "discount_amount": _money(row["discount_amount"]),
            "total": _money(row["total"]),
            "status": row["status"],
            "payment_status": row["payment_status"],
            "fulfillment_status": row["fulfillment_status"],
            "payment_method": row["payment_method"],
            "shipping_method": row["shipping_method"],
            "item_count": row["item_count"],
            "created_at": datetime_text(row["created_at"], zone),
        }
        for row in rows
    ]


class OrderDetailOutput(serializers.ModelSerializer):
    currency = CurrencyField()
    shipping_address = extend_schema_field(OrderAddressOutput)(serializers.JSONField(read_only=True))
    billing_address = extend_schema_field(OrderAddressOutput)(serializers.JSONField(read_only=True))
    items = OrderItemOutput(many=True)
    payments = PaymentOutput(many=True)
    events = OrderEventOutput(many=True)

    class Meta:
        model = Order
        fields = [
            "order_number",
            "customer_name",
            "customer_email",
            "currency",
            *MONEY_FIELDS,
            *STATUS_FIELDS,
            "coupon_code",
            "shipping_address",
            "billing_address",
            "notes",
            "tracking_number",
            "items",
            "payments",
            "events",
            "created_at",
            "updated_at",
            "paid_at",
            "shipped_at",
            "delivered_at",
            "cancelled_at",
        ]
        read_only_fields = fields  # an answer: every field is always sent (required in the schema)


class CheckoutOutput(OrderDetailOutput):
    client_secret = serializers.CharField(required=False, help_text="Stripe only: confirm the intent with it.")
    payment_error = serializers.CharField(required=False)

    class Meta(OrderDetailOutput.Meta):
        fields = [*OrderDetailOutput.Meta.fields, "client_secret", "payment_error"]


def _choice(value):
    """A choice column as DRF's ``ChoiceField`` writes it."""
    return value if value in ("", None) else str(value)


def _placed_item_data(item, request):
    return {
        "id": item.id,
        "product_id": item.product_id,
        "variant_id": item.variant_id,
        "product_name": item.product_name,
        "product_name_km": item.product.name_km,
        "variant_name": item.variant_name,
        "variant_kind": item.variant_kind,
        "product_sku": item.product_sku,
        "quantity": item.quantity,
        "unit_price": _money(item.unit_price),
        "total_price": _money(item.total_price),
        "image": _snapshot_image(item, request) if item.image_file_id else None,
        "refunded_quantity": 0,
    }


def placed_order_data(order, *, request=None):
    """``OrderDetailOutput(order).data`` of an order ``order_place`` has just created, built from what it
    wrote (``selectors.order_detail_prefetch``: the lines as inserted, each with its image file or none,
    no refund yet; the one payment as recorded; the events as written) without DRF's field machinery, which
    cost a checkout about a tenth of its CPU. The same keys in the same order with the same values:
    ``test_the_checkout_answer_equals_the_order_read_again``."""
    zone = timezone.get_current_timezone()
    payment = order.placed_payment
    return {
        "order_number": order.order_number,
        "customer_name": order.customer_name,
        "customer_email": order.customer_email,
        "currency": _choice(order.currency),
        **{name: _money(getattr(order, name)) for name in MONEY_FIELDS},
        **{name: _choice(getattr(order, name)) for name in STATUS_FIELDS},
        "coupon_code": order.coupon_code,
        "shipping_address": order.shipping_address,
        "billing_address": order.billing_address,
        "notes": order.notes,
        "tracking_number": order.tracking_number,
        "items": [_placed_item_data(item, request) for item in order.placed_items],
        "payments": [
            {
                "id": payment.id,
                "payment_method": _choice(payment.payment_method),
                "payment_provider": payment.payment_provider,
                "amount": _money(payment.amount),
                "refunded_amount": _money(payment.refunded_amount),
                "currency": _choice(payment.currency),
                "status": _choice(payment.status),
                "failure_message": payment.failure_message,
                "processed_at": datetime_text(payment.processed_at, zone),
                "created_at": datetime_text(payment.created_at, zone),
            }
        ],
        "events": [
            {"type": _choice(event.type), "data": event.data, "created_at": datetime_text(event.created_at, zone)}
            for event in order.placed_events
        ],
        **{
            name: datetime_text(getattr(order, name), zone)
            for name in ("created_at", "updated_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at")
        },
    }


def checkout_output(order, charge, *, request=None):
    if all(getattr(order, name, None) is not None for name in PLACED):
        data = placed_order_data(order, request=request)
    else:
        data = OrderDetailOutput(order, context={"request": request}).data
    if charge is not None:
        if charge.client_secret:
            data["client_secret"] = charge.client_secret
        if charge.failure_message:
            data["payment_error"] = charge.failure_message
    return data


# --- Staff ----------------------------------------------------------------------------------


class RefundLineOutput(serializers.ModelSerializer):
    item_id = serializers.IntegerField(source="order_item_id")

    class Meta:
        model = PaymentRefundLine
        fields = ["item_id", "quantity", "amount", "restocked"]
        read_only_fields = fields


class RefundOutput(serializers.ModelSerializer):
    lines = RefundLineOutput(many=True, read_only=True, help_text="The order lines this refund paid back (if any).")

    class Meta:
        model = PaymentRefund
        fields = [
            "id",
            "payment_id",
            "amount",
            "reason",
            "status",
            "provider_refund_id",
            "processed_at",
            "created_at",
            "lines",
        ]


class StaffPaymentOutput(PaymentOutput):
    refunds = RefundOutput(many=True)

    class Meta(PaymentOutput.Meta):
        fields = [*PaymentOutput.Meta.fields, "transaction_id", "provider_transaction_id", "refunds"]


class StaffOrderListOutput(OrderListOutput):
    class Meta(OrderListOutput.Meta):
        fields = [*OrderListOutput.Meta.fields, "customer_email", "customer_name", "user_id", "tracking_number"]


class StaffOrderDetailOutput(OrderDetailOutput):
    payments = StaffPaymentOutput(many=True)

    class Meta(OrderDetailOutput.Meta):
        fields = [*OrderDetailOutput.Meta.fields, "user_id", "coupon_id", "idempotency_key", "admin_notes"]


class StaffOrderUpdateInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices, required=False)
    fulfillment_status = serializers.ChoiceField(choices=FulfillmentStatus.choices, required=False)
    tracking_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    admin_notes = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text="Staff only; never shown to the shopper."
    )
    payment_reference = serializers.CharField(
        max_length=255,
        required=False,
        help_text="Required with payment_status=paid: the receipt or transfer reference of the money taken.",
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(gettext("Nothing to update."))
        if attrs.get("payment_status") == PaymentStatus.PAID and not attrs.get("payment_reference", "").strip():
            raise serializers.ValidationError(
                {"payment_reference": [gettext("Marking an order paid needs the payment reference.")]}
            )
        if "payment_reference" in attrs and attrs.get("payment_status") != PaymentStatus.PAID:
            raise serializers.ValidationError({"payment_reference": [gettext("Only with payment_status=paid.")]})
        return attrs


class ShipInput(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=100)


class BulkUpdateInput(serializers.Serializer):
    order_numbers = serializers.ListField(child=serializers.CharField(max_length=50), min_length=1, max_length=200)
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    fulfillment_status = serializers.ChoiceField(choices=FulfillmentStatus.choices, required=False)

    def validate(self, attrs):
        if not attrs.get("status") and not attrs.get("fulfillment_status"):
            raise serializers.ValidationError(gettext("Give status or fulfillment_status."))
        return attrs


class RefundLineInput(serializers.Serializer):
    item_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="An order line's id.")
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class RefundInput(serializers.Serializer):
    """Money leaves the shop only when asked for explicitly: an amount, ``full: true`` or ``lines``."""

    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="How much to refund; or leave it out and send full=true.",
    )
    full = serializers.BooleanField(required=False, default=False, help_text="Refund all that is left.")
    lines = RefundLineInput(
        many=True,
        required=False,
        max_length=200,
        help_text="Refund these lines (units): the amount is computed from them; units not shipped yet go "
        "back to stock.",
    )
    include_shipping = serializers.BooleanField(
        required=False, default=False, help_text="With lines: also refund the shipping paid (once)."
    )
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        given = [name for name in ("amount", "lines") if name in attrs] + (["full"] if attrs["full"] else [])
        if len(given) > 1:
            raise serializers.ValidationError({given[0]: [gettext("Give one of amount, full=true or lines.")]})
        if not given:
            raise serializers.ValidationError({"amount": [gettext("Give the amount to refund, full=true or lines.")]})
        if "lines" in attrs and not attrs["lines"]:
            raise serializers.ValidationError({"lines": [gettext("Choose at least one line.")]})
        if attrs["include_shipping"] and "lines" not in attrs:
            raise serializers.ValidationError({"include_shipping": [gettext("Only with lines.")]})
        return attrs


# --- Documentation of the hand-built staff answers (the views return plain dicts) ------------

MONEY = {"max_digits": 10, "decimal_places": 2}


class DashboardSalesOutput(serializers.Serializer):
    orders = serializers.IntegerField()
    revenue = serializers.DecimalField(**MONEY)


class DashboardSalesPeriodsOutput(serializers.Serializer):
    today = DashboardSalesOutput()
    last_7_days = DashboardSalesOutput()
    last_30_days = DashboardSalesOutput()


OrdersByStatusOutput = type(
    "OrdersByStatusOutput",
    (serializers.Serializer,),
    {value: serializers.IntegerField() for value in OrderStatus.values},
)


class DashboardRecentOrderOutput(serializers.Serializer):
    order_number = serializers.CharField()
    customer_email = serializers.EmailField()
    total = serializers.DecimalField(**MONEY)
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices)
    created_at = serializers.DateTimeField()


class DashboardTopProductOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    quantity = serializers.IntegerField()
    revenue = serializers.DecimalField(**MONEY)


class DashboardLowStockOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField()
    stock_quantity = serializers.IntegerField()
    low_stock_threshold = serializers.IntegerField()


class DashboardOutput(serializers.Serializer):
    """What ``selectors.dashboard`` returns (cancelled orders are not counted as sales)."""

    sales = DashboardSalesPeriodsOutput()
    orders_by_status = OrdersByStatusOutput()
    pending_payments = serializers.IntegerField(help_text="Payments pending or processing.")
    recent_orders = DashboardRecentOrderOutput(many=True)
    top_products = DashboardTopProductOutput(many=True, help_text="Best sellers of the last 30 days by quantity.")
    low_stock = DashboardLowStockOutput(many=True)


class WebhookOutput(serializers.Serializer):
    received = serializers.BooleanField()


class ShippingMethodOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(SHIPPING_METHOD_NAMES))
    name = serializers.CharField(help_text="In the request's language.")
    price = serializers.DecimalField(**MONEY)
    free_over = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="Free when the goods (after discounts) cost at least this; null: never."
    )
    currency = CurrencyField()


def shipping_methods_output():
    return [
        ShippingMethodOutput(
            {
                "code": method.code,
                "name": str(method.name),
                "price": method.price,
                "free_over": method.free_over,
                "currency": method.currency,
            }
        ).data
        for method in shipping_methods()
    ]


class GuestOrderLookupInput(serializers.Serializer):
    order_number = serializers.CharField(max_length=50)
    email = serializers.EmailField(max_length=255)


class GuestOrderCancelInput(GuestOrderLookupInput):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReorderProblemOutput(serializers.Serializer):
    item_id = serializers.IntegerField(help_text="The order line that could not go back in the cart.")
    product_name = serializers.CharField()
    code = serializers.CharField(help_text="The cart's refusal code (e.g. PRODUCT_UNAVAILABLE, INSUFFICIENT_STOCK).")
    message = serializers.CharField()


class ReorderOutput(serializers.Serializer):
    added = serializers.IntegerField(help_text="Order lines put back in the cart.")
    unavailable = ReorderProblemOutput(many=True)
    cart = CartOutput()


class ReplenishmentOptOutInput(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class ReplenishmentOptOutOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    product_name = serializers.CharField(source="product.name")
    created_at = serializers.DateTimeField()
