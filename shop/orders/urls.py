from django.urls import path

from shop.orders import apis, staff_apis

urlpatterns = [
    path("orders", apis.OrderListCreateApi.as_view(), name="order-list"),
    path("orders/lookup", apis.GuestOrderLookupApi.as_view(), name="order-lookup"),
    path("orders/lookup/cancel", apis.GuestOrderCancelApi.as_view(), name="order-lookup-cancel"),
    path("shipping-methods", apis.ShippingMethodListApi.as_view(), name="shipping-method-list"),
    path("orders/<str:order_number>", apis.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<str:order_number>/cancel", apis.OrderCancelApi.as_view(), name="order-cancel"),
    path("orders/<str:order_number>/pay", apis.OrderPayApi.as_view(), name="order-pay"),
    path("orders/<str:order_number>/reorder", apis.OrderReorderApi.as_view(), name="order-reorder"),
    path("replenishment/opt-outs", apis.ReplenishmentOptOutListApi.as_view(), name="replenishment-optout-list"),
    path(
        "replenishment/opt-outs/<int:product_id>",
        apis.ReplenishmentOptOutApi.as_view(),
        name="replenishment-optout-detail",
    ),
    path("payments/stripe/webhook", apis.StripeWebhookApi.as_view(), name="stripe-webhook"),
    path("staff/orders", staff_apis.StaffOrderListApi.as_view(), name="staff-order-list"),
    path("staff/orders/dashboard", staff_apis.StaffDashboardApi.as_view(), name="staff-order-dashboard"),
    path("staff/orders/bulk-update", staff_apis.StaffOrderBulkUpdateApi.as_view(), name="staff-order-bulk-update"),
    path("staff/orders/<str:order_number>", staff_apis.StaffOrderDetailApi.as_view(), name="staff-order-detail"),
    path("staff/orders/<str:order_number>/ship", staff_apis.StaffOrderShipApi.as_view(), name="staff-order-ship"),
    path(
        "staff/orders/<str:order_number>/refunds", staff_apis.StaffOrderRefundApi.as_view(), name="staff-order-refund"
    ),
]
