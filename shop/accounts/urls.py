from django.urls import path

from shop.accounts import api, staff_apis

urlpatterns = [
    path("auth/register", api.RegisterApi.as_view(), name="auth-register"),
    path("auth/login", api.LoginApi.as_view(), name="auth-login"),
    path("auth/logout", api.LogoutApi.as_view(), name="auth-logout"),
    path("auth/refresh", api.RefreshApi.as_view(), name="auth-refresh"),
    path("auth/me", api.MeApi.as_view(), name="auth-me"),
    path("auth/profile", api.ProfileApi.as_view(), name="auth-profile"),
    path("auth/verify-email", api.VerifyEmailApi.as_view(), name="auth-verify-email"),
    path("auth/resend-verification", api.ResendVerificationApi.as_view(), name="auth-resend-verification"),
    path("auth/forgot-password", api.ForgotPasswordApi.as_view(), name="auth-forgot-password"),
    path("auth/reset-password", api.ResetPasswordApi.as_view(), name="auth-reset-password"),
    path("auth/change-password", api.ChangePasswordApi.as_view(), name="auth-change-password"),
    path("user/addresses", api.AddressListApi.as_view(), name="address-list"),
    path("user/addresses/<int:pk>", api.AddressDetailApi.as_view(), name="address-detail"),
    path("user/addresses/<int:pk>/default", api.AddressSetDefaultApi.as_view(), name="address-default"),
    path("staff/customers", staff_apis.StaffCustomerListApi.as_view(), name="staff-customer-list"),
    path("staff/customers/<int:user_id>", staff_apis.StaffCustomerDetailApi.as_view(), name="staff-customer-detail"),
    path(
        "staff/customers/<int:user_id>/suspend",
        staff_apis.StaffCustomerSuspendApi.as_view(),
        name="staff-customer-suspend",
    ),
    path(
        "staff/customers/<int:user_id>/activate",
        staff_apis.StaffCustomerActivateApi.as_view(),
        name="staff-customer-activate",
    ),
    path(
        "staff/customers/<int:user_id>/addresses",
        staff_apis.StaffCustomerAddressesApi.as_view(),
        name="staff-customer-addresses",
    ),
]
