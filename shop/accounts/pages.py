"""Session pages for signing in and passwords: Django's auth views with this project's forms.

Every page calls the same services as the API (``shop.accounts.services``); the forms in
``shop.accounts.forms`` do the calls. A service error becomes a form error, never a 500.
"""

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_protect
from django.views.generic import FormView, TemplateView
from rest_framework.throttling import SimpleRateThrottle

from shop.accounts import error_codes, services
from shop.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    PasswordResetSetForm,
    RegisterForm,
    VerifyCodeForm,
)
from shop.accounts.login_limits import client_ip
from shop.accounts.models import Language
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


VERIFY_EMAIL_SESSION_KEY = "accounts.verify_email"


class AuthPagesThrottle(SimpleRateThrottle):
    """The API's "auth" rate per client IP (``ScopedRateThrottle``'s key), shared with the API."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _auth_throttle_response(request):
    throttle = AuthPagesThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = int(throttle.wait() or 1)
    response = render(request, "storefront/too_many_requests.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _service_errors_on_form(form, exc):
    """A service's per-field errors next to their fields; the rest above the form."""
    placed = False
    for field, field_messages in (exc.errors or {}).items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@method_decorator(login_not_required, name="dispatch")
@method_decorator(csrf_protect, name="dispatch")
class RegisterPage(FormView):
    """Create an account (``services.user_register`` sends the verification e-mail), sign in, then
    ask for the e-mailed code."""

    form_class = RegisterForm
    template_name = "accounts/register.html"

    def post(self, request, *args, **kwargs):
        return _auth_throttle_response(request) or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            user = services.user_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                first_name=form.cleaned_data["first_name"],
                language=get_language() if get_language() in Language.values else Language.ENGLISH,
            )
        except ApplicationError as exc:
            _service_errors_on_form(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=error_status(exc))
        login(self.request, user, backend="shop.accounts.backends.EmailBackend")
        self.request.session[VERIFY_EMAIL_SESSION_KEY] = user.email
        return HttpResponseRedirect(reverse("email_verify_code"))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator(login_not_required, name="dispatch")
@method_decorator(csrf_protect, name="dispatch")
class EmailVerifyCodePage(FormView):
    """The 6-digit code from the e-mail; a wrong code says so next to the field (400), too many
    wrong codes answer 429 until a new code is sent."""

    form_class = VerifyCodeForm
    template_name = "accounts/email_verify_code.html"

    def get_initial(self):
        email = self.request.session.get(VERIFY_EMAIL_SESSION_KEY)
        if email is None and self.request.user.is_authenticated:
            email = self.request.user.email
        return {"email": email or ""}

    def post(self, request, *args, **kwargs):
        return _auth_throttle_response(request) or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.user_verify_email_code(email=form.cleaned_data["email"], code=form.cleaned_data["code"])
        except ApplicationError as exc:
            _service_errors_on_form(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=error_status(exc))
        self.request.session.pop(VERIFY_EMAIL_SESSION_KEY, None)
        return render(self.request, "accounts/email_verify.html", {"verified": True, "next_step": True})

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
