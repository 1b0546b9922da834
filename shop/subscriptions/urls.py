from django.urls import path

from shop.subscriptions import apis

urlpatterns = [
    path("subscription", apis.SubscriptionApi.as_view(), name="subscription"),
    path("staff/subscriptions/grants", apis.StaffPremiumGrantsApi.as_view(), name="staff-premium-grants"),
]
