"""Every field an answer always carries is ``required`` in the schema, so generated clients type it
as present (not ``Unset | ...``). Real answers of the journeys (product list and detail, cart, order,
review) are walked alongside their documented schema; a property they carry that the schema leaves
optional fails here."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from reviews.tests.helpers import review_payload
from shop.catalog.tests.factories import ProductFactory
from shop.orders.tests.helpers import place

pytestmark = pytest.mark.django_db

# Properties an answer may leave out, and when: "Component.property".
SOMETIMES_ABSENT = {
    # A deleted account's author is {"id": null, "name": "Former customer"}.
    "AuthorOutput.skin_type",
    "AuthorOutput.is_expert",
    "AuthorOutput.community_score",
    # Only the author (and staff) see their review's moderation state.
    "ReviewOutput.status",
    "ReviewOutput.moderation_notes",
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node, value):
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        elif "oneOf" in node and value is not None:
            options = [option for option in node["oneOf"] if option.get("type") != "null"]
            if len(options) != 1:
                return node  # a union of scalars (an enum or blank)
            node = options[0]
        else:
            return node


def _optional_present(schema, node, value, where, found):
    if value is None:
        return
    name = node.get("$ref", "").rsplit("/", 1)[-1] or where
    node = _resolve(schema, node, value)
    if isinstance(value, dict) and "properties" in node:
        required = set(node.get("required", []))
        for key, item in value.items():
            assert key in node["properties"], f"{where}.{key} is not documented"
            if key not in required and f"{name}.{key}" not in SOMETIMES_ABSENT:
                found.add(f"{name}.{key}")
            _optional_present(schema, node["properties"][key], item, f"{where}.{key}", found)
    elif isinstance(value, list) and "items" in node:
        for item in value:
            _optional_present(schema, node["items"], item, f"{where}[]", found)


def _check(schema, client, method, url, path=None, **kwargs):
    response = getattr(client, method)(url, format="json", **kwargs) if kwargs else getattr(client, method)(url)
    assert response.status_code in (200, 201), response.json()
    operation = schema["paths"][path or url][method]
    documented = operation["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
    found = set()
    _optional_present(schema, documented, response.json(), url, found)
    return found


def test_always_present_fields_are_required(schema, auth_client, user):
    product = ProductFactory()
    order, _ = place(auth_client, user)
    number = order["order_number"]
    auth_client.post("/api/v1/cart/items", {"product_id": product.pk, "quantity": 2}, format="json")
    review = auth_client.post(f"/api/v1/products/{product.pk}/reviews", review_payload(), format="json")
    assert review.status_code == 201, review.json()
    review_id = review.json()["data"]["id"]

    found = set()
    found |= _check(schema, auth_client, "get", "/api/v1/products")
    found |= _check(schema, auth_client, "get", f"/api/v1/products/{product.slug}", "/api/v1/products/{lookup}")
    found |= _check(schema, auth_client, "get", "/api/v1/cart")
    found |= _check(schema, auth_client, "get", "/api/v1/orders")
    found |= _check(schema, auth_client, "get", f"/api/v1/orders/{number}", "/api/v1/orders/{order_number}")
    found |= _check(
        schema, auth_client, "get", f"/api/v1/products/{product.pk}/reviews", "/api/v1/products/{product_id}/reviews"
    )
    found |= _check(schema, auth_client, "get", f"/api/v1/reviews/{review_id}", "/api/v1/reviews/{review_id}")

    assert sorted(found) == [], "\n".join(sorted(found))
