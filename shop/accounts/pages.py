"""Session pages for signing in and passwords: Django's auth views with this project's forms.

Every page calls the same services as the API (``shop.accounts.services``); the forms in
``shop.accounts.forms`` do the calls. A service error becomes a form error, never a 500.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect
from django.views.generic import FormView, TemplateView

from shop.accounts import error_codes, services
from shop.accounts.forms import LoginForm, PasswordChangeForm, PasswordResetRequestForm, PasswordResetSetForm
from shop.accounts.login_limits import client_ip
from skincare.api.exceptions import error_status
from skincare.errors import ApplicationError


class ServiceErrorsAsFormErrors:
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ApplicationError as exc:
            return self.service_error_response(form, exc)

    def service_error_response(self, form, exc):
        """The page again with the service's message; 429 keeps its status and Retry-After."""
        form.add_error(None, exc.message)
        response = self.form_invalid(form)
        if error_status(exc) == 429:
            response.status_code = 429
            if getattr(exc, "wait", None):
                response["Retry-After"] = str(int(exc.wait))
        return response


class LoginPage(auth_views.LoginView):
    authentication_form = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, error_codes.TOO_MANY_LOGIN_ATTEMPTS.lower()):
            response.status_code = 429
        return response


class PasswordChangePage(ServiceErrorsAsFormErrors, auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change_form.html"


class PasswordChangeDonePage(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@method_decorator(login_not_required, name="dispatch")
@method_decorator(csrf_protect, name="dispatch")
class PasswordResetPage(ServiceErrorsAsFormErrors, auth_views.PasswordContextMixin, FormView):
    """Same limit and same answer as ``POST /api/v1/auth/forgot-password``."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")
    title = "Password reset"

    def form_valid(self, form):
        try:
            services.password_reset_request(email=form.cleaned_data["email"], ip=client_ip(self.request))
        except ApplicationError as exc:
            return self.service_error_response(form, exc)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDonePage(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmPage(ServiceErrorsAsFormErrors, auth_views.PasswordResetConfirmView):
    form_class = PasswordResetSetForm
    template_name = "accounts/password_reset_confirm.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "uid": self.kwargs["uidb64"],
            "token": self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN),
        }


class PasswordResetCompletePage(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@method_decorator(login_not_required, name="dispatch")
class EmailVerifyPage(TemplateView):
    """The e-mailed link (``?token=``) lands here and verifies; a bad or old link says so (400)."""

    template_name = "accounts/email_verify.html"

    def get(self, request, *args, **kwargs):
        try:
            services.user_verify_email(token=request.GET.get("token", ""))
        except ApplicationError as exc:
            return self.render_to_response({"verified": False, "error": exc.message}, status=400)
        return self.render_to_response({"verified": True})
