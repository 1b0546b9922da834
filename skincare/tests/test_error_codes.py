"""Domain errors, their codes and the documentation of the codes each operation answers."""

import ast
from pathlib import Path

import pytest
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from shop.coupons.error_codes import CouponErrorCode
from shop.orders.error_codes import OrderErrorCode
from skincare.api import exceptions
from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import declared_error_codes, documented_error_codes, documents, raises
from skincare.api.exceptions import exception_handler
from skincare.errors import ApplicationError, ErrorCode, error_code_classes

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_MODULES = [
    path
    for app in ("shop", "feedback", "reviews")
    for path in (ROOT / app).rglob("*.py")
    if "tests" not in path.parts
    and "migrations" not in path.parts
    and (
        path.stem in ("services", "selectors", "lock_objects", "progress", "qa", "media", "community", "pricing")
        or "payments" in path.parts
    )
]


def test_the_error_handler_answers_a_domain_error_with_its_codes_status():
    response = exception_handler(ApplicationError(OrderErrorCode.ORDER_NOT_FOUND, "Order not found."), {})
    assert response.status_code == 404
    assert response.data == {"status": "error", "code": "ORDER_NOT_FOUND", "message": "Order not found.", "errors": {}}

    response = exception_handler(
        ApplicationError(OrderErrorCode.ADDRESS_NOT_FOUND, "Address not found.", errors={"address_id": ["No."]}), {}
    )
    assert (response.status_code, response.data["code"], response.data["errors"]) == (
        400,
        "ADDRESS_NOT_FOUND",
        {"address_id": ["No."]},
    )


def test_a_wait_on_a_domain_error_becomes_retry_after():
    error = ApplicationError(ApiErrorCode.THROTTLED, "Slow down.")
    error.wait = 42.5
    response = exception_handler(error, {})
    assert (response.status_code, response.headers["Retry-After"]) == (429, "42")


def test_a_code_outside_the_enums_answers_400():
    assert exception_handler(ApplicationError("SOMETHING_ELSE", "Unknown."), {}).status_code == 400


def test_error_codes_compare_equal_to_their_names_and_carry_a_status():
    assert OrderErrorCode.ORDER_NOT_FOUND == "ORDER_NOT_FOUND"
    assert (str(OrderErrorCode.ORDER_NOT_FOUND), OrderErrorCode.ORDER_NOT_FOUND.status) == ("ORDER_NOT_FOUND", 404)
    assert ApplicationError(CouponErrorCode.COUPON_EXPIRED, "Expired.").error_code == "COUPON_EXPIRED"


