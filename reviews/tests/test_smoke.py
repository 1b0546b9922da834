import pytest

from reviews.tests.helpers import review_payload

pytestmark = pytest.mark.django_db


def test_create_and_list(auth_client, product, api_client):
    response = auth_client.post(f"/api/v1/products/{product.pk}/reviews", review_payload(), format="json")
    assert response.status_code == 201, response.json()
    listing = api_client.get(f"/api/v1/products/{product.pk}/reviews")
    assert listing.status_code == 200, listing.json()
    assert listing.json()["meta"]["total"] == 1
    summary = api_client.get(f"/api/v1/products/{product.pk}/reviews/summary")
    assert summary.status_code == 200, summary.json()
    print(summary.json())
