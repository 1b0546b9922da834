"""Regression tests for what `make fuzz` (tools/fuzz.sh, docs/fuzzing.md) found: answers that did not match
the published schema. Each request is validated against the documented response of its operation."""

import io

import pytest
from drf_spectacular.generators import SchemaGenerator
from PIL import Image

from ml.models import AvoidedIngredient
from shop.catalog.tests.factories import IngredientFactory, ProductFactory
from skincare.tests.test_openapi_conformance import assert_conforms

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(
    ("url", "template", "method"),
    [
        ("/api/v1/goals/null,null", "/api/v1/goals/{goal_id}", "delete"),
        ("/api/v1/products/abc/reviews", "/api/v1/products/{product_id}/reviews", "get"),
        ("/api/v1/staff/customers/x/suspend", "/api/v1/staff/customers/{user_id}/suspend", "post"),
    ],
)
def test_a_path_parameter_the_route_does_not_take_is_a_documented_not_found(
    schema, staff_client, url, template, method
):
    response = getattr(staff_client, method)(url)
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert_conforms(schema, template, method, response)


@pytest.mark.parametrize("page", ["0", "999"])
def test_a_page_the_list_does_not_have_is_a_documented_not_found(schema, api_client, page):
    ProductFactory()
    response = api_client.get(f"/api/v1/brands?page={page}")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert_conforms(schema, "/api/v1/brands", "get", response)
    response = api_client.get(f"/api/v1/products?page={page}")
    assert response.status_code == 404
    assert_conforms(schema, "/api/v1/products", "get", response)


@pytest.mark.parametrize("action", ["complete", "abandon"])
def test_finishing_a_journal_that_does_not_exist_is_a_documented_not_found(schema, auth_client, action):
    response = auth_client.post(f"/api/v1/progress/0/{action}", {"completion_notes": ""}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "PROGRESS_NOT_FOUND"
    assert_conforms(schema, f"/api/v1/progress/{{journal_id}}/{action}", "post", response)


def test_a_too_small_product_image_is_a_documented_refusal(schema, staff_client):
    product = ProductFactory()
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "dot.png"
    response = staff_client.post(
        f"/api/v1/staff/catalog/products/{product.pk}/media", {"files": [buffer]}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "IMAGE_TOO_SMALL"
    assert product.media.count() == 0
    assert_conforms(schema, "/api/v1/staff/catalog/products/{product_id}/media", "post", response)


def test_replacing_avoided_ingredients_answers_the_documented_page(schema, auth_client, user):
    zinc, niacinamide = IngredientFactory(name="Zinc"), IngredientFactory(name="Niacinamide")
    response = auth_client.put(
        "/api/v1/recommendations/avoided-ingredients", {"ingredient_ids": [zinc.pk, niacinamide.pk]}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert [row["name"] for row in body["data"]] == ["Niacinamide", "Zinc"]
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 2, "total_pages": 1}
    assert AvoidedIngredient.objects.filter(user=user).count() == 2
    assert_conforms(schema, "/api/v1/recommendations/avoided-ingredients", "put", response)
