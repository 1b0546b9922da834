"""``/account/subscription/``."""

from django.urls import path

from shop.subscriptions import pages

app_name = "subscriptions"

urlpatterns = [path("", pages.subscription, name="subscription")]
