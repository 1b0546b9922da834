from django.urls import path

from shop.storefront import views

app_name = "shop"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_results, name="search"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<slug:slug>/", views.product, name="product"),
    path("cart/", views.cart_page, name="cart"),
    path("cart/add/", views.cart_add, name="cart-add"),
    path("cart/lines/<int:line_id>/", views.cart_line_update, name="cart-line"),
    path("cart/coupon/", views.cart_coupon, name="cart-coupon"),
    path("wishlist/add/", views.wishlist_add, name="wishlist-add"),
    path("wishlist/remove/", views.wishlist_remove, name="wishlist-remove"),
    path("account/wishlist/", views.account_wishlist, name="account-wishlist"),
    path("account/skin-profile/", views.account_skin_profile, name="account-skin-profile"),
    path("account/picture/", views.account_picture, name="account-picture"),
    path("account/addresses/", views.account_addresses, name="account-addresses"),
    path("account/addresses/new/", views.account_address_add, name="account-address-add"),
    path("account/addresses/<int:address_id>/", views.account_address_edit, name="account-address-edit"),
    path("account/addresses/<int:address_id>/delete/", views.account_address_delete, name="account-address-delete"),
    path("account/addresses/<int:address_id>/default/", views.account_address_default, name="account-address-default"),
    path("language/", views.language_switch, name="language"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/find/", views.order_lookup, name="order-lookup"),
    path("orders/guest/<str:order_number>/", views.guest_order, name="guest-order"),
    path("orders/guest/<str:order_number>/cancel/", views.guest_order_cancel, name="guest-order-cancel"),
    path("account/orders/", views.account_orders, name="account-orders"),
    path("account/orders/<str:order_number>/", views.account_order, name="account-order"),
    path("account/orders/<str:order_number>/cancel/", views.account_order_cancel, name="account-order-cancel"),
    path("account/orders/<str:order_number>/pay/", views.account_order_pay, name="account-order-pay"),
    path("account/orders/<str:order_number>/reorder/", views.account_order_reorder, name="account-order-reorder"),
    path("account/replenishment/<int:product_id>/", views.account_replenishment, name="account-replenishment"),
]
