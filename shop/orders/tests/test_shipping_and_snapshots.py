"""Shipping methods priced at checkout, and order lines that keep what was bought (image, variant)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from shop.cart.tests.factories import ProductFactory, VariantFactory
from shop.catalog.models import ProductMedia
from shop.files.models import FileStatus
from shop.files.services import files_cleanup
from shop.files.tests.factories import UploadedFileFactory
from shop.orders.tests.helpers import checkout, fill_cart

pytestmark = pytest.mark.django_db
D = Decimal


def test_shipping_methods_are_listed_with_their_price_rule():
    response = APIClient().get("/api/v1/shipping-methods")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == [
        {"code": "standard", "name": "Standard delivery", "price": "3.50", "free_over": "50.00", "currency": "USD"},
        {"code": "express", "name": "Express delivery", "price": "9.00", "free_over": None, "currency": "USD"},
    ]
    assert body["meta"]["total"] == 2
    km = APIClient().get("/api/v1/shipping-methods", HTTP_ACCEPT_LANGUAGE="km").json()["data"]
    assert km[1]["name"] == "ដឹកជញ្ជូនរហ័ស"


@pytest.mark.parametrize(
    "method,price,shipping,total",
    [
        ("standard", "20.00", "3.50", "25.50"),
        ("standard", "60.00", "0.00", "66.00"),
        ("express", "20.00", "9.00", "31.00"),
        ("express", "60.00", "9.00", "75.00"),
    ],
)
def test_the_chosen_method_is_priced_in_the_order(auth_client, user, method, price, shipping, total):
    fill_cart(user, (ProductFactory(price=D(price)), 1))
    response = checkout(auth_client, user, shipping_method=method)
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert (data["shipping_method"], data["shipping_amount"], data["total"]) == (method, shipping, total)
    listed = auth_client.get("/api/v1/orders").json()["data"][0]
    assert (listed["shipping_method"], listed["total"]) == (method, total)


def test_a_method_not_offered_in_the_shop_currency_is_refused(auth_client, user, settings):
    settings.SHIPPING_METHODS = {"USD": {"standard": {"price": "3.50", "free_over": None}}}
    product = ProductFactory(stock_quantity=5)
    fill_cart(user, (product, 1))
    response = checkout(auth_client, user, shipping_method="express")
    assert (response.status_code, response.json()["code"]) == (400, "SHIPPING_METHOD_UNAVAILABLE")
    product.refresh_from_db()
    assert product.stock_quantity == 5
    unknown = checkout(auth_client, user, shipping_method="drone")
    assert (unknown.status_code, list(unknown.json()["errors"])) == (400, ["shipping_method"])


def test_a_free_shipping_coupon_also_frees_express(auth_client, user):
    from shop.coupons.tests.factories import CouponFactory

    coupon = CouponFactory(code="SHIPFREE", type="free_shipping", value=D("0"))
    fill_cart(user, (ProductFactory(price=D("20.00")), 1), coupon=coupon)
    data = checkout(auth_client, user, shipping_method="express").json()["data"]
    assert (data["shipping_amount"], data["discount_amount"], data["total"]) == ("9.00", "9.00", "22.00")


def _image(name):
    return UploadedFileFactory(
        context="product", is_public=True, file=f"uploads/products/{name}.jpg",
        thumbnails={"small": f"uploads/products/{name}-small.jpg"},
    )  # fmt: skip


def test_order_lines_keep_the_image_and_variant_they_were_bought_with(auth_client, user):
    product = ProductFactory(price=D("20.00"))
    old = _image("old")
    media = ProductMedia.objects.create(product=product, file=old, is_primary=True)
    variant = VariantFactory(product=product, name="30 ml", kind="size", price=D("12.00"))
    fill_cart(user, (product, 1, variant))
    number = checkout(auth_client, user).json()["data"]["order_number"]

    # The catalog changes afterwards: a new primary image, the variant renamed, the old image deleted.
    media.delete()
    ProductMedia.objects.create(product=product, file=_image("new"), is_primary=True)
    variant.name = "50 ml"
    variant.save()
    old.status = FileStatus.DELETED
    old.save()
    files_cleanup()

    item = auth_client.get(f"/api/v1/orders/{number}").json()["data"]["items"][0]
    assert (item["variant_name"], item["variant_kind"]) == ("30 ml", "size")
    assert item["image"]["url"] == "http://testserver/media/uploads/products/old.jpg"
    assert item["image"]["thumbnails"] == {"small": "http://testserver/media/uploads/products/old-small.jpg"}
    old.refresh_from_db()
    assert old.purged_at is None  # its blobs stay while an order line shows it
