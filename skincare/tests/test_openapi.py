"""The OpenAPI schema documents the whole API accurately and without drf-spectacular warnings.

drf-spectacular reports what it cannot work out (a view without a serializer, a filter it
cannot type, two components with one name, ...) as warnings and errors and then guesses;
each of them is a place where the published schema is wrong, so any of them fails here.
"""

import re

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats
from drf_spectacular.generators import SchemaGenerator

from feedback.models import ContentType, ModerationStatus, NotificationType
from reviews.models import ContentStatus, ProgressStatus, VoteType
from shop.accounts.models import SkinConcern, SkinType
from shop.catalog.models import ProductSkinType, ProductStatus
from shop.coupons.models import CouponStatus, CouponType
from shop.orders.models import FulfillmentStatus, OrderStatus, PaymentRecordStatus, PaymentStatus, RefundStatus
from skincare.urls import api_v1

# Every choice set has one fixed enum name (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
SHOP_ENUMS = {
    "OrderStatusEnum": OrderStatus,
    "PaymentStatusEnum": PaymentStatus,
    "FulfillmentStatusEnum": FulfillmentStatus,
    "PaymentRecordStatusEnum": PaymentRecordStatus,
    "RefundStatusEnum": RefundStatus,
    "CouponStatusEnum": CouponStatus,
    "CouponTypeEnum": CouponType,
    "ProductStatusEnum": ProductStatus,
    "ProductSkinTypeEnum": ProductSkinType,
    "SkinTypeEnum": SkinType,
    "SkinConcernEnum": SkinConcern,
}
COMMUNITY_ENUMS = {
    "ContentTypeEnum": ContentType,
    "ModerationStatusEnum": ModerationStatus,
    "NotificationTypeEnum": NotificationType,
    "ContentStatusEnum": ContentStatus,
    "ProgressStatusEnum": ProgressStatus,
    "VoteTypeEnum": VoteType,
}

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# (path, method) that take no body, or answer something other than JSON, on purpose.
NO_REQUEST_BODY = {
    ("/api/v1/orders/{order_number}/reorder", "post"),
    ("/api/v1/user/addresses/{id}/default", "post"),
    ("/api/v1/notifications/{notification_id}/read", "put"),
    ("/api/v1/notifications/{notification_id}/read", "post"),
    ("/api/v1/notifications/read-all", "put"),
    ("/api/v1/notifications/read-all", "post"),
    ("/api/v1/questions/{question_id}/vote", "post"),
    ("/api/v1/staff/users/{user_id}/community-score", "post"),
    ("/api/v1/staff/customers/{user_id}/suspend", "post"),
    ("/api/v1/staff/customers/{user_id}/activate", "post"),
}
NOT_JSON = {("/api/v1/files/{public_id}/content", "get")}
# The staff analytics CSV exports answer text/csv (checked below).
CSV_EXPORTS = {
    *(f"/api/v1/staff/analytics/{name}/export" for name in ("community", "customers", "feedback", "products")),
    *(f"/api/v1/staff/analytics/{name}/export" for name in ("sales", "search-trends", "skin-types")),
    *(f"/api/v1/staff/analytics/{name}/export" for name in ("recommendations", "sentiment")),
    "/api/v1/staff/analytics/efficacy/{product_id}/export",
}
NOT_JSON |= {(path, "get") for path in CSV_EXPORTS}


def _generate(patterns=None):
    reset_generator_stats()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    reset_generator_stats()
    return schema, messages


def _shop_patterns():
    """The shop apps' URLs, mounted where skincare.urls mounts them."""
    modules = [resolver.urlconf_module for resolver in api_v1]
    patterns = [path("api/v1/", include(module)) for module in modules if module.__name__.startswith("shop.")]
    assert len(patterns) >= 7, "shop.accounts, files, catalog, cart, wishlist, coupons, orders"
    return patterns


@pytest.fixture(scope="module")
def full():
    return _generate()


@pytest.fixture(scope="module")
def schema(full):
    return full[0]


