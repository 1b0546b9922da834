"""``/accounts/``: the session pages, with the URL names of ``django.contrib.auth.urls``."""

from django.contrib.auth import views as auth_views
from django.urls import path

from shop.accounts import pages

urlpatterns = [
    path("login/", pages.LoginPage.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", pages.PasswordChangePage.as_view(), name="password_change"),
    path("password_change/done/", pages.PasswordChangeDonePage.as_view(), name="password_change_done"),
    path("password_reset/", pages.PasswordResetPage.as_view(), name="password_reset"),
    path("password_reset/done/", pages.PasswordResetDonePage.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", pages.PasswordResetConfirmPage.as_view(), name="password_reset_confirm"),
    path("reset/done/", pages.PasswordResetCompletePage.as_view(), name="password_reset_complete"),
    path("verify/", pages.EmailVerifyPage.as_view(), name="email_verify"),
    path("verify/code/", pages.EmailVerifyCodePage.as_view(), name="email_verify_code"),
    path("register/", pages.RegisterPage.as_view(), name="register"),
]