def test_every_error_code_is_an_enum_member_with_an_error_status():
    classes = error_code_classes()
    assert {cls.__name__ for cls in classes} >= {
        "ApiErrorCode",
        "AccountErrorCode",
        "CartErrorCode",
        "CatalogErrorCode",
        "CouponErrorCode",
        "FeedbackErrorCode",
        "FileErrorCode",
        "OrderErrorCode",
        "ReviewErrorCode",
        "WishlistErrorCode",
    }
    for cls in classes:
        for member in cls:
            assert member.value == member.name
            assert 400 <= member.status <= 599, member


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_domain_modules_know_nothing_of_http(path):
    """Services, selectors, locks and payments raise domain errors: no DRF, no status codes."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] != "rest_framework", f"{path}: imports {node.module}"
            assert node.module != "skincare.api.exceptions", f"{path}: imports {node.module}"
        if isinstance(node, ast.keyword):
            assert node.arg != "status_code", f"{path}:{node.value.lineno} names an HTTP status"


def _api_operations():
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/test/"):
            yield path, method.lower(), callback.cls


def test_every_api_operation_documents_its_error_codes():
    undocumented = [
        f"{method.upper()} {path} ({view.__module__}.{view.__qualname__})"
        for path, method, view in _api_operations()
        if declared_error_codes(view, method) is None
    ]
    assert undocumented == []


def test_documented_codes_include_the_common_ones_of_the_operation():
    class Open(APIView):
        permission_classes = [AllowAny]
        throttle_classes = []

        @raises(OrderErrorCode.ORDER_NOT_FOUND)
        def post(self, request):
            raise NotImplementedError

    assert documented_error_codes(Open, "post") == [
        ApiErrorCode.VALIDATION_ERROR,
        ApiErrorCode.TOO_MANY_FIELDS,
        ApiErrorCode.NOT_ACCEPTABLE,
        ApiErrorCode.AUTHENTICATION_FAILED,
        ApiErrorCode.TOKEN_INVALID,
        ApiErrorCode.PARSE_ERROR,
        ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ApiErrorCode.PAYLOAD_TOO_LARGE,
        ApiErrorCode.PERMISSION_DENIED,  # the CSRF check of a session-signed-in write
        OrderErrorCode.ORDER_NOT_FOUND,
    ]
    assert documents(Open, "post", "ORDER_NOT_FOUND", 404)
    assert not documents(Open, "post", "ORDER_NOT_FOUND", 400)
    assert not documents(Open, "post", "ORDER_NOT_CANCELLABLE", 409)

    class Anonymous(Open):
        authentication_classes = []

    assert ApiErrorCode.TOKEN_INVALID not in documented_error_codes(Anonymous, "post")


def test_codes_of_two_apps_with_one_name_stay_apart():
    from shop.accounts.error_codes import AccountErrorCode

    class Logout(APIView):
        @raises(AccountErrorCode.TOKEN_INVALID)
        def post(self, request):
            raise NotImplementedError

    documented = documented_error_codes(Logout, "post")
    assert ApiErrorCode.TOKEN_INVALID in documented and AccountErrorCode.TOKEN_INVALID in documented
    assert documents(Logout, "post", "TOKEN_INVALID", 401) and documents(Logout, "post", "TOKEN_INVALID", 400)


def test_raises_accepts_only_error_code_members():
    with pytest.raises(TypeError):
        raises("ORDER_NOT_FOUND")


@pytest.mark.django_db
def test_the_handler_reports_each_answered_code_to_the_observers():
    class Refusing(APIView):
        permission_classes = [AllowAny]

        @raises(CouponErrorCode.COUPON_EXPIRED)
        def get(self, request):
            raise ApplicationError(CouponErrorCode.COUPON_EXPIRED, "This coupon has expired.")

    seen = []
    exceptions.answer_observers.append(lambda *answer: seen.append(answer))
    try:
        response = Refusing.as_view()(APIRequestFactory().get("/"))
    finally:
        exceptions.answer_observers.pop()
    assert response.status_code == 400
    assert seen == [(Refusing, "get", "COUPON_EXPIRED", 400)]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _codes(operation, status):
    response = operation["responses"][status]
    return response["content"]["application/json"]["schema"]["allOf"][1]["properties"]["code"]["enum"]


def test_the_schema_lists_each_operations_codes_per_status(schema):
    cancel = schema["paths"]["/api/v1/orders/{order_number}/cancel"]["post"]
    # NOT_FOUND: a path the route does not take (e.g. a NUL in the order number, ApiRequestTextMiddleware)
    assert _codes(cancel, "404") == ["NOT_FOUND", "ORDER_NOT_FOUND"]
    assert "ORDER_NOT_CANCELLABLE" in _codes(cancel, "409")
    assert _codes(cancel, "401") == ["AUTHENTICATION_FAILED", "NOT_AUTHENTICATED", "TOKEN_INVALID"]
    assert cancel["responses"]["404"]["description"] == "Not Found: `NOT_FOUND`, `ORDER_NOT_FOUND`."

    paths = schema["paths"]
    categories = (paths.get("/api/v1/categories") or paths["/api/v1/categories/"])["get"]
    # 404: the category tree is a page, and ?page=0 (or past the last page) answers NOT_FOUND
    errors = sorted(status for status in categories["responses"] if status[0] == "4")
    assert errors == ["400", "401", "404", "406", "429"]
    assert _codes(categories, "404") == ["NOT_FOUND"]
    assert _codes(categories, "400") == ["TOO_MANY_FIELDS", "VALIDATION_ERROR"]


def test_every_documented_status_in_the_schema_comes_from_the_codes(schema):
    statuses = {}
    for cls in error_code_classes():
        for member in cls:
            statuses.setdefault(str(member), set()).add(member.status)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status in [status for status in operation["responses"] if status[0] in "45"]:
                codes = _codes(operation, status)
                assert codes and all(int(status) in statuses[code] for code in codes), f"{method} {path} {status}"


def test_error_code_base_is_not_a_registry_entry():
    assert ErrorCode not in error_code_classes()
