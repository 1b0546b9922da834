"""Every staff operation in the URLconf x every role: allowed or refused, as the table says.

The operations are collected from the URLconf, not listed by hand: a new route under
``/api/v1/staff/`` (or any view guarded by ``HasStaffPermission``) that is missing from EXPECTED,
or whose view does not declare the permission a method needs, fails here.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from shop.accounts.models import Role
from shop.accounts.tests.factories import ExpertFactory, ModeratorFactory, StaffFactory, UserFactory
from skincare.api.permissions import HasStaffPermission, required_permission

pytestmark = pytest.mark.django_db

STAFF_PREFIX = "api/v1/staff/"
ADMIN = {"admin"}
MODERATION = {"admin", "moderator"}
EXPERT = {"admin", "expert"}

# "METHOD route" -> the roles allowed (superusers are always allowed, customers and anonymous never).
EXPECTED = {
    # catalog: products, prices, categories
    "GET api/v1/staff/catalog/products": ADMIN,
    "POST api/v1/staff/catalog/products": ADMIN,
    "POST api/v1/staff/catalog/products/bulk-update": ADMIN,
    "POST api/v1/staff/catalog/products/bulk-delete": ADMIN,
    "GET api/v1/staff/catalog/products/<int:product_id>": ADMIN,
    "PATCH api/v1/staff/catalog/products/<int:product_id>": ADMIN,
    "DELETE api/v1/staff/catalog/products/<int:product_id>": ADMIN,
    "POST api/v1/staff/catalog/products/<int:product_id>/media": ADMIN,
    "PATCH api/v1/staff/catalog/products/<int:product_id>/media/<int:media_id>": ADMIN,
    "DELETE api/v1/staff/catalog/products/<int:product_id>/media/<int:media_id>": ADMIN,
    "GET api/v1/staff/catalog/products/<int:product_id>/stock-adjustments": ADMIN,
    "POST api/v1/staff/catalog/products/<int:product_id>/stock-adjustments": ADMIN,
    "GET api/v1/staff/catalog/categories": ADMIN,
    "POST api/v1/staff/catalog/categories": ADMIN,
    "POST api/v1/staff/catalog/categories/reorder": ADMIN,
    "PATCH api/v1/staff/catalog/categories/<int:category_id>": ADMIN,
    "DELETE api/v1/staff/catalog/categories/<int:category_id>": ADMIN,
    # coupons
    "GET api/v1/staff/coupons": ADMIN,
    "POST api/v1/staff/coupons": ADMIN,
    "POST api/v1/staff/coupons/bulk-status": ADMIN,
    "GET api/v1/staff/coupons/stats": ADMIN,
    "GET api/v1/staff/coupons/<int:pk>": ADMIN,
    "PATCH api/v1/staff/coupons/<int:pk>": ADMIN,
    "DELETE api/v1/staff/coupons/<int:pk>": ADMIN,
    "GET api/v1/staff/coupons/<int:pk>/usages": ADMIN,
    "GET api/v1/staff/coupons/<int:pk>/stats": ADMIN,
    # orders, payments, refunds (and the customers' addresses they carry)
    "GET api/v1/staff/orders": ADMIN,
    "GET api/v1/staff/orders/dashboard": ADMIN,
    "POST api/v1/staff/orders/bulk-update": ADMIN,
    "GET api/v1/staff/orders/<str:order_number>": ADMIN,
    "PATCH api/v1/staff/orders/<str:order_number>": ADMIN,
    "POST api/v1/staff/orders/<str:order_number>/ship": ADMIN,
    "POST api/v1/staff/orders/<str:order_number>/refunds": ADMIN,
    # product feedback forms
    "GET api/v1/staff/products/<int:product_id>/feedback": ADMIN,
    # moderation queue
    "GET api/v1/staff/moderation/queue": MODERATION,
    "GET api/v1/staff/moderation/stats": MODERATION,
    "POST api/v1/staff/moderation/bulk-action": MODERATION,
    "GET api/v1/staff/moderation/<int:item_id>": MODERATION,
    "POST api/v1/staff/moderation/<int:item_id>/approve": MODERATION,
    "POST api/v1/staff/moderation/<int:item_id>/reject": MODERATION,
    "POST api/v1/staff/moderation/<int:item_id>/escalate": MODERATION,
    # reviews
    "GET api/v1/staff/reviews": MODERATION,
    "GET api/v1/staff/reviews/pending": MODERATION,
    "GET api/v1/staff/reviews/analytics": MODERATION,
    "POST api/v1/staff/reviews/bulk-action": MODERATION,
    "POST api/v1/staff/reviews/<int:review_id>/approve": MODERATION,
    "POST api/v1/staff/reviews/<int:review_id>/reject": MODERATION,
    "POST api/v1/staff/reviews/<int:review_id>/flag": MODERATION,
    "DELETE api/v1/staff/reviews/<int:review_id>": MODERATION,
    "GET api/v1/staff/analytics/sales": ADMIN,
    "GET api/v1/staff/analytics/sales/export": ADMIN,
    "GET api/v1/staff/analytics/search-trends": ADMIN,
    "GET api/v1/staff/analytics/search-trends/export": ADMIN,
    "GET api/v1/staff/analytics/products": ADMIN,
    "GET api/v1/staff/analytics/products/export": ADMIN,
    "GET api/v1/staff/analytics/customers": ADMIN,
    "GET api/v1/staff/analytics/customers/export": ADMIN,
    "GET api/v1/staff/analytics/feedback": MODERATION,
    "GET api/v1/staff/analytics/feedback/export": MODERATION,
    "GET api/v1/staff/analytics/skin-types": MODERATION,
    "GET api/v1/staff/analytics/skin-types/export": MODERATION,
    "GET api/v1/staff/analytics/community": MODERATION,
    "GET api/v1/staff/analytics/community/export": MODERATION,
    "GET api/v1/staff/analytics/efficacy/<int:product_id>": MODERATION,
    "GET api/v1/staff/products/<int:product_id>/feedback-intelligence": MODERATION,
    "GET api/v1/staff/analytics/efficacy/<int:product_id>/export": MODERATION,
    "GET api/v1/staff/analytics/recommendations": ADMIN,
    "GET api/v1/staff/analytics/recommendations/export": ADMIN,
    "GET api/v1/staff/analytics/sentiment": MODERATION,
    "GET api/v1/staff/analytics/sentiment/export": MODERATION,
    # Q&A: answer verification is the expert's
    "POST api/v1/staff/answers/<int:answer_id>/verify": EXPERT,
    "GET api/v1/staff/questions/awaiting-expert": EXPERT | MODERATION,
    # community
    "GET api/v1/staff/users/community-leaders": MODERATION,
    "POST api/v1/staff/users/<int:user_id>/community-score": MODERATION,
    "GET api/v1/staff/users/<int:user_id>/feedback-history": MODERATION,
    "POST api/v1/staff/users/<int:user_id>/promote-expert": ADMIN,
    # customers: the record carries contact details and money (admins); suspending is moderation
    "GET api/v1/staff/customers": ADMIN,
    "GET api/v1/staff/customers/<int:user_id>": ADMIN,
    "PATCH api/v1/staff/customers/<int:user_id>": ADMIN,
    "POST api/v1/staff/customers/<int:user_id>/suspend": MODERATION,
    "POST api/v1/staff/customers/<int:user_id>/activate": MODERATION,
    "GET api/v1/staff/customers/<int:user_id>/addresses": ADMIN,
    # subscriptions: premium granted by hand
    "GET api/v1/staff/subscriptions/grants": ADMIN,
    "POST api/v1/staff/subscriptions/grants": ADMIN,
    # operations: Celery tasks that failed for good (arguments may hold customer data)
    "GET api/v1/staff/tasks/failures": ADMIN,
}

ROLES = ["superuser", Role.ADMIN, Role.MODERATOR, Role.EXPERT, Role.CUSTOMER, "anonymous"]
IGNORED_METHODS = {"options", "head", "trace"}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def staff_operations():
    """(method, route, view class) for every staff-only operation the URLconf serves."""
    operations = []
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view is None:
            continue
        guarded = HasStaffPermission in getattr(view, "permission_classes", ())
        if not (route.startswith(STAFF_PREFIX) or guarded):
            continue
        for method in view.http_method_names:
            if method not in IGNORED_METHODS and hasattr(view, method):
                operations.append((method.upper(), route, view))
    return operations


def _url(route):
    values = {"int": "987654", "str": "NO-SUCH-THING", "uuid": "00000000-0000-0000-0000-000000000000"}
    return "/" + re.sub(r"<(\w+):\w+>", lambda m: values.get(m.group(1), "x"), route)


def test_every_staff_operation_declares_a_permission_and_is_in_the_table():
    operations = staff_operations()
    found = {f"{method} {route}" for method, route, _ in operations}
    undeclared = sorted(
        f"{method} {route} ({view.__name__})"
        for method, route, view in operations
        if HasStaffPermission not in view.permission_classes or required_permission(view, method) is None
    )
    assert undeclared == []
    assert sorted(found - EXPECTED.keys()) == [], "staff operations missing from EXPECTED"
    assert sorted(EXPECTED.keys() - found) == [], "EXPECTED names operations the URLconf does not serve"
    assert len(operations) == 85


class _Undeclared(APIView):
    permission_classes = [HasStaffPermission]

    def get(self, request):
        return Response({})


class _GetOnlyDeclared(_Undeclared):
    required_permissions = {"GET": "orders.view_order"}

    def post(self, request):
        return Response({})


def test_an_undeclared_view_or_method_is_refused_even_to_a_superuser():
    superuser = UserFactory(is_superuser=True)

    def call(view, method):
        request = getattr(APIRequestFactory(), method)("/api/v1/staff/anything")
        force_authenticate(request, superuser)
        return view.as_view()(request).status_code

    assert call(_Undeclared, "get") == 403
    assert call(_GetOnlyDeclared, "post") == 403
    assert (call(_GetOnlyDeclared, "get"), call(_GetOnlyDeclared, "head")) == (200, 200)


@pytest.fixture
def clients():
    users = {
        "superuser": UserFactory(is_superuser=True),
        Role.ADMIN: StaffFactory(),
        Role.MODERATOR: ModeratorFactory(),
        Role.EXPERT: ExpertFactory(),
        Role.CUSTOMER: UserFactory(),
    }
    result = {"anonymous": APIClient()}
    for role, user in users.items():
        client = APIClient()
        client.force_authenticate(user)
        result[role] = client
    return result


@pytest.mark.parametrize(("method", "route"), [(m, r) for m, r, _ in staff_operations()], ids=lambda v: str(v))
def test_staff_operation_allows_exactly_the_roles_in_the_table(clients, method, route):
    allowed = EXPECTED[f"{method} {route}"] | {"superuser"}
    outcome = {}
    for role in ROLES:
        response = getattr(clients[role], method.lower())(_url(route), {}, format="json")
        assert response.status_code < 500, (role, response.status_code)
        outcome[role] = response.status_code
    refused = {"anonymous": 401}
    expected = {role: "allowed" if role in allowed else refused.get(role, 403) for role in ROLES}
    actual = {role: "allowed" if status not in (401, 403) else status for role, status in outcome.items()}
    assert actual == expected


def test_security_doc_tables_match_the_role_data_and_urlconf():
    text = (Path(settings.BASE_DIR) / "docs" / "security.md").read_text()
    section = text.split("<!-- roles-table:start -->\n", 1)[1].split("<!-- roles-table:end -->", 1)[0]
    output = StringIO()
    call_command("roles_table", stdout=output)
    assert section == output.getvalue()
