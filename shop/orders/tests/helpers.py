from decimal import Decimal

from shop.accounts.tests.factories import AddressFactory
from shop.cart.models import Cart, CartLine
from shop.cart.tests.factories import ProductFactory

ORDERS = "/api/v1/orders"
OK_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


def fill_cart(user, *lines, coupon=None):
    """lines: (product, quantity) or (product, quantity, variant)."""
    cart, _ = Cart.objects.get_or_create(user=user)
    for product, quantity, *variant in lines:
        CartLine.objects.create(cart=cart, product=product, variant=variant[0] if variant else None, quantity=quantity)
    if coupon is not None:
        cart.coupon = coupon
        cart.save()
    return cart


def checkout(client, user, *, key=None, **payload):
    if "address_id" not in payload and "shipping_address" not in payload and not user.addresses.exists():
        AddressFactory(user=user, is_default=True)
    payload.setdefault("payment_method", "card")
    if payload["payment_method"] == "card":
        payload.setdefault("card_number", OK_CARD)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(ORDERS, payload, format="json", **headers)


def place(client, user, price="20.00", quantity=1, **kwargs):
    product = ProductFactory(price=Decimal(price))
    fill_cart(user, (product, quantity))
    response = checkout(client, user, **kwargs)
    assert response.status_code == 201, response.json()
    return response.json()["data"], product


# The tasks a card checkout hands on after its commits (one message, or one ``DeferredBatch`` row).
CHECKOUT_TASKS = ["feedback.order_notices", "ml.recommendations_refresh", "orders.email_send"]


def assert_checkout_side_work_done(user, number):
    """The worker's run of a checkout's tasks sent its one e-mail (placed, saying the payment was received)
    and wrote its one notice."""
    from django.core import mail

    from feedback.models import Notification

    assert [message.subject for message in mail.outbox] == [f"Order {number} received"]
    assert "We received your payment of" in mail.outbox[0].body
    assert list(Notification.objects.filter(user=user).values_list("title", flat=True)) == [
        f"Order {number} placed and paid"
    ]
