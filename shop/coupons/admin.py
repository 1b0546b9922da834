from django.contrib import admin, messages
from django.db.models import Count, Q, Sum
from django.utils.html import format_html

from shop.coupons import services
from shop.coupons.calculations import ZERO, money
from shop.coupons.models import Coupon, CouponStatus, CouponUsage


class CouponUsageInline(admin.TabularInline):
    model = CouponUsage
    extra = 0
    can_delete = False
    readonly_fields = ["user", "order", "discount_amount", "used_at", "released_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "value", "status", "used_count", "usage_limit", "start_date", "end_date"]
    list_filter = ["status", "type", "is_first_time_only"]
    search_fields = ["code", "name"]
    readonly_fields = ["used_count", "usage_summary", "created_at", "updated_at"]
    autocomplete_fields = ["customer"]
    filter_horizontal = ["applicable_products", "applicable_categories"]
    inlines = [CouponUsageInline]
    actions = ["activate", "deactivate"]

    @admin.display(description="Usage")
    def usage_summary(self, coupon):
        if coupon.pk is None:
            return "—"
        row = coupon.usages.aggregate(
            uses=Count("id", filter=Q(released_at__isnull=True)),
            released=Count("id", filter=Q(released_at__isnull=False)),
            discount=Sum("discount_amount", filter=Q(released_at__isnull=True)),
        )
        limit = coupon.usage_limit if coupon.usage_limit is not None else "no limit"
        return format_html(
            "{} use(s) of {} · {} released by cancelled orders · {} given in discounts",
            row["uses"],
            limit,
            row["released"],
            money(row["discount"] or ZERO),
        )

    def _set_status(self, request, queryset, status, verb):
        """Through the service; says which coupons changed and which already were in that state."""
        ids = list(queryset.exclude(status=status).values_list("pk", flat=True))
        unchanged = list(queryset.filter(status=status).order_by("code").values_list("code", flat=True))
        codes = sorted(Coupon.objects.filter(pk__in=ids).values_list("code", flat=True))
        changed = len(services.coupons_bulk_status(coupon_ids=ids, status=status)) if ids else 0
        if changed:
            self.message_user(request, f"{changed} coupon(s) {verb}: {', '.join(codes)}.", messages.SUCCESS)
        if unchanged:
            self.message_user(request, f"Already {status.label.lower()}: {', '.join(unchanged)}.", messages.WARNING)

    @admin.action(description="Activate selected coupons", permissions=["change"])
    def activate(self, request, queryset):
        self._set_status(request, queryset, CouponStatus.ACTIVE, "activated")

    @admin.action(description="Deactivate selected coupons", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_status(request, queryset, CouponStatus.INACTIVE, "deactivated")
