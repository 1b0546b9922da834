from django.contrib import admin

from ml.models import EtlRun, OrderAnalytics, ProductAnalytics


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the ETL jobs only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EtlRun)
class EtlRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "status", "started_at", "duration_ms", "rows_read", "rows_written", "short_error"]
    list_filter = ["job", "status"]
    date_hierarchy = "started_at"

    @admin.display(description="error")
    def short_error(self, obj):
        return obj.error[:80]


@admin.register(OrderAnalytics)
class OrderAnalyticsAdmin(ReadOnlyAdmin):
    list_display = ["date", "total_orders", "total_revenue", "average_order_value", "new_customers",
                    "returning_customers"]  # fmt: skip
    date_hierarchy = "date"


@admin.register(ProductAnalytics)
class ProductAnalyticsAdmin(ReadOnlyAdmin):
    list_display = ["date", "product", "views", "orders", "revenue", "conversion_rate"]
    list_select_related = ["product"]
    date_hierarchy = "date"
