from django.contrib import admin

from ml.models import (
    AvoidedIngredient,
    EtlRun,
    HiddenRecommendation,
    IngredientFamily,
    IngredientInteraction,
    OrderAnalytics,
    ProductAnalytics,
)


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


@admin.register(IngredientFamily)
class IngredientFamilyAdmin(admin.ModelAdmin):
    """Which ingredients act alike: a product is in the family when an ingredient's name or INCI
    name contains a keyword."""

    list_display = ("name", "slug", "keywords")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(IngredientInteraction)
class IngredientInteractionAdmin(admin.ModelAdmin):
    """The pairs checked across routines, carts and recent orders (takes effect at once)."""

    list_display = ("family_a", "family_b", "severity", "is_active")
    list_filter = ("severity", "is_active")
    list_select_related = ("family_a", "family_b")
    autocomplete_fields = ("family_a", "family_b")


@admin.register(HiddenRecommendation)
class HiddenRecommendationAdmin(ReadOnlyAdmin):
    """Written by shoppers' "not interested"; shown for support questions."""

    list_display = ("user", "product", "created_at")
    list_select_related = ("user", "product")
    raw_id_fields = ("user", "product")


@admin.register(AvoidedIngredient)
class AvoidedIngredientAdmin(ReadOnlyAdmin):
    list_display = ("user", "ingredient", "created_at")
    list_select_related = ("user", "ingredient")
    raw_id_fields = ("user", "ingredient")
