from rest_framework.permissions import BasePermission

STAFF_ROLES = frozenset({"admin", "moderator"})


def is_staff_member(user):
    """Staff are superusers and users whose role is admin or moderator."""
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role in STAFF_ROLES))


def is_admin(user):
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role == "admin"))


class IsStaffRole(BasePermission):
    message = "Staff only."

    def has_permission(self, request, view):
        return is_staff_member(request.user)


class IsAdminRole(BasePermission):
    message = "Administrators only."

    def has_permission(self, request, view):
        return is_admin(request.user)
