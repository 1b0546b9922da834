from django.urls import path

import shop.catalog.converters  # noqa: F401 - registers the <product:...> converter
from feedback import apis

urlpatterns = [
    # Moderation (staff)
    path("staff/moderation/queue", apis.ModerationQueueApi.as_view(), name="moderation-queue"),
    path("staff/moderation/stats", apis.ModerationStatsApi.as_view(), name="moderation-stats"),
    path("staff/moderation/bulk-action", apis.ModerationBulkActionApi.as_view(), name="moderation-bulk-action"),
    path("staff/moderation/<int:item_id>", apis.ModerationItemApi.as_view(), name="moderation-item"),
    path("staff/moderation/<int:item_id>/approve", apis.ModerationApproveApi.as_view(), name="moderation-approve"),
    path("staff/moderation/<int:item_id>/reject", apis.ModerationRejectApi.as_view(), name="moderation-reject"),
    path("staff/moderation/<int:item_id>/escalate", apis.ModerationEscalateApi.as_view(), name="moderation-escalate"),
    # Notifications
    path("notifications", apis.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read-all", apis.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path("notifications/unread-count", apis.NotificationUnreadCountApi.as_view(), name="notification-unread-count"),
    path("notifications/preferences", apis.NotificationPreferencesApi.as_view(), name="notification-preferences"),
    path("notifications/devices", apis.PushDeviceApi.as_view(), name="notification-devices"),
    path("notifications/devices/<str:token>", apis.PushDeviceDetailApi.as_view(), name="notification-device"),
    path("notifications/<int:notification_id>", apis.NotificationDetailApi.as_view(), name="notification-detail"),
    path("notifications/<int:notification_id>/read", apis.NotificationReadApi.as_view(), name="notification-read"),
    # Product feedback forms
    path("products/<product:product_id>/feedback", apis.ProductFeedbackApi.as_view(), name="product-feedback"),
    path("user/feedback/forms", apis.MyProductFeedbackApi.as_view(), name="my-product-feedback"),
    path(
        "staff/products/<int:product_id>/feedback",
        apis.StaffProductFeedbackApi.as_view(),
        name="staff-product-feedback",
    ),
]
