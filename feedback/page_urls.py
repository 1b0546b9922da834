"""``/account/notifications/``: the shopper's notification pages."""

from django.urls import path

from feedback import pages

app_name = "feedback"

urlpatterns = [
    path("", pages.notifications, name="notifications"),
    path("<int:notification_id>/read/", pages.notification_read, name="notification-read"),
    path("read-all/", pages.notifications_read_all, name="notifications-read-all"),
    path("preferences/", pages.notification_preferences, name="notification-preferences"),
]
