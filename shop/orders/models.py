"""Orders, order lines, status history, payments and refunds (seeds 001 and 003).

Database constraints guard the money rules: ``total = subtotal + tax + shipping - discount``,
non-negative amounts, a line's ``total_price = unit_price * quantity``, a payment's
refunded amount never above what was paid, and at most one charge attempt in flight
(``processing``) per order.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round

from shop.cart.shipping import method_name
from shop.orders.list_cache import OrderItemQuerySet, OrderQuerySet

ZERO = Decimal("0.00")


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    PROCESSING = "processing", "Processing"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    FAILED = "failed", "Failed"


class FulfillmentStatus(models.TextChoices):
    UNFULFILLED = "unfulfilled", "Unfulfilled"
    PARTIAL = "partial", "Partially fulfilled"
    FULFILLED = "fulfilled", "Fulfilled"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    CASH_ON_DELIVERY = "cash_on_delivery", "Cash on delivery"


class Order(models.Model):
    order_number = models.CharField(max_length=50, unique=True)
    # No index of its own: ``(user, -created_at)`` below serves every look-up by user (and the deletes).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        db_index=False,
    )
    customer_name = models.CharField(max_length=255, blank=True)
    customer_email = models.EmailField(max_length=255)

    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=10, decimal_places=2)
    tax_amount = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    shipping_amount = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    discount_amount = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=10, decimal_places=2)

    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    payment_status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    fulfillment_status = models.CharField(
        max_length=20, choices=FulfillmentStatus.choices, default=FulfillmentStatus.UNFULFILLED
    )
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.CARD)
    payment_provider = models.CharField(max_length=30, blank=True)
    shipping_method = models.CharField(
        max_length=30, default="standard", help_text="A code of settings.SHIPPING_METHODS, priced at checkout."
    )

    coupon = models.ForeignKey(
        "coupons.Coupon", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    coupon_code = models.CharField(max_length=50, blank=True)

    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    admin_notes = models.TextField(blank=True, help_text="Staff only: never shown to the shopper.")
    tracking_number = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    # Queryset writes drop the cached order lists (shop.orders.list_cache).
    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                # Round(): SQLite stores decimals as floats; on PostgreSQL numeric it changes nothing.
                condition=Q(
                    total=Round(F("subtotal") + F("tax_amount") + F("shipping_amount") - F("discount_amount"), 2)
                ),
                name="orders_order_total_rule",
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0)
                & Q(tax_amount__gte=0)
                & Q(shipping_amount__gte=0)
                & Q(discount_amount__gte=0)
                & Q(total__gte=0),
                name="orders_order_amounts_gte_0",
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], condition=~Q(idempotency_key=""), name="orders_order_idempotency"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            # Guest orders claimed by e-mail when their owner verifies an account.
            models.Index(fields=["customer_email"], condition=Q(user__isnull=True), name="orders_guest_email"),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["payment_status"]),
        ]

    def __str__(self):
        return self.order_number

    @property
    def shipping_method_name(self):
        """The method's name in the active language (the code when it is no longer configured)."""
        return method_name(self.shipping_method)


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    # No index of its own: ``(product, order)`` below serves every look-up by product (and the deletes).
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="order_items", db_index=False)
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_items"
    )
    product_name = models.CharField(max_length=255)
    # Snapshots taken at checkout, so later catalog edits do not change a past order.
    variant_name = models.CharField(max_length=80, blank=True)
    variant_kind = models.CharField(max_length=10, blank=True, help_text='"size" or "shade" (empty: no variant)')
    image_file = models.ForeignKey(
        "files.UploadedFile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
        help_text="The product's primary image at checkout; its blobs are kept while an order line shows it.",
    )
    product_sku = models.CharField(max_length=100, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    total_price = models.DecimalField(max_digits=10, decimal_places=2)
    runs_out_on = models.DateField(
        null=True, blank=True, help_text="Estimated when delivered (shop.orders.replenishment); null: no estimate."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Queryset writes drop the cached order lists (shop.orders.list_cache).
    objects = OrderItemQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_item_quantity_gt_0"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orders_item_unit_price_gte_0"),
            models.CheckConstraint(
                condition=Q(total_price=Round(F("unit_price") * F("quantity"), 2)), name="orders_item_total_rule"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "order"]),
            models.Index(fields=["runs_out_on"], condition=Q(runs_out_on__isnull=False), name="orders_item_runs_out"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_name}"


