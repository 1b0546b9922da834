from django.contrib import admin, messages

from shop.orders import services
from shop.orders.models import Order, OrderEvent, OrderItem, OrderStatus, Payment, PaymentRefund
from skincare.errors import ApplicationError


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    can_delete = False
    readonly_fields = [
        "product",
        "variant",
        "product_name",
        "variant_name",
        "product_sku",
        "quantity",
        "unit_price",
        "total_price",
    ]

    def has_add_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    readonly_fields = ["payment_provider", "amount", "refunded_amount", "status", "transaction_id", "processed_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["type", "user", "data", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


def _transition(new_status):
    def action(modeladmin, request, queryset):
        done = 0
        for order in queryset.order_by("pk"):
            try:
                services.order_status_update(order=order, new_status=new_status, by=request.user)
                done += 1
            except ApplicationError as exc:
                modeladmin.message_user(request, f"{order}: {exc.message}", messages.WARNING)
        modeladmin.message_user(request, f"{done} order(s) set to {new_status}.")

    action.__name__ = f"mark_{new_status}"
    action.short_description = f"Mark selected orders {new_status}"
    action.allowed_permissions = ("change",)
    return action


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Money, status and stock change only through the services (actions / staff API)."""

    list_display = [
        "order_number",
        "customer_email",
        "total",
        "status",
        "payment_status",
        "fulfillment_status",
        "created_at",
    ]
    list_filter = ["status", "payment_status", "fulfillment_status", "payment_method", "created_at"]
    search_fields = ["order_number", "customer_email", "tracking_number"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    inlines = [OrderItemInline, PaymentInline, OrderEventInline]
    actions = [
        _transition(s)
        for s in (OrderStatus.CONFIRMED, OrderStatus.PROCESSING, OrderStatus.DELIVERED, OrderStatus.CANCELLED)
    ]
    readonly_fields = [
        "order_number", "user", "customer_name", "customer_email", "currency", "subtotal", "tax_amount",
        "shipping_amount", "discount_amount", "total", "status", "payment_status", "fulfillment_status",
        "payment_method", "payment_provider", "coupon", "coupon_code", "shipping_address", "billing_address",
        "idempotency_key", "created_at", "updated_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at",
    ]  # fmt: skip
    fields = [*readonly_fields, "notes", "tracking_number"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentRefund)
class PaymentRefundAdmin(admin.ModelAdmin):
    list_display = ["id", "payment", "amount", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["payment", "amount", "reason", "status", "provider_refund_id", "created_by", "processed_at"]

    def has_add_permission(self, request):
        return False
