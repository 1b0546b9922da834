"""Orders in the back office: every change goes through ``shop.orders.services``.

The order page offers the workflows (ship with a tracking number, mark delivered, cancel with a
reason, refund a chosen amount with a reason, e-mail the confirmation again), each a small form
posted to the service; it shows the timeline, the payments and their refunds. The list filters by
status, payment and a date range, exports CSV, and its bulk actions say exactly which orders
changed and which were refused, and why.
"""

import csv
from datetime import datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html, format_html_join

from shop.coupons.calculations import ZERO
from shop.orders import services
from shop.orders.models import (
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentRefund,
    RefundStatus,
)
from shop.orders.selectors import TO_SHIP
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
        "variant_kind",
        "image_file",
        "product_sku",
        "quantity",
        "unit_price",
        "total_price",
        "runs_out_on",  # estimated at delivery for replenishment reminders, not typed by staff
    ]

    def has_add_permission(self, request, obj=None):
        return False


# --- List filters -------------------------------------------------------------------------


class DateRangeFilter(admin.FieldListFilter):
    """From / to (inclusive) dates typed into a small form; bad dates are ignored, not a 500."""

    template = "admin/orders/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_since = f"{field_path}__gte"
        self.lookup_until = f"{field_path}__lt"
        self.param_from, self.param_to = f"{field_path}_from", f"{field_path}_to"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.date_from = self._date(self.used_parameters.get(self.param_from))
        self.date_to = self._date(self.used_parameters.get(self.param_to))

    @staticmethod
    def _date(value):
        if isinstance(value, list):
            value = value[-1] if value else None
        try:
            return parse_date(value) if value else None
        except ValueError:
            return None

    def expected_parameters(self):
        return [self.param_from, self.param_to]

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        zone = timezone.get_current_timezone()
        if self.date_from:
            start = timezone.make_aware(datetime.combine(self.date_from, time.min), zone)
            queryset = queryset.filter(**{self.lookup_since: start})
        if self.date_to:
            end = timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min), zone)
            queryset = queryset.filter(**{self.lookup_until: end})
        return queryset

    def choices(self, changelist):
        kept = [
            (key, value)
            for key, values in changelist.params.items()
            if key not in (self.param_from, self.param_to)
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {
            "kept": kept,
            "param_from": self.param_from,
            "param_to": self.param_to,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "clear_url": changelist.get_query_string(remove=[self.param_from, self.param_to]),
        }


# --- Bulk actions -------------------------------------------------------------------------


def report(modeladmin, request, *, verb, changed, refused):
    """One message for what changed (success), one warning per refusal with its reason, and a
    warning instead of a green "0 changed" when nothing changed."""
    if changed:
        numbers = ", ".join(order.order_number for order in changed)
        modeladmin.message_user(request, f"{len(changed)} order(s) {verb}: {numbers}.", messages.SUCCESS)
    for order, reason in refused:
        modeladmin.message_user(request, f"{order.order_number} was not {verb}: {reason}", messages.WARNING)
    if not changed:
        modeladmin.message_user(request, f"No order was {verb}.", messages.WARNING)


def _each(queryset, perform):
    changed, refused = [], []
    for order in queryset.order_by("pk"):
        try:
            perform(order)
            changed.append(order)
        except ApplicationError as exc:
            refused.append((order, exc.message))
    return changed, refused


def _transition(new_status, verb):
    def action(modeladmin, request, queryset):
        changed, refused = _each(
            queryset,
            lambda order: services.order_status_update(order=order, new_status=new_status, by=request.user),
        )
        report(modeladmin, request, verb=verb, changed=changed, refused=refused)

    action.__name__ = f"mark_{new_status}"
    action.short_description = f"Mark selected orders {new_status}"
    action.allowed_permissions = ("change",)
    return action


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.action(description="Cancel selected orders (with a reason)", permissions=["change"])
def cancel_orders(modeladmin, request, queryset):
    """An intermediate page asks the reason once for all the selected orders."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        changed, refused = _each(
            queryset, lambda order: services.order_cancel(order=order, by=request.user, reason=reason, staff=True)
        )
        report(modeladmin, request, verb="cancelled", changed=changed, refused=refused)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Cancel orders",
        "opts": modeladmin.model._meta,
        "orders": queryset.order_by("pk"),
        "form": form,
        "action": "cancel_orders",
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/orders/order/cancel_selected.html", context)


CSV_COLUMNS = [
    "order_number", "created_at", "customer_name", "customer_email", "status", "payment_status",
    "fulfillment_status", "payment_method", "currency", "subtotal", "discount_amount", "shipping_amount",
    "tax_amount", "total", "coupon_code", "tracking_number",
]  # fmt: skip


def _cell(value):
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.action(description="Export selected to CSV", permissions=["view"])
def export_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in queryset.order_by("created_at", "pk").values_list(*CSV_COLUMNS).iterator(chunk_size=1000):
        writer.writerow([_cell(value) for value in row])
    return response


# --- Workflow forms -----------------------------------------------------------------------


class ShipForm(forms.Form):
    tracking_number = forms.CharField(max_length=100, strip=True)


class RefundForm(forms.Form):
    amount = forms.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, refundable, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable = refundable
        self.fields["amount"].initial = refundable
        self.fields["amount"].help_text = f"At most {refundable}."

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount > self.refundable:
            raise forms.ValidationError(f"At most {self.refundable} can be refunded.")
        return amount


class RefundLinesForm(forms.Form):
    """One quantity per line that still has units to refund; the service computes the amount."""

    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    include_shipping = forms.BooleanField(required=False, label="Also refund the shipping paid")

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_fields = {}
        for item in order.items.all():
            refunded = sum(line.quantity for line in item.refund_lines.all())
            left = item.quantity - refunded
            if left <= 0:
                continue
            name = f"item_{item.pk}"
            variant = f" ({item.variant_name})" if item.variant_name else ""
            self.fields[name] = forms.IntegerField(
                min_value=0,
                max_value=left,
                initial=0,
                required=False,
                label=f"{item.product_name}{variant}",
                help_text=f"Bought {item.quantity} at {item.unit_price}, already refunded {refunded}: at most {left}.",
            )
            self.item_fields[name] = item.pk
        self.order_fields([*self.item_fields, "include_shipping", "reason"])

    def clean(self):
        cleaned = super().clean()
        if not self.lines():
            raise forms.ValidationError("Choose how many units of at least one line to refund.")
        return cleaned

    def lines(self):
        data = getattr(self, "cleaned_data", {})
        return [(pk, data[name]) for name, pk in self.item_fields.items() if data.get(name)]


class ConfirmForm(forms.Form):
    """No fields: the button is the confirmation."""


def _money_summary(order):
    payments = list(order.payments.all())
    paid = sum((p.amount for p in payments if p.status in services.SETTLED), ZERO)
    refunded = sum((p.refunded_amount for p in payments), ZERO)
    refundable = sum((p.refundable_amount for p in payments), ZERO)
    return {"paid": paid, "refunded": refunded, "refundable": refundable}


WORKFLOWS = {
    # name: (title, button, form class, success message)
    "ship": ("Ship with a tracking number", "Ship", ShipForm),
    "deliver": ("Mark delivered", "Mark delivered", ConfirmForm),
    "cancel": ("Cancel the order", "Cancel the order", ReasonForm),
    "refund": ("Refund", "Refund", RefundForm),
    "refund_lines": ("Refund lines", "Refund the chosen lines", RefundLinesForm),
    "resend": ("E-mail the confirmation again", "Send", ConfirmForm),
}


def available_workflows(order):
    """The workflows that make sense for the order's state (the services still decide)."""
    names = []
    if order.status in TO_SHIP:
        names.append("ship")
    if order.status == OrderStatus.SHIPPED:
        names.append("deliver")
    if order.status in services.STAFF_CANCELLABLE:
        names.append("cancel")
    if _money_summary(order)["refundable"] > ZERO:
        names.append("refund")
        names.append("refund_lines")
    names.append("resend")
    return names


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Money, status and stock change only through the services (workflows, actions, staff API)."""

    change_form_template = "admin/orders/order/change_form.html"
    list_display = [
        "order_number",
        "customer_email",
        "total",
        "status",
        "payment_status",
        "fulfillment_status",
        "created_at",
    ]
    list_filter = [
        "status",
        "payment_status",
        "fulfillment_status",
        "payment_method",
        ("created_at", DateRangeFilter),
    ]
    search_fields = ["order_number", "customer_email", "tracking_number"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    inlines = [OrderItemInline]
    actions = [
        _transition(OrderStatus.CONFIRMED, "confirmed"),
        _transition(OrderStatus.PROCESSING, "set to processing"),
        _transition(OrderStatus.DELIVERED, "marked delivered"),
        cancel_orders,
        export_csv,
    ]
    readonly_fields = [
        "order_number", "user", "customer_name", "customer_email", "currency", "subtotal", "tax_amount",
        "shipping_amount", "discount_amount", "total", "status", "payment_status", "fulfillment_status",
        "payment_method", "payment_provider", "shipping_method", "coupon", "coupon_code", "shipping_address",
        "billing_address",
        "idempotency_key", "created_at", "updated_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at",
        "tracking_number", "payments_and_refunds", "timeline",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["order_number", "user", "customer_name", "customer_email", "created_at", "updated_at"]}),
        (
            "State",
            {
                "fields": [
                    "status",
                    "payment_status",
                    "fulfillment_status",
                    "tracking_number",
                    "paid_at",
                    "shipped_at",
                    "delivered_at",
                    "cancelled_at",
                ]  # fmt: skip
            },
        ),
        (
            "Money",
            {
                "fields": [
                    "currency",
                    "subtotal",
                    "discount_amount",
                    "shipping_amount",
                    "tax_amount",
                    "total",
                    "payment_method",
                    "payment_provider",
                    "shipping_method",
                    "coupon",
                    "coupon_code",
                    "payments_and_refunds",
                ]  # fmt: skip
            },
        ),
        ("Addresses", {"fields": ["shipping_address", "billing_address"]}),
        ("History", {"fields": ["timeline", "notes", "admin_notes", "idempotency_key"]}),
    ]

    def save_model(self, request, obj, form, change):
        """Only the notes are editable here; they are saved through the staff-edit service."""
        services.order_staff_update(
            order=obj,
            by=request.user,
            notes=form.cleaned_data.get("notes"),
            admin_notes=form.cleaned_data.get("admin_notes"),
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "orders_order_change":
            queryset = queryset.prefetch_related(
                Prefetch("payments", queryset=Payment.objects.order_by("created_at").prefetch_related("refunds")),
                Prefetch("events", queryset=OrderEvent.objects.select_related("user").order_by("created_at", "id")),
            )
        return queryset

    @admin.display(description="Payments and refunds")
    def payments_and_refunds(self, order):
        summary = _money_summary(order)
        rows = []
        for payment in order.payments.all():
            rows.append(
                (
                    payment.created_at.strftime("%Y-%m-%d %H:%M"),
                    f"Payment ({payment.payment_provider}, {payment.payment_method})",
                    payment.amount,
                    payment.get_status_display(),
                    payment.transaction_id or "—",
                )
            )
            for refund in payment.refunds.all():
                rows.append(
                    (
                        refund.created_at.strftime("%Y-%m-%d %H:%M"),
                        "Refund",
                        -refund.amount,
                        refund.get_status_display(),
                        refund.reason or "—",
                    )
                )
        if not rows:
            return "No payment yet."
        return format_html(
            '<table class="order-money"><thead><tr><th scope="col">When</th><th scope="col">What</th>'
            '<th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Reference / reason</th>'
            "</tr></thead><tbody>{}</tbody></table><p>Paid {} · already refunded {} · refundable {}</p>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
            summary["paid"],
            summary["refunded"],
            summary["refundable"],
        )

    @admin.display(description="Timeline")
    def timeline(self, order):
        events = list(order.events.all())
        if not events:
            return "—"

        def details(event):
            return ", ".join(f"{key}: {value}" for key, value in sorted(event.data.items()) if value not in ("", None))

        return format_html(
            '<ol class="order-timeline">{}</ol>',
            format_html_join(
                "",
                '<li><time datetime="{}">{}</time> <strong>{}</strong> {} <span>{}</span></li>',
                (
                    (
                        event.created_at.isoformat(),
                        timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
                        event.get_type_display(),
                        f"by {event.user.email}" if event.user else "",
                        details(event),
                    )
                    for event in events
                ),
            ),
        )

    # --- Workflows ------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/workflow/<str:name>/",
                self.admin_site.admin_view(self.workflow_view),
                name="orders_order_workflow",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        extra = {}
        if order is not None and self.has_change_permission(request, order):
            extra["workflows"] = [
                (name, WORKFLOWS[name][0], reverse("admin:orders_order_workflow", args=[order.pk, name]))
                for name in available_workflows(order)
            ]
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _perform(self, name, order, data, user):
        """Run the workflow through its service; returns the success message."""
        if name == "ship":
            services.order_ship(order=order, tracking_number=data["tracking_number"], by=user)
            return f"Order {order.order_number} shipped with tracking number {data['tracking_number']}."
        if name == "deliver":
            services.order_status_update(order=order, new_status=OrderStatus.DELIVERED, by=user)
            return f"Order {order.order_number} marked delivered."
        if name == "cancel":
            services.order_cancel(order=order, by=user, reason=data["reason"], staff=True)
            return f"Order {order.order_number} cancelled: stock restored and any payment refunded."
        if name == "refund":
            _, refund = services.order_refund(order=order, amount=data["amount"], reason=data["reason"], by=user)
            state = "refunded" if refund.status == RefundStatus.COMPLETED else f"refund {refund.status}"
            return f"Order {order.order_number}: {refund.amount} {state}."
        if name == "refund_lines":
            _, refund = services.order_refund_lines(
                order=order,
                lines=data["lines"],
                include_shipping=data["include_shipping"],
                reason=data["reason"],
                by=user,
            )
            units = sum(line.quantity for line in refund.lines.all())
            state = "refunded" if refund.status == RefundStatus.COMPLETED else f"refund {refund.status}"
            restocked = " (back in stock)" if any(line.restocked for line in refund.lines.all()) else ""
            return f"Order {order.order_number}: {refund.amount} {state} for {units} unit(s){restocked}."
        services.order_confirmation_resend(order=order, by=user)
        return f"Order confirmation e-mailed again to {order.customer_email}."

    def workflow_view(self, request, object_id, name):
        if name not in WORKFLOWS:
            raise PermissionDenied
        order = get_object_or_404(Order.objects.prefetch_related("payments", "items__refund_lines"), pk=object_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        title, button, form_class = WORKFLOWS[name]
        summary = _money_summary(order)
        kwargs = {"refundable": summary["refundable"]} if form_class is RefundForm else {}
        if form_class is RefundLinesForm:
            kwargs = {"order": order}
        form = form_class(request.POST if request.method == "POST" else None, **kwargs)
        change_url = reverse("admin:orders_order_change", args=[order.pk])
        if request.method == "POST" and form.is_valid():
            data = {**form.cleaned_data, "lines": form.lines()} if form_class is RefundLinesForm else form.cleaned_data
            try:
                message = self._perform(name, order, data, request.user)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                for field, problems in (exc.errors or {}).items():
                    if field in form.fields:
                        form.add_error(field, problems)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title}: {order.order_number}",
            "opts": self.model._meta,
            "original": order,
            "order": order,
            "form": form,
            "button": button,
            "workflow": name,
            "money": summary,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/orders/order/workflow.html", context, status=200)


@admin.register(PaymentRefund)
class PaymentRefundAdmin(admin.ModelAdmin):
    list_display = ["id", "order_link", "amount", "status", "reason", "created_by", "created_at"]
    list_filter = ["status", "created_at"]
    list_select_related = ["payment__order", "created_by"]
    readonly_fields = ["payment", "amount", "reason", "status", "provider_refund_id", "created_by", "processed_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Order")
    def order_link(self, refund):
        order = refund.payment.order
        return format_html('<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[order.pk]), order)
