"""Guest-cart merges racing other requests, through the API on PostgreSQL (threads, one
connection each): no 5xx and no lost line."""

from rest_framework.test import APIClient

from shop.accounts.tests.factories import UserFactory
from shop.cart.models import Cart
from shop.cart.tests.factories import ProductFactory
from shop.cart.tests.races import CART, ITEMS, PG_RACE_MARKS
from shop.testing import at_once

pytestmark = PG_RACE_MARKS

SHOPPERS = 10


def race(requests):
    """``(user or None, path, body, token)`` each from its own thread and client at once."""

    def sender(user, path, body, token):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return lambda: client.post(path, body, format="json", HTTP_X_CART_TOKEN=token).status_code

    return at_once([sender(*request) for request in requests])


def guest_with_cart(product):
    response = APIClient().post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")
    assert response.status_code == 201
    return response.json()["data"]["token"]


def user_cart_lines(user, token):
    """The signed-in cart as the API shows it, checked against the rows."""
    client = APIClient()
    client.force_authenticate(user)
    items = client.get(CART, HTTP_X_CART_TOKEN=token).json()["data"]["items"]
    shown = sorted((item["product"]["id"], item["quantity"]) for item in items)
    assert shown == sorted(Cart.objects.get(user=user).lines.values_list("product_id", "quantity"))
    return shown


def test_guest_add_while_a_signed_in_request_merges_that_cart():
    first = ProductFactory()
    shoppers = []
    for _ in range(SHOPPERS):
        user, token = UserFactory(), guest_with_cart(first)
        shoppers.append((user, token, ProductFactory(), ProductFactory()))
    requests = []
    for user, token, by_guest, by_user in shoppers:
        requests.append((None, ITEMS, {"product_id": by_guest.pk}, token))
        requests.append((user, ITEMS, {"product_id": by_user.pk}, token))
    answers = race(requests)

    assert answers == [201] * len(requests)
    for user, token, by_guest, by_user in shoppers:
        # The next signed-in request with the token picks up a guest line that landed after the merge.
        expected = sorted([(first.pk, 2), (by_guest.pk, 1), (by_user.pk, 1)])
        assert user_cart_lines(user, token) == expected
        assert Cart.objects.get(token=token).lines.count() == 0


def test_four_signed_in_requests_with_the_same_guest_token():
    first = ProductFactory()
    shoppers = []
    for _ in range(SHOPPERS):
        user, token = UserFactory(), guest_with_cart(first)
        shoppers.append((user, token, [ProductFactory() for _ in range(4)]))
    requests = [
        (user, ITEMS, {"product_id": product.pk}, token) for user, token, products in shoppers for product in products
    ]
    answers = race(requests)

    assert answers == [201] * len(requests)
    for user, token, products in shoppers:
        assert user_cart_lines(user, token) == sorted([(first.pk, 2)] + [(p.pk, 1) for p in products])
        assert Cart.objects.filter(user=user).count() == 1