class OrderEventType(models.TextChoices):
    PLACED = "placed", "Placed"
    STATUS_CHANGED = "status_changed", "Status changed"
    PAYMENT_STATUS_CHANGED = "payment_status_changed", "Payment status changed"
    FULFILLMENT_STATUS_CHANGED = "fulfillment_status_changed", "Fulfilment status changed"
    PAID = "paid", "Paid"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    SHIPPED = "shipped", "Shipped"
    REFUNDED = "refunded", "Refunded"
    NOTE = "note", "Note"


class OrderEvent(models.Model):
    """The order's history (status changes, payments, shipping, refunds) for staff and the shopper."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=30, choices=OrderEventType.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.order_id} {self.type}"


class PaymentRecordStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class Payment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    payment_method = models.CharField(max_length=50)
    payment_provider = models.CharField(max_length=50)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    refunded_amount = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PaymentRecordStatus.choices, default=PaymentRecordStatus.PENDING)
    transaction_id = models.CharField(max_length=255, blank=True)  # shown, never looked up
    provider_transaction_id = models.CharField(max_length=255, blank=True, db_index=True)
    provider_response = models.JSONField(default=dict, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="orders_payment_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="orders_payment_refund_lte_amount",
            ),
            # At most one charge attempt in flight per order, whatever the provider.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="processing"), name="orders_payment_one_in_flight"
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.payment_provider} {self.amount} {self.status}"

    @property
    def refundable_amount(self):
        if self.status not in (PaymentRecordStatus.COMPLETED, PaymentRecordStatus.REFUNDED):
            return ZERO
        return self.amount - self.refunded_amount


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class PaymentRefund(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    provider_refund_id = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="orders_refund_amount_gt_0")]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"refund {self.amount} of {self.payment_id}"


class PaymentRefundLine(models.Model):
    """Which order lines (and how many of each) a refund paid back; their sum bounds later line refunds."""

    refund = models.ForeignKey(PaymentRefund, on_delete=models.CASCADE, related_name="lines")
    order_item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="refund_lines")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    restocked = models.BooleanField(default=False, help_text="The quantity went back to stock (not shipped yet).")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_refundline_quantity_gt_0"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="orders_refundline_amount_gte_0"),
        ]

    def __str__(self):
        return f"{self.quantity} of item {self.order_item_id}"


class ReplenishmentReminder(models.Model):
    """A "running low?" reminder sent for one delivered order line: at most one per purchase."""

    order_item = models.OneToOneField(OrderItem, on_delete=models.CASCADE, related_name="replenishment_reminder")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    runs_out_on = models.DateField()
    run = models.UUIDField(db_index=True, help_text="The task run that sent it (tells a run its own rows).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"reminder for item {self.order_item_id}"


class ProductUsage(models.Model):
    """How often shoppers say they use a product: the mean applications a day of the approved reviews
    that report it (kept by ``reviews``), which scales the run-out estimate once there are enough."""

    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, primary_key=True, related_name="replenishment_usage"
    )
    uses_per_day = models.DecimalField(max_digits=6, decimal_places=3)
    reports = models.PositiveIntegerField(help_text="Approved reviews that said how often they use it")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(uses_per_day__gt=0), name="orders_product_usage_positive")
        ]

    def __str__(self):
        return f"{self.product_id}: {self.uses_per_day} a day from {self.reports} reviews"


class ReplenishmentOptOut(models.Model):
    """The shopper does not want running-low reminders for this product."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="orders_replenish_optout_unique")]

    def __str__(self):
        return f"{self.user_id} opted out of {self.product_id}"
