"""Forms of the session pages and the admin. Each one hands its work to the same service the API
uses, so the pages cannot skip the login limiter, the reset limit or the token revocation."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.forms import AdminPasswordChangeForm as AdminOwnPasswordChangeFormBase
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop.accounts import services
from shop.accounts.emails import email_normalize, email_validate
from shop.accounts.models import Address, AddressType
from skincare.errors import ApplicationError


class NormalizedEmailFormField(forms.EmailField):
    """Folds the address (``email_normalize``) before validating it, like the API's e-mail field."""

    default_validators = [email_validate]

    def to_python(self, value):
        return email_normalize(super().to_python(value))


class _SignInCheck:
    """``clean()`` through ``services.user_authenticate``: one limiter and one set of answers."""

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            try:
                self.user_cache = services.user_authenticate(request=self.request, email=email, password=password)
            except ApplicationError as exc:
                raise ValidationError(exc.message, code=exc.error_code.lower()) from exc
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginForm(_SignInCheck, auth_forms.AuthenticationForm):
    pass


class AdminLoginForm(_SignInCheck, AdminAuthenticationForm):
    pass


class _PasswordChangeThroughService:
    def save(self, commit=True):
        services.password_change(
            user=self.user,
            old_password=self.cleaned_data["old_password"],
            new_password=self.cleaned_data["new_password1"],
        )
        return self.user


class PasswordChangeForm(_PasswordChangeThroughService, auth_forms.PasswordChangeForm):
    pass


class AdminOwnPasswordChangeForm(_PasswordChangeThroughService, AdminOwnPasswordChangeFormBase):
    pass


class PasswordResetRequestForm(forms.Form):
    email = NormalizedEmailFormField(
        label="E-mail", max_length=255, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class PasswordResetSetForm(auth_forms.SetPasswordForm):
    """The new password from a reset link; ``save()`` redeems the link through the service."""

    def __init__(self, user, *args, uid, token, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.uid, self.token = uid, token

    def save(self, commit=True):
        return services.password_reset_confirm(
            uid=self.uid, token=self.token, new_password=self.cleaned_data["new_password1"]
        )


class StaffPasswordSetForm(auth_forms.AdminPasswordChangeForm):
    """Staff set (or disable) another user's password in the admin; tokens are revoked."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        services.user_password_set(user=self.user, new_password=self.cleaned_data["password1"] if usable else None)
        return self.user


class RegisterForm(forms.Form):
    """The page twin of ``POST /api/v1/auth/register``; the service checks the password and the e-mail."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    email = NormalizedEmailFormField(
        label=_("E-mail"), max_length=255, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class VerifyCodeForm(forms.Form):
    """The 6-digit code from the verification e-mail (``services.user_verify_email_code``)."""

    email = NormalizedEmailFormField(
        label=_("E-mail"), max_length=255, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    code = forms.RegexField(
        label=_("Code from the e-mail"),
        regex=r"^[0-9]{6}$",
        max_length=6,
        error_messages={"invalid": _("Enter the 6 digits from the e-mail.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AddressForm(forms.ModelForm):
    """A shopper's address on the pages; ``services.address_create`` / ``address_update`` save it."""

    class Meta:
        model = Address
        fields = [
            "type",
            "first_name",
            "last_name",
            "company",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "country",
            "phone",
        ]
        labels = {
            "type": _("Address type"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "company": _("Company"),
            "address_line1": _("Address"),
            "address_line2": _("Address line 2"),
            "city": _("City"),
            "state": _("State or province"),
            "postal_code": _("Postal code"),
            "country": _("Country"),
            "phone": _("Phone"),
        }

    type = forms.ChoiceField(
        label=_("Address type"),
        choices=[(AddressType.SHIPPING, _("Shipping")), (AddressType.BILLING, _("Billing"))],
        initial=AddressType.SHIPPING,
    )

    # Not a model field of the form: construct_instance() must not clear the flag before the service decides.
    is_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        if instance is not None:
            self.fields["is_default"].initial = instance.is_default

    def service_fields(self):
        """The cleaned fields as the services take them (``is_default`` apart)."""
        fields = dict(self.cleaned_data)
        return fields.pop("is_default"), fields
