from django.urls import path

from shop.cart import apis, coupon_apis

urlpatterns = [
    path("cart", apis.CartApi.as_view(), name="cart"),
    path("cart/items", apis.CartItemsApi.as_view(), name="cart-items"),
    path("cart/items/<int:line_id>", apis.CartItemApi.as_view(), name="cart-item"),
    path("cart/coupon", apis.CartCouponApi.as_view(), name="cart-coupon"),
    path("coupons/validate", coupon_apis.CouponValidateApi.as_view(), name="coupon-validate"),
    path("coupons/available", coupon_apis.CouponAvailableApi.as_view(), name="coupon-available"),
]
