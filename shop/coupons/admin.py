from django.contrib import admin

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
    readonly_fields = ["used_count", "created_at", "updated_at"]
    autocomplete_fields = ["customer"]
    filter_horizontal = ["applicable_products", "applicable_categories"]
    inlines = [CouponUsageInline]
    actions = ["activate", "deactivate"]

    @admin.action(description="Activate selected coupons", permissions=["change"])
    def activate(self, request, queryset):
        queryset.update(status=CouponStatus.ACTIVE)

    @admin.action(description="Deactivate selected coupons", permissions=["change"])
    def deactivate(self, request, queryset):
        queryset.update(status=CouponStatus.INACTIVE)
