"""The checkout's row locks are compiled once per thread and then only get new ids
(``lock_objects._compiled_lock``): each checkout must still lock, sell and copy its own rows."""

import pytest

from shop.accounts.tests.factories import AddressFactory
from shop.cart.tests.factories import ProductFactory
from shop.catalog.tests.factories import ProductVariantFactory
from shop.orders.models import Order, Payment
from shop.orders.tests.helpers import checkout, fill_cart
from shop.orders.tests.test_product_refs import expected_ref, product_with_image

pytestmark = pytest.mark.django_db


def _placed(client, user, products, variant):
    fill_cart(user, *[(product, 1) for product in products], (variant.product, 2, variant))
    response = checkout(client, user)
    assert response.status_code == 201, response.content
    return response.json()["data"]


def test_checkouts_of_as_many_products_each_lock_sell_and_copy_their_own(auth_client, user, run_on_commit):
    first = [product_with_image(number) for number in (0, 1)]
    second = [product_with_image(number) for number in (2, 3)]
    first_variant = ProductVariantFactory(name="15 ml", stock_quantity=5)
    second_variant = ProductVariantFactory(name="50 ml", stock_quantity=5)

    one = _placed(auth_client, user, first, first_variant)
    two = _placed(auth_client, user, second, second_variant)

    def lines(data):
        return sorted(
            ((line["product_name"], line["variant_name"], (line["image"] or {}).get("url")) for line in data["items"]),
            key=str,
        )

    placed = ((one, first, first_variant, (0, 1)), (two, second, second_variant, (2, 3)))
    for data, products, variant, numbers in placed:
        expected = [(p.name, "", expected_ref(p, n)["url"]) for p, n in zip(products, numbers, strict=True)]
        expected.append((variant.product.name, variant.name, None))
        assert lines(data) == sorted(expected, key=str)
        assert data["payment_status"] == "paid"
    for product in (*first, *second):
        product.refresh_from_db()
        assert (product.stock_quantity, product.sales_count) == (99, 1), product.name
    for variant in (first_variant, second_variant):
        variant.refresh_from_db()
        assert variant.stock_quantity == 3
    assert (Order.objects.count(), Payment.objects.filter(status="completed").count()) == (2, 2)


def test_checkouts_copy_the_address_each_shopper_chose_or_their_default(auth_client, user, run_on_commit):
    default = AddressFactory(user=user, is_default=True, city="Kampot")
    newer = AddressFactory(user=user, is_default=False, city="Kep")
    foreign = AddressFactory(city="Takeo")

    def placed(**payload):
        fill_cart(user, (ProductFactory(), 1))
        return checkout(auth_client, user, **payload)

    assert placed().json()["data"]["shipping_address"]["city"] == default.city
    assert placed(address_id=newer.pk).json()["data"]["shipping_address"]["city"] == newer.city
    assert placed(address_id=default.pk).json()["data"]["shipping_address"]["city"] == default.city
    refused = placed(address_id=foreign.pk)
    assert (refused.status_code, refused.json()["code"]) == (400, "ADDRESS_NOT_FOUND")
