"""The rules every API path follows, checked over the whole URLconf and schema (docs/api.md).

One path form (no trailing slash; the slash form answers the same without a redirect), JSON bodies
(multipart only on uploads), repeated query parameters for multi-value filters, and a page with
``meta`` for every GET list.
"""

from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from feedback.models import PushDevice
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db
PAGE_META = {"page", "per_page", "total", "total_pages"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_no_api_route_or_schema_path_ends_with_a_slash(schema):
    api_routes = [route for route in _routes() if route.startswith("api/v1/")]
    assert len(api_routes) > 100
    assert [route for route in api_routes if route.endswith("/")] == []
    assert [path for path in schema["paths"] if path.endswith("/")] == []


def test_every_get_list_is_paginated_with_meta(schema):
    lists, unpaginated = [], []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        content = (get or {}).get("responses", {}).get("200", {}).get("content", {}).get("application/json")
        if not content:
            continue
        body = _resolve(schema, content["schema"])
        data = body.get("properties", {}).get("data")
        if data is None or _resolve(schema, data).get("type") != "array":
            continue
        lists.append(path)
        meta = _resolve(schema, body["properties"].get("meta", {}))
        if "meta" not in body.get("required", []) or not PAGE_META <= set(meta.get("required", [])):
            unpaginated.append(path)
    assert len(lists) > 30
    assert unpaginated == []


def test_only_uploads_take_multipart_and_nothing_takes_form_bodies(schema):
    bodies = {
        (method, path): sorted(operation["requestBody"]["content"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "requestBody" in operation
    }
    multipart = sorted(key for key, types in bodies.items() if types != ["application/json"])
    assert multipart == [
        ("post", "/api/v1/auth/profile/picture"),
        ("post", "/api/v1/skin-analysis"),
        ("post", "/api/v1/staff/catalog/products/{product_id}/media"),
        ("post", "/api/v1/upload/profile-picture"),
        ("post", "/api/v1/upload/progress-photo"),
        ("post", "/api/v1/upload/question-image"),
        ("post", "/api/v1/upload/review-photo"),
        ("post", "/api/v1/uploads/{context}"),
    ]
    assert all(bodies[key] == ["multipart/form-data"] for key in multipart)
    upload = schema["paths"]["/api/v1/uploads/{context}"]["post"]["requestBody"]["content"]["multipart/form-data"]
    files = _resolve(schema, upload["schema"])["properties"]["files"]
    assert files["items"] == {"type": "string", "format": "binary"}


def test_a_form_body_on_a_json_endpoint_is_415(api_client):
    response = api_client.post(
        "/api/v1/auth/login", "email=a%40example.com&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_the_trailing_slash_form_answers_the_same_without_a_redirect(api_client, staff_client, user, auth_client):
    ProductFactory(name="Only Serum")
    plain = api_client.get("/api/v1/products")
    slashed = api_client.get("/api/v1/products/")
    assert (plain.status_code, slashed.status_code) == (200, 200)
    assert slashed.json() == plain.json()
    product = ProductFactory(price=Decimal("10.00"))
    added = auth_client.post("/api/v1/cart/items/", {"product_id": product.pk, "quantity": 2}, format="json")
    assert added.status_code == 201  # the body reached the view: no 301 that drops it
    assert added.json()["data"]["item_count"] == 2
    patched = staff_client.patch(f"/api/v1/staff/catalog/products/{product.pk}/", {"price": "12.50"}, format="json")
    assert (patched.status_code, patched.json()["data"]["price"]) == (200, "12.50")


@pytest.mark.parametrize("path", ["/api/v1/brands/", "/api/v1/no-such-thing/", "/api/v1/orders/"])
def test_unknown_or_slashed_api_paths_never_redirect(api_client, path):
    response = api_client.post(path, {"x": 1}, format="json")
    assert response.status_code in (401, 404, 405)
    assert response["Content-Type"] == "application/json"


def test_multi_value_filters_take_repeated_parameters(api_client, schema):
    ProductFactory(name="Acne Serum", concerns=["acne"])
    ProductFactory(name="Pore Toner", concerns=["pores"])
    ProductFactory(name="Dry Cream", concerns=["dryness"])
    repeated = api_client.get("/api/v1/products?concern=acne&concern=pores&sort=name").json()
    assert [row["name"] for row in repeated["data"]] == ["Acne Serum", "Pore Toner"]
    comma = api_client.get("/api/v1/products?concern=acne,pores&sort=name").json()
    assert [row["name"] for row in comma["data"]] == ["Acne Serum", "Pore Toner"]
    bad = api_client.get("/api/v1/products?concern=acne&concern=bogus")
    assert (bad.status_code, bad.json()["code"]) == (400, "VALIDATION_ERROR")
    arrays = [
        (path, parameter["name"])
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter["schema"].get("type") == "array"
    ]
    assert ("/api/v1/products", "concern") in arrays
    assert ("/api/v1/products/{product_id}/reviews", "rating") in arrays
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter["in"] == "query" and parameter["schema"].get("type") == "array":
                    assert parameter.get("explode", True) is True, (path, parameter["name"])


def test_review_filters_take_repeated_parameters(api_client, user, other_user):
    from reviews.models import ContentStatus, Review

    product = ProductFactory()
    for author, rating in ((user, 5), (other_user, 3)):
        Review.objects.create(
            product=product, user=author, rating=rating, title="t", review_text="text", status=ContentStatus.APPROVED
        )
    url = f"/api/v1/products/{product.pk}/reviews"
    assert sorted(r["rating"] for r in api_client.get(f"{url}?rating=5&rating=3").json()["data"]) == [3, 5]
    assert [r["rating"] for r in api_client.get(f"{url}?rating=5").json()["data"]] == [5]
    assert sorted(r["rating"] for r in api_client.get(f"{url}?rating=3,5").json()["data"]) == [3, 5]
    assert api_client.get(f"{url}?rating=9").status_code == 400


def test_push_device_is_unregistered_by_its_path(auth_client, user, other_user):
    PushDevice.objects.create(user=user, token="fcm:mine-1")
    PushDevice.objects.create(user=other_user, token="theirs")
    assert auth_client.delete("/api/v1/notifications/devices/theirs").status_code == 404
    assert auth_client.delete("/api/v1/notifications/devices/fcm:mine-1").status_code == 204
    assert list(PushDevice.objects.values_list("token", flat=True)) == ["theirs"]


def test_former_lists_now_answer_a_page(api_client):
    BrandFactory(name="Alpha", slug="alpha")
    BrandFactory(name="Beta", slug="beta")
    root = CategoryFactory(name="Face", slug="face")
    CategoryFactory(name="Serums", slug="serums", parent=root)
    brands = api_client.get("/api/v1/brands?per_page=1").json()
    assert ([b["slug"] for b in brands["data"]], brands["meta"]) == (
        ["alpha"],
        {"page": 1, "per_page": 1, "total": 2, "total_pages": 2},
    )
    categories = api_client.get("/api/v1/categories").json()
    assert [c["slug"] for c in categories["data"]] == ["face"]
    assert categories["meta"]["total"] == 1


def test_ordering_parameter_is_sort_everywhere(schema, staff_client, auth_client, user):
    from shop.orders.tests.helpers import place

    cheap, _ = place(auth_client, user, price="10.00")
    dear, _ = place(auth_client, user, price="50.00")
    names = {
        parameter["name"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
    }
    assert "sort" in names and "ordering" not in names
    numbers = [row["order_number"] for row in staff_client.get("/api/v1/staff/orders?sort=total").json()["data"]]
    assert numbers == [cheap["order_number"], dear["order_number"]]
    alias = staff_client.get("/api/v1/staff/orders?ordering=-total").json()["data"]
    assert [row["order_number"] for row in alias] == [dear["order_number"], cheap["order_number"]]
    bad = staff_client.get("/api/v1/staff/orders?sort=bogus")
    assert (bad.status_code, bad.json()["code"]) == (400, "VALIDATION_ERROR")


@pytest.mark.parametrize("query", ["status=bogus", "type=bogus"])
def test_unknown_status_is_400_on_staff_coupons_too(staff_client, query):
    response = staff_client.get(f"/api/v1/staff/coupons?{query}")
    assert (response.status_code, response.json()["code"]) == (400, "VALIDATION_ERROR")
    assert staff_client.get("/api/v1/staff/coupons?status=active").status_code == 200


def test_product_sub_resources_take_the_id_or_the_slug(api_client):
    product = ProductFactory(name="Snail Essence", slug="snail-essence")
    ProductFactory(name="Other", category=product.category)
    for suffix in ("related", "reviews", "reviews/summary", "questions"):
        by_id = api_client.get(f"/api/v1/products/{product.pk}/{suffix}")
        by_slug = api_client.get(f"/api/v1/products/snail-essence/{suffix}")
        assert (by_id.status_code, by_slug.status_code) == (200, 200), suffix
        assert by_slug.json() == by_id.json(), suffix
    missing = api_client.get("/api/v1/products/no-such-product/reviews")
    assert (missing.status_code, missing.json()["status"]) == (404, "error")


def test_brand_is_the_same_object_everywhere(auth_client):
    brand = BrandFactory(name="Glow Lab", slug="glow-lab")
    product = ProductFactory(brand=brand)
    expected = {"id": brand.pk, "name": "Glow Lab", "slug": "glow-lab"}
    assert auth_client.get("/api/v1/products").json()["data"][0]["brand"] == expected
    assert auth_client.get(f"/api/v1/products/{product.slug}").json()["data"]["brand"] == expected
    cart = auth_client.post("/api/v1/cart/items", {"product_id": product.pk}, format="json").json()["data"]
    assert cart["items"][0]["product"]["brand"] == expected
    auth_client.post("/api/v1/wishlist", {"product_id": product.pk}, format="json")
    assert auth_client.get("/api/v1/wishlist").json()["data"][0]["product"]["brand"] == expected


def test_an_unknown_status_is_400_on_every_list_that_filters_by_status(schema, staff_client):
    lists = [
        path
        for path, operations in schema["paths"].items()
        if "{" not in path
        and any(p["in"] == "query" and p["name"] == "status" for p in operations.get("get", {}).get("parameters", []))
    ]
    assert len(lists) >= 7
    answers = {path: staff_client.get(f"{path}?status=bogus") for path in lists}
    assert {path: (r.status_code, r.json()["code"]) for path, r in answers.items()} == {
        path: (400, "VALIDATION_ERROR") for path in lists
    }
