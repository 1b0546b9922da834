"""Guest checkout with an e-mail address, lookup by number + e-mail, and claiming on verification."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from rest_framework.test import APIClient

from shop.accounts.models import User
from shop.cart.tests.factories import ProductFactory
from shop.orders.models import Order
from shop.orders.tests.helpers import OK_CARD, ORDERS, place

pytestmark = pytest.mark.django_db
D = Decimal
LOOKUP = f"{ORDERS}/lookup"
ADDRESS = {"first_name": "Dara", "last_name": "Sok", "address_line1": "12 Street 51", "city": "Phnom Penh",
           "postal_code": "12000", "country": "KH"}  # fmt: skip


def guest_cart(client, product, quantity=1):
    response = client.post("/api/v1/cart/items", {"product_id": product.pk, "quantity": quantity}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]["token"]


def guest_checkout(client, token, *, key=None, **payload):
    body = {"email": "Guest@Example.com", "shipping_address": ADDRESS, "card_number": OK_CARD, **payload}
    headers = {"HTTP_X_CART_TOKEN": token, **({"HTTP_IDEMPOTENCY_KEY": key} if key else {})}
    return client.post(ORDERS, body, format="json", **headers)


def test_guest_checks_out_with_an_email_and_finds_the_order_again():
    client = APIClient()
    product = ProductFactory(price=D("20.00"), stock_quantity=5)
    token = guest_cart(client, product, 2)
    response = guest_checkout(client, token)
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert (data["customer_email"], data["customer_name"], data["total"]) == ("guest@example.com", "Dara Sok", "47.50")
    assert (data["status"], data["payment_status"]) == ("confirmed", "paid")
    order = Order.objects.get(order_number=data["order_number"])
    assert order.user_id is None
    product.refresh_from_db()
    assert product.stock_quantity == 3
    assert [m.to for m in mail.outbox if data["order_number"] in m.subject][0] == ["guest@example.com"]
    assert client.get("/api/v1/cart", HTTP_X_CART_TOKEN=token).json()["data"]["items"] == []

    found = APIClient().post(LOOKUP, {"order_number": data["order_number"], "email": "GUEST@example.com "})
    assert found.status_code == 200, found.json()
    assert found.json()["data"]["order_number"] == data["order_number"]
    assert [item["quantity"] for item in found.json()["data"]["items"]] == [2]
    assert "admin_notes" not in found.json()["data"]


def test_lookup_answers_the_same_for_a_wrong_number_or_a_wrong_email():
    client = APIClient()
    data = guest_checkout(client, guest_cart(client, ProductFactory())).json()["data"]
    wrong_email = APIClient().post(LOOKUP, {"order_number": data["order_number"], "email": "other@example.com"})
    wrong_number = APIClient().post(LOOKUP, {"order_number": "SK-0000-NOPE0000", "email": "guest@example.com"})
    assert wrong_email.status_code == wrong_number.status_code == 404
    assert wrong_email.json() == wrong_number.json()
    assert wrong_email.json()["code"] == "ORDER_NOT_FOUND"


def test_lookup_never_shows_an_account_order(auth_client, user):
    data, _ = place(auth_client, user)
    response = APIClient().post(LOOKUP, {"order_number": data["order_number"], "email": user.email})
    assert response.status_code == 404


def test_lookup_is_rate_limited(throttle_rates):
    throttle_rates(order_lookup="2/min")
    client = APIClient()
    body = {"order_number": "SK-0000-NOPE0000", "email": "guest@example.com"}
    assert [client.post(LOOKUP, body).status_code for _ in range(3)] == [404, 404, 429]


def test_guest_checkout_needs_an_email_and_a_typed_address():
    client = APIClient()
    token = guest_cart(client, ProductFactory(stock_quantity=5))
    no_email = guest_checkout(client, token, email="")
    assert (no_email.status_code, no_email.json()["code"]) == (400, "VALIDATION_ERROR")
    body = {"shipping_address": ADDRESS, "card_number": OK_CARD}
    missing = client.post(ORDERS, body, format="json", HTTP_X_CART_TOKEN=token)
    assert (missing.status_code, missing.json()["code"]) == (400, "EMAIL_REQUIRED")
    no_address = client.post(ORDERS, {"email": "g@example.com"}, format="json", HTTP_X_CART_TOKEN=token)
    assert (no_address.status_code, no_address.json()["code"]) == (400, "ADDRESS_REQUIRED")
    assert Order.objects.count() == 0


def test_a_guest_idempotency_key_is_bound_to_the_guests_cart():
    first, second = APIClient(), APIClient()
    product = ProductFactory(stock_quantity=5)
    token = guest_cart(first, product)
    placed = guest_checkout(first, token, key="k-1")
    replay = guest_checkout(first, token, key="k-1")
    assert (placed.status_code, replay.status_code) == (201, 200)
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["data"]["order_number"] == placed.json()["data"]["order_number"]
    # Another guest with the same key gets their own order, never the first one.
    other = guest_checkout(second, guest_cart(second, product), key="k-1", email="someone@example.com")
    assert other.status_code == 201
    assert other.json()["data"]["order_number"] != placed.json()["data"]["order_number"]
    assert other.json()["data"]["customer_email"] == "someone@example.com"


def test_guest_orders_join_the_account_once_its_email_is_verified(run_on_commit):
    client = APIClient()
    data = guest_checkout(client, guest_cart(client, ProductFactory(price=D("20.00")))).json()["data"]
    registered = APIClient().post(
        "/api/v1/auth/register", {"email": "guest@example.com", "password": "Niacinamide-10-percent"}, format="json"
    )
    assert registered.status_code == 201, registered.json()
    user = User.objects.get(email="guest@example.com")
    assert Order.objects.get(order_number=data["order_number"]).user_id is None  # not before verification
    token = re.search(r"/accounts/verify/\?token=(\S+)", mail.outbox[-1].body).group(1)
    assert APIClient().post("/api/v1/auth/verify-email", {"token": token}, format="json").status_code == 200

    order = Order.objects.get(order_number=data["order_number"])
    assert order.user_id == user.pk
    user.refresh_from_db()
    assert (user.total_orders, user.total_spent) == (1, D("25.50"))
    signed_in = APIClient()
    signed_in.force_authenticate(user)
    assert [row["order_number"] for row in signed_in.get(ORDERS).json()["data"]] == [data["order_number"]]
    assert APIClient().post(LOOKUP, {"order_number": data["order_number"], "email": user.email}).status_code == 404


# --- A guest cancels with the lookup's proof -------------------------------------------------------

CANCEL = f"{LOOKUP}/cancel"


def test_a_guest_cancels_with_the_number_and_email_through_the_shoppers_cancel():
    client = APIClient()
    product = ProductFactory(price=D("20.00"), stock_quantity=5)
    data = guest_checkout(client, guest_cart(client, product, 2)).json()["data"]
    assert (data["status"], data["payment_status"]) == ("confirmed", "paid")
    product.refresh_from_db()
    assert product.stock_quantity == 3

    body = {"order_number": data["order_number"], "email": "GUEST@example.com", "reason": "Ordered twice"}
    response = APIClient().post(CANCEL, body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["status"] == "cancelled"
    order = Order.objects.get(order_number=data["order_number"])
    product.refresh_from_db()
    assert (order.status, order.payment_status, product.stock_quantity) == ("cancelled", "refunded", 5)
    payment = order.payments.get()
    assert payment.refunded_amount == payment.amount == D("47.50")
    event = order.events.get(type="status_changed", data__new="cancelled")
    assert (event.data.get("reason"), event.user_id) == ("Ordered twice", None)


def test_a_wrong_proof_answers_the_lookups_404_and_changes_nothing(auth_client, user):
    client = APIClient()
    product = ProductFactory(stock_quantity=5)
    data = guest_checkout(client, guest_cart(client, product)).json()["data"]
    wrong_email = APIClient().post(CANCEL, {"order_number": data["order_number"], "email": "x@example.com"})
    wrong_number = APIClient().post(CANCEL, {"order_number": "SK-0000-NOPE0000", "email": "guest@example.com"})
    assert wrong_email.status_code == wrong_number.status_code == 404
    assert wrong_email.json() == wrong_number.json()
    assert wrong_email.json()["code"] == "ORDER_NOT_FOUND"
    # An account's order is not a guest order, even with its owner's e-mail.
    account_order, _ = place(auth_client, user)
    mine = APIClient().post(CANCEL, {"order_number": account_order["order_number"], "email": user.email})
    assert mine.json() == wrong_email.json()
    product.refresh_from_db()
    assert product.stock_quantity == 4
    assert set(Order.objects.values_list("status", flat=True)) == {"confirmed"}


def test_a_shipped_guest_order_cannot_be_cancelled():
    client = APIClient()
    product = ProductFactory(stock_quantity=5)
    data = guest_checkout(client, guest_cart(client, product)).json()["data"]
    Order.objects.filter(order_number=data["order_number"]).update(status="shipped")
    response = APIClient().post(CANCEL, {"order_number": data["order_number"], "email": "guest@example.com"})
    assert response.status_code == 409
    assert response.json()["code"] == "ORDER_NOT_CANCELLABLE"
    product.refresh_from_db()
    assert (Order.objects.get().status, product.stock_quantity) == ("shipped", 4)


def test_cancelling_shares_the_lookups_rate_limit(throttle_rates):
    throttle_rates(order_lookup="2/min")
    client = APIClient()
    body = {"order_number": "SK-0000-NOPE0000", "email": "guest@example.com"}
    assert [client.post(LOOKUP, body).status_code, client.post(CANCEL, body).status_code] == [404, 404]
    assert client.post(CANCEL, body).status_code == 429
