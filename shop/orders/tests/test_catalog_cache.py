"""Checkout and cancellation refresh what the cached catalog shows about stock."""

from decimal import Decimal

import pytest

from shop.cart.tests.factories import ProductFactory
from shop.orders.tests.helpers import checkout, fill_cart

pytestmark = pytest.mark.django_db


def _listed_in_stock(api_client, product):
    rows = api_client.get("/api/v1/products", {"per_page": 100}).json()["data"]
    return next(row["in_stock"] for row in rows if row["id"] == product.pk)


def test_selling_the_last_unit_shows_out_of_stock_in_cached_pages(
    api_client, auth_client, user, django_capture_on_commit_callbacks
):
    product = ProductFactory(price=Decimal("12.00"), stock_quantity=2)
    assert api_client.get(f"/api/v1/products/{product.pk}").json()["data"]["in_stock"] is True
    assert _listed_in_stock(api_client, product) is True  # both now cached

    fill_cart(user, (product, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert checkout(auth_client, user).status_code == 201
    assert _listed_in_stock(api_client, product) is True  # one left: list pages may stay

    fill_cart(user, (product, 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(auth_client, user)
    assert response.status_code == 201
    assert api_client.get(f"/api/v1/products/{product.pk}").json()["data"]["in_stock"] is False
    assert _listed_in_stock(api_client, product) is False

    with django_capture_on_commit_callbacks(execute=True):
        cancel = auth_client.post(f"/api/v1/orders/{response.json()['data']['order_number']}/cancel")
    assert cancel.status_code == 200
    assert _listed_in_stock(api_client, product) is True
