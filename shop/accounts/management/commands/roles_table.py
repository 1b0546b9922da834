"""Print the roles tables of docs/security.md from the role data and the URLconf.

    python manage.py roles_table

A test compares docs/security.md with this output, so the doc cannot drift from the code.
"""

from django.core.management.base import BaseCommand
from django.urls import URLPattern, URLResolver, get_resolver

from shop.accounts.models import Role
from shop.accounts.roles import ALL_PERMISSIONS, ROLE_PERMISSIONS
from skincare.api.permissions import HasStaffPermission, required_permission

ROLES = [Role.ADMIN, Role.MODERATOR, Role.EXPERT, Role.CUSTOMER]
SKIPPED_METHODS = {"options", "head", "trace"}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def staff_api_operations():
    """(route, METHOD, permission) of every view guarded by HasStaffPermission, in URLconf order."""
    rows = []
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view is None or HasStaffPermission not in getattr(view, "permission_classes", ()):
            continue
        for method in view.http_method_names:
            if method not in SKIPPED_METHODS and hasattr(view, method):
                rows.append((route, method.upper(), required_permission(view, method) or "(none: refused)"))
    return rows


def holds(role, permission):
    permissions = ROLE_PERMISSIONS[role]
    return permissions == ALL_PERMISSIONS or permission in permissions


def _mark(flag):
    return "yes" if flag else "-"


def roles_markdown():
    operations = staff_api_operations()
    named = {p for perms in ROLE_PERMISSIONS.values() if perms != ALL_PERMISSIONS for p in perms}
    permissions = sorted(named | {permission for _, _, permission in operations})
    lines = [
        "| permission | " + " | ".join(ROLES) + " |",
        "| --- |" + " --- |" * len(ROLES),
        *(f"| `{p}` | " + " | ".join(_mark(holds(r, p)) for r in ROLES) + " |" for p in permissions),
        "",
        "| staff API operation | permission | " + " | ".join(ROLES) + " |",
        "| --- | --- |" + " --- |" * len(ROLES),
        *(
            f"| {method} `/{route}` | `{permission}` | " + " | ".join(_mark(holds(r, permission)) for r in ROLES) + " |"
            for route, method, permission in operations
        ),
    ]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the roles x permissions and staff API tables for docs/security.md."

    def handle(self, *args, **options):
        self.stdout.write(roles_markdown(), ending="")
