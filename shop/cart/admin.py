from django.contrib import admin

from shop.cart.models import Cart, CartLine


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    raw_id_fields = ["product", "variant"]


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "coupon", "updated_at"]
    list_select_related = ["user", "coupon"]
    raw_id_fields = ["user", "coupon"]
    readonly_fields = ["token", "created_at", "updated_at"]
    inlines = [CartLineInline]
