from django.contrib import admin
from django.urls import reverse

from shop.accounts.forms import AdminLoginForm, AdminOwnPasswordChangeForm


class ShopAdminSite(admin.AdminSite):
    """The admin with the project's sign-in: its login shares the failed-login limiter with the API
    and the login page, and changing one's password here revokes the refresh tokens too.

    Its index is the back-office dashboard: the panels (``skincare.dashboard``) the signed-in
    role holds the permission for, above the usual list of models."""

    login_form = AdminLoginForm
    site_header = "Skincare Shop back office"
    site_title = "Skincare Shop admin"
    index_title = "Dashboard"
    index_template = "admin/dashboard.html"

    def index(self, request, extra_context=None):
        from skincare.dashboard import panels_for

        return super().index(request, {"dashboard_panels": panels_for(request.user), **(extra_context or {})})

    def password_change(self, request, extra_context=None):
        from shop.accounts.pages import PasswordChangePage

        request.current_app = self.name
        return PasswordChangePage.as_view(
            form_class=AdminOwnPasswordChangeForm,
            template_name=self.password_change_template or "registration/password_change_form.html",
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)
