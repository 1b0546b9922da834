"""Staff API permissions: each view names the Django model permission every method needs.

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order", "PATCH": "orders.change_order"}

``user.has_perm`` answers from the user's role group (``shop.accounts.roles``); superusers hold
every permission. A view without ``required_permissions``, or a method it does not name, is
refused for everyone: an undeclared endpoint fails closed.
"""

from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

# HEAD and OPTIONS read what GET reads.
_READ_ALIASES = {"HEAD": "GET", "OPTIONS": "GET"}


def required_permission(view, method):
    """The permission ``view`` declares for ``method``, or None when it declares none."""
    declared = getattr(view, "required_permissions", None) or {}
    method = method.upper()
    return declared.get(method) or declared.get(_READ_ALIASES.get(method, ""))


def user_has_permission(user, permission):
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm(permission))


class HasStaffPermission(BasePermission):
    message = gettext_lazy("Your role does not allow this.")

    def has_permission(self, request, view):
        permission = required_permission(view, request.method)
        return permission is not None and user_has_permission(request.user, permission)
