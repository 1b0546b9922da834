"""Products as cart lines, wishlist items and order lines: Khmer names and absolute images."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.cart.tests.factories import ProductFactory
from shop.catalog.models import ProductMedia
from shop.files.tests.factories import UploadedFileFactory
from shop.orders.tests.helpers import checkout, fill_cart

pytestmark = pytest.mark.django_db

KM = {"HTTP_ACCEPT_LANGUAGE": "km"}


def product_with_image(number):
    product = ProductFactory(name=f"Serum {number}", name_km=f"សេរ៉ូម {number}" if number % 2 == 0 else "")
    file = UploadedFileFactory(
        context="product",
        is_public=True,
        file=f"uploads/products/p{number}.jpg",
        thumbnails={"small": f"uploads/products/p{number}-small.jpg"},
    )
    ProductMedia.objects.create(product=product, file=file, is_primary=True)
    return product


def queries(client, path, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    assert response.status_code == 200, response.json()
    return response.json()["data"], len(captured)


def expected_ref(product, number):
    return {
        "name": f"សេរ៉ូម {number}" if number % 2 == 0 else f"Serum {number}",
        "url": f"http://testserver/media/uploads/products/p{number}.jpg",
        "thumbnails": {"small": f"http://testserver/media/uploads/products/p{number}-small.jpg"},
    }


def ref(product):
    return {"name": product["name"], "url": product["image"]["url"], "thumbnails": product["image"]["thumbnails"]}


def test_cart_lines_show_khmer_names_and_images_in_constant_queries(auth_client):
    products = [product_with_image(number) for number in range(4)]
    auth_client.post("/api/v1/cart/items", {"product_id": products[0].pk}, format="json")
    one, one_count = queries(auth_client, "/api/v1/cart", **KM)
    for product in products[1:]:
        auth_client.post("/api/v1/cart/items", {"product_id": product.pk}, format="json")
    four, four_count = queries(auth_client, "/api/v1/cart", **KM)

    assert [ref(line["product"]) for line in one["items"]] == [expected_ref(products[0], 0)]
    assert sorted((ref(line["product"]) for line in four["items"]), key=lambda r: r["url"]) == [
        expected_ref(product, number) for number, product in enumerate(products)
    ]
    assert one_count == four_count


def test_wishlist_items_show_khmer_names_and_images_in_constant_queries(auth_client):
    products = [product_with_image(number) for number in range(4)]
    auth_client.post("/api/v1/wishlist", {"product_id": products[0].pk}, format="json")
    one, one_count = queries(auth_client, "/api/v1/wishlist", **KM)
    for product in products[1:]:
        auth_client.post("/api/v1/wishlist", {"product_id": product.pk}, format="json")
    four, four_count = queries(auth_client, "/api/v1/wishlist", **KM)

    assert [ref(item["product"]) for item in one] == [expected_ref(products[0], 0)]
    assert sorted((ref(item["product"]) for item in four), key=lambda r: r["url"]) == [
        expected_ref(product, number) for number, product in enumerate(products)
    ]
    assert one_count == four_count


def test_order_lines_show_khmer_names_and_images_in_constant_queries(auth_client, user, run_on_commit):
    products = [product_with_image(number) for number in range(4)]
    fill_cart(user, (products[0], 1))
    small = checkout(auth_client, user).json()["data"]["order_number"]
    fill_cart(user, *[(product, 1) for product in products])
    large = checkout(auth_client, user).json()["data"]["order_number"]

    one, one_count = queries(auth_client, f"/api/v1/orders/{small}", **KM)
    four, four_count = queries(auth_client, f"/api/v1/orders/{large}", **KM)

    def line_ref(line):
        return {"name": line["product_name"], "url": line["image"]["url"], "thumbnails": line["image"]["thumbnails"]}

    assert [line_ref(line) for line in one["items"]] == [expected_ref(products[0], 0)]
    assert sorted((line_ref(line) for line in four["items"]), key=lambda r: r["url"]) == [
        expected_ref(product, number) for number, product in enumerate(products)
    ]
    assert one["items"][0]["product_name_km"] == "សេរ៉ូម 0"
    english = auth_client.get(f"/api/v1/orders/{small}").json()["data"]["items"][0]
    assert english["product_name"] == "Serum 0"  # the name bought, as the receipt says
    assert one_count == four_count
