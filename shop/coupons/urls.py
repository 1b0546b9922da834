from django.urls import path

from shop.coupons import apis

urlpatterns = [
    path("staff/coupons", apis.StaffCouponListCreateApi.as_view(), name="staff-coupon-list"),
    path("staff/coupons/bulk-status", apis.StaffCouponBulkStatusApi.as_view(), name="staff-coupon-bulk-status"),
    path("staff/coupons/stats", apis.StaffCouponStatsApi.as_view(), name="staff-coupon-stats-all"),
    path("staff/coupons/<int:pk>", apis.StaffCouponDetailApi.as_view(), name="staff-coupon-detail"),
    path("staff/coupons/<int:pk>/usages", apis.StaffCouponUsageListApi.as_view(), name="staff-coupon-usages"),
    path("staff/coupons/<int:pk>/stats", apis.StaffCouponStatsApi.as_view(), name="staff-coupon-stats"),
]
