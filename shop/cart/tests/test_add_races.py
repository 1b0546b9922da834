"""Parallel additions to one cart through the API on PostgreSQL (threads, one connection each), where
the cart's lock and the line's upsert are one statement (``lock_objects.cart_lock_touch_line_add``):
every addition counted once, never past the stock or the line limit, no 5xx."""

from rest_framework.test import APIClient

from shop.accounts.tests.factories import UserFactory
from shop.cart.models import Cart, CartLine
from shop.cart.tests.factories import ProductFactory, VariantFactory
from shop.cart.tests.races import CART, ITEMS, PG_RACE_MARKS
from shop.testing import at_once

pytestmark = PG_RACE_MARKS

THREADS = 12


def race(user, requests):
    """``(method, path, body)`` each from its own thread and client at once: [(status, code or None)]."""

    def sender(method, path, body):
        client = APIClient()
        client.force_authenticate(user)

        def send():
            response = getattr(client, method)(path, body, format="json")
            return (response.status_code, response.json().get("code"))

        return send

    return at_once([sender(*request) for request in requests])


def shopper_with_cart():
    user = UserFactory()
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(CART).status_code == 200
    return user, client


def test_parallel_additions_of_a_new_product_are_each_counted_once():
    user, client = shopper_with_cart()
    product = ProductFactory(stock_quantity=500)

    answers = race(user, [("post", ITEMS, {"product_id": product.pk, "quantity": 2})] * THREADS)

    assert answers == [(201, None)] * THREADS
    assert list(CartLine.objects.filter(cart__user=user).values_list("product_id", "quantity")) == [
        (product.pk, 2 * THREADS)
    ]
    assert [item["quantity"] for item in client.get(CART).json()["data"]["items"]] == [2 * THREADS]


def test_parallel_additions_never_pass_the_stock():
    user, client = shopper_with_cart()
    product = ProductFactory(stock_quantity=5)
    variant = VariantFactory(stock_quantity=4)

    answers = race(
        user,
        [("post", ITEMS, {"product_id": product.pk})] * THREADS
        + [("post", ITEMS, {"product_id": variant.product_id, "variant_id": variant.pk})] * THREADS,
    )

    assert sorted(answers[:THREADS], key=str) == [(201, None)] * 5 + [(409, "INSUFFICIENT_STOCK")] * (THREADS - 5)
    assert sorted(answers[THREADS:], key=str) == [(201, None)] * 4 + [(409, "INSUFFICIENT_STOCK")] * (THREADS - 4)
    lines = CartLine.objects.filter(cart__user=user).order_by("id")
    assert sorted((line.product_id, line.variant_id, line.quantity) for line in lines) == sorted(
        [(product.pk, None, 5), (variant.product_id, variant.pk, 4)]
    )


def test_parallel_additions_never_pass_the_line_limit():
    user, client = shopper_with_cart()
    product = ProductFactory(stock_quantity=1000)
    assert client.post(ITEMS, {"product_id": product.pk, "quantity": 95}, format="json").status_code == 201

    answers = race(user, [("post", ITEMS, {"product_id": product.pk})] * THREADS)

    assert sorted(answers, key=str) == [(201, None)] * 4 + [(400, "QUANTITY_TOO_LARGE")] * (THREADS - 4)
    assert list(CartLine.objects.filter(cart__user=user).values_list("quantity", flat=True)) == [99]


def test_additions_racing_the_cart_being_emptied():
    user, client = shopper_with_cart()
    product = ProductFactory(stock_quantity=500)
    before = Cart.objects.get(user=user).updated_at

    answers = race(user, [("post", ITEMS, {"product_id": product.pk}), ("delete", CART, None)] * (THREADS // 2))

    assert sorted(answers, key=str) == [(200, None)] * (THREADS // 2) + [(201, None)] * (THREADS // 2)
    lines = list(CartLine.objects.filter(cart__user=user).values_list("quantity", flat=True))
    assert len(lines) <= 1 and all(1 <= quantity <= THREADS // 2 for quantity in lines)
    assert [item["quantity"] for item in client.get(CART).json()["data"]["items"]] == lines
    assert Cart.objects.get(user=user).updated_at > before