@pytest.fixture(scope="module")
def shop_operations():
    """{(path, method): operation} of the shop apps' endpoints only."""
    shop_schema, _ = _generate(_shop_patterns())
    assert "/api/v1/coupons/validate" in shop_schema["paths"]
    return {
        (url, method): operation
        for url, item in shop_schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if isinstance(node, dict) and "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(schema, node["allOf"][0])
    return node


def _data(schema, operation, code="200"):
    """The documented ``data`` of a success response (the envelope is added by a hook)."""
    body = _resolve(schema, operation["responses"][code]["content"]["application/json"]["schema"])
    return _resolve(schema, body["properties"]["data"])


def _request(schema, operation):
    return _resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])


@pytest.fixture(scope="module")
def operations(schema):
    """{(path, method): operation} of every endpoint."""
    return {
        (url, method): operation
        for url, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def test_no_schema_warnings_or_errors(full):
    _, messages = full
    assert messages == []


def test_shop_schema_alone_generates_cleanly(shop_operations):
    _, messages = _generate(_shop_patterns())
    assert messages == []


def test_enums_have_one_name(schema):
    components = schema["components"]["schemas"]
    assert not {"Input", "InputRequest", "Output"} & set(components), "give nested serializers their own names"
    for name, choices in {**SHOP_ENUMS, **COMMUNITY_ENUMS}.items():
        assert components[name]["enum"] == list(choices.values), name
        others = [key for key, c in components.items() if key != name and c.get("enum") == list(choices.values)]
        assert others == [], f"{name} also published as {others}"
    assert not [key for key in components if re.fullmatch(r".*[0-9a-f]{3}Enum", key)]


def test_every_operation_documents_its_body_and_answer(operations, shop_operations):
    assert set(shop_operations) <= set(operations)
    operation_ids = [operation["operationId"] for operation in operations.values()]
    assert len(operation_ids) == len(set(operation_ids))
    for (url, method), operation in operations.items():
        if method in {"post", "put", "patch"} and (url, method) not in NO_REQUEST_BODY:
            assert "requestBody" in operation, (url, method)
        successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert successes, (url, method)
        for code, response in successes.items():
            if code == "204" or (url, method) in NOT_JSON:
                continue
            assert "application/json" in response.get("content", {}), (url, method, code)


def test_csv_exports_document_their_csv_body(schema):
    for export in CSV_EXPORTS:
        assert schema["paths"][export]["get"]["responses"]["200"]["content"] == {
            "text/csv": {"schema": {"type": "string"}}
        }


def test_coupon_validate_documents_body_and_answer(schema):
    operation = schema["paths"]["/api/v1/coupons/validate"]["post"]
    assert "code" in _request(schema, operation)["properties"]
    answer = _data(schema, operation)
    assert {"valid", "code", "reason", "coupon", "discount"} <= set(answer["properties"])
    assert answer["properties"]["valid"]["type"] == "boolean"


def test_coupon_stats_paths_have_their_own_operation_and_shape(schema):
    everything = schema["paths"]["/api/v1/staff/coupons/stats"]["get"]
    one = schema["paths"]["/api/v1/staff/coupons/{id}/stats"]["get"]
    assert everything["operationId"] != one["operationId"]
    coupons_by_status = _resolve(schema, _data(schema, everything)["properties"]["coupons_by_status"])
    assert set(coupons_by_status["properties"]) == set(CouponStatus.values)
    assert "remaining" in _data(schema, one)["properties"]


def test_product_list_documents_typed_filters(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/products"]["get"]["parameters"]}
    concern = parameters["concern"]
    assert concern["schema"]["type"] == "array"
    assert concern["schema"]["items"]["enum"] == list(SkinConcern.values)
    assert (concern["style"], concern["explode"]) == ("form", True)  # concern=acne&concern=pores
    assert parameters["brand"]["schema"]["items"] == {"type": "string"}
    for name in ("in_stock", "featured", "sensitive_skin"):
        assert parameters[name]["schema"]["type"] == "boolean", name


def test_hand_built_answers_are_described(schema):
    dashboard = _data(schema, schema["paths"]["/api/v1/staff/orders/dashboard"]["get"])
    assert {"sales", "orders_by_status", "pending_payments", "recent_orders", "top_products", "low_stock"} == set(
        dashboard["properties"]
    )
    cart = _data(schema, schema["paths"]["/api/v1/cart"]["get"])
    line = _resolve(schema, cart["properties"]["items"]["items"])
    assert {"product", "quantity", "unit_price", "problem"} <= set(line["properties"])

    wishlist = schema["paths"]["/api/v1/wishlist"]["get"]["responses"]["200"]["content"]["application/json"]
    page = _resolve(schema, wishlist["schema"])
    assert set(page["properties"]) == {"status", "data", "meta"}
    assert "product" in _resolve(schema, page["properties"]["data"]["items"])["properties"]


# --- feedback / reviews -------------------------------------------------------------------------


def test_staff_endpoints_live_under_staff(schema):
    assert not [url for url in schema["paths"] if url.startswith("/api/v1/admin")]
    for url in (
        "/api/v1/staff/moderation/queue",
        "/api/v1/staff/reviews/{review_id}/approve",
        "/api/v1/staff/users/{user_id}/promote-expert",
        "/api/v1/staff/products/{product_id}/feedback",
    ):
        assert url in schema["paths"], url


def test_review_summary_documents_the_histograms(schema):
    summary = _data(schema, schema["paths"]["/api/v1/products/{product_id}/reviews/summary"]["get"])
    assert {"count", "avg_rating", "histogram", "histogram_percent", "aspects", "by_skin_type"} <= set(
        summary["properties"]
    )
    histogram = _resolve(schema, summary["properties"]["histogram"])
    assert set(histogram["properties"]) == {"1", "2", "3", "4", "5"}
    assert histogram["properties"]["5"]["type"] == "integer"
    by_skin_type = _resolve(schema, summary["properties"]["by_skin_type"])
    assert set(by_skin_type["properties"]) == {*SkinType.values, "unknown"}
    assert "histogram" in _resolve(schema, by_skin_type["properties"]["oily"])["properties"]


def test_notification_answers_are_described(schema):
    unread = _data(schema, schema["paths"]["/api/v1/notifications/unread-count"]["get"])
    assert set(unread["properties"]) == {"unread"}
    assert unread["properties"]["unread"]["type"] == "integer"
    preferences = _data(schema, schema["paths"]["/api/v1/notifications/preferences"]["get"])
    types = _resolve(schema, preferences["properties"]["types"])
    assert set(types["properties"]) == set(NotificationType.values)
    channels = _resolve(schema, types["properties"][NotificationType.COMMUNITY])
    assert set(channels["properties"]) == {"email", "push", "in_app"}


def test_community_lists_are_paged_and_staff_decisions_have_their_own_bodies(schema):
    for url in ("/api/v1/products/{product_id}/reviews", "/api/v1/staff/moderation/queue", "/api/v1/notifications"):
        media = schema["paths"][url]["get"]["responses"]["200"]["content"]["application/json"]
        page = _resolve(schema, media["schema"])
        assert set(page["properties"]) == {"status", "data", "meta"}, url
    review = _resolve(schema, schema["components"]["schemas"]["ReviewOutput"])
    assert {"author", "media", "my_vote", "status", "product"} <= set(review["properties"])
    assert "status" not in review["required"]  # only for the author and staff

    history = schema["paths"]["/api/v1/staff/users/{user_id}/feedback-history"]["get"]["responses"]["200"]
    page = _resolve(schema, history["content"]["application/json"]["schema"])
    assert set(page["properties"]) == {"status", "data", "meta"}
    assert {"page", "total", "stats", "reputation"} <= set(_resolve(schema, page["properties"]["meta"])["properties"])

    def request_ref(url):
        return schema["paths"][url]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]

    assert request_ref("/api/v1/staff/moderation/{item_id}/approve").endswith("/ModerationDecisionInputRequest")
    assert request_ref("/api/v1/staff/reviews/{review_id}/approve").endswith("/ReviewDecisionInputRequest")


def test_product_id_path_parameter_says_it_takes_the_id_or_the_slug(operations):
    from shop.catalog.converters import ProductIdOrSlugConverter

    product_paths = {
        (url, method): operation
        for (url, method), operation in operations.items()
        if url.startswith("/api/v1/products/{")
    }
    assert {url for url, _ in product_paths} == {
        "/api/v1/products/{lookup}",
        "/api/v1/products/{product_id}/related",
        "/api/v1/products/{product_id}/reviews",
        "/api/v1/products/{product_id}/reviews/summary",
        "/api/v1/products/{product_id}/questions",
        "/api/v1/products/{product_id}/feedback",
    }
    for operation in product_paths.values():
        (parameter,) = [p for p in operation["parameters"] if p["in"] == "path"]
        assert parameter["schema"]["type"] == "string"
        assert "id" in parameter["description"] and "slug" in parameter["description"]
        pattern = re.compile(parameter["schema"]["pattern"])
        for value in ("42", "hydrating-serum", "vitamin_c-2"):
            assert pattern.fullmatch(value)
            assert re.fullmatch(ProductIdOrSlugConverter.regex, value)
        for value in ("a b", "serum/1", "", "é"):
            assert not pattern.fullmatch(value)


def test_currency_is_the_shop_currency_enum_everywhere(schema, operations):
    assert schema["components"]["schemas"]["CurrencyEnum"]["enum"] == ["USD", "KHR"]
    answers = {
        "/api/v1/products": _data(schema, operations[("/api/v1/products", "get")])["items"],
        "/api/v1/cart": _data(schema, operations[("/api/v1/cart", "get")]),
        "/api/v1/orders": _data(schema, operations[("/api/v1/orders", "get")])["items"],
        "/api/v1/orders/{order_number}": _data(schema, operations[("/api/v1/orders/{order_number}", "get")]),
    }
    for url, data in answers.items():
        assert _resolve(schema, data)["properties"]["currency"] == {"$ref": "#/components/schemas/CurrencyEnum"}, url
    payment = _resolve(schema, answers["/api/v1/orders/{order_number}"]["properties"]["payments"]["items"])
    assert payment["properties"]["currency"] == {"$ref": "#/components/schemas/CurrencyEnum"}
    currency_types = [
        node
        for name, component in schema["components"]["schemas"].items()
        for prop, node in component.get("properties", {}).items()
        if prop == "currency"
    ]
    assert currency_types and all(node == {"$ref": "#/components/schemas/CurrencyEnum"} for node in currency_types)


BULK_ENDPOINTS = {
    "/api/v1/staff/catalog/products/bulk-update": "BulkResult",
    "/api/v1/staff/catalog/products/bulk-delete": "BulkResult",
    "/api/v1/staff/coupons/bulk-status": "BulkResult",
    "/api/v1/staff/moderation/bulk-action": "BulkResult",
    "/api/v1/staff/reviews/bulk-action": "BulkResult",
    "/api/v1/staff/orders/bulk-update": "OrderBulkResult",
}


def test_every_bulk_endpoint_answers_one_shape(schema, operations):
    assert {url for url, _ in operations if "bulk" in url} == set(BULK_ENDPOINTS)
    for url, component in BULK_ENDPOINTS.items():
        body = operations[(url, "post")]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["properties"]["data"] == {"$ref": f"#/components/schemas/{component}"}, url
    for component, id_type in (("BulkResult", "integer"), ("OrderBulkResult", "string")):
        result = schema["components"]["schemas"][component]
        assert set(result["properties"]) == {"done", "skipped"} and set(result["required"]) == {"done", "skipped"}
        assert result["properties"]["done"]["items"]["type"] == id_type
        skipped = _resolve(schema, result["properties"]["skipped"]["items"])
        assert set(skipped["properties"]) == {"id", "code", "message"} == set(skipped["required"])
        assert skipped["properties"]["id"]["type"] == id_type
