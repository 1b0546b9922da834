from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from shop.accounts.tests.factories import AddressFactory
from shop.cart.models import Cart, CartLine
from shop.cart.tests.factories import ProductFactory, VariantFactory
from shop.coupons.models import CouponUsage
from shop.coupons.tests.factories import CouponFactory
from shop.orders.models import Order, OrderItem, OrderStatus, Payment, PaymentStatus
from shop.orders.tests.helpers import DECLINED_CARD, ORDERS, checkout, fill_cart

pytestmark = pytest.mark.django_db
D = Decimal


def test_checkout_turns_cart_into_order(auth_client, user):
    product = ProductFactory(price=D("19.99"), stock_quantity=10, name="Niacinamide 10%", sku="NIA-10")
    variant = VariantFactory(price=D("7.50"), stock_quantity=4, name="5 ml", sku="NIA-5ML", product=product)
    fill_cart(user, (product, 2), (product, 3, variant))
    address = AddressFactory(user=user, city="Siem Reap")
    response = checkout(auth_client, user, address_id=address.pk)
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["status"] == "confirmed"
    assert data["payment_status"] == "paid"
    assert (data["subtotal"], data["discount_amount"], data["shipping_amount"], data["tax_amount"], data["total"]) == (
        "62.48",
        "0.00",
        "0.00",
        "6.25",
        "68.73",
    )
    assert data["shipping_address"]["city"] == "Siem Reap"
    assert [
        (i["product_name"], i["variant_name"], i["product_sku"], i["quantity"], i["total_price"]) for i in data["items"]
    ] == [
        ("Niacinamide 10%", "", "NIA-10", 2, "39.98"),
        ("Niacinamide 10%", "5 ml", "NIA-5ML", 3, "22.50"),
    ]
    assert data["order_number"].startswith("SK-")
    product.refresh_from_db()
    variant.refresh_from_db()
    assert (product.stock_quantity, variant.stock_quantity, product.sales_count) == (8, 1, 5)
    user.refresh_from_db()
    assert (user.total_orders, user.total_spent) == (1, D("68.73"))
    assert not CartLine.objects.filter(cart__user=user).exists()
    payment = Payment.objects.get(order__order_number=data["order_number"])
    assert (payment.status, payment.amount, payment.payment_provider) == ("completed", D("68.73"), "test")
    # one e-mail for the checkout: the order as placed, and the payment its card made at once
    assert [m.subject for m in mail.outbox] == [f"Order {data['order_number']} received"]
    assert "We received your payment of 68.73 USD.\n\n- 2 x Niacinamide 10%: 39.98 USD" in mail.outbox[0].body


def test_a_card_declined_at_checkout_is_told_so_and_its_later_payment_has_its_own_e_mail(auth_client, user):
    fill_cart(user, (ProductFactory(price=D("10.00"), name="Toner"), 1))
    number = checkout(auth_client, user, card_number=DECLINED_CARD).json()["data"]["order_number"]
    [placed] = mail.outbox
    assert placed.subject == f"Order {number} received"
    assert "Toner" in placed.body and "We received your payment" not in placed.body
    mail.outbox.clear()

    response = auth_client.post(
        f"{ORDERS}/{number}/pay", {"payment_method": "card", "card_number": "4242424242424242"}, format="json"
    )

    assert response.json()["data"]["payment_status"] == "paid"
    [paid] = mail.outbox
    assert paid.subject == f"Payment received for order {number}"
    total = response.json()["data"]["total"]  # shipping and tax included
    assert f"We received your payment of {total} USD for order {number}." in paid.body


def test_snapshot_survives_product_changes(auth_client, user):
    product = ProductFactory(price=D("10.00"), name="Old name")
    fill_cart(user, (product, 1))
    number = checkout(auth_client, user).json()["data"]["order_number"]
    product.name, product.price = "New name", D("99.00")
    product.save()
    item = auth_client.get(f"{ORDERS}/{number}").json()["data"]["items"][0]
    assert (item["product_name"], item["unit_price"]) == ("Old name", "10.00")


def test_checkout_reprices_lines(auth_client, user):
    product = ProductFactory(price=D("10.00"))
    fill_cart(user, (product, 1))
    product.price = D("11.00")
    product.save()
    assert checkout(auth_client, user).json()["data"]["subtotal"] == "11.00"


def test_order_numbers_are_not_sequential(auth_client, user):
    numbers = set()
    for _ in range(3):
        fill_cart(user, (ProductFactory(), 1))
        numbers.add(checkout(auth_client, user).json()["data"]["order_number"])
    assert len(numbers) == 3
    assert all(len(n) == len("SK-2601-ABCDEFGH") for n in numbers)


def test_empty_cart_refused(auth_client, user):
    response = checkout(auth_client, user)
    assert response.status_code == 400
    assert response.json()["code"] == "CART_EMPTY"


def test_out_of_stock_refused_and_nothing_changes(auth_client, user):
    product = ProductFactory(stock_quantity=2)
    cart = fill_cart(user, (product, 3))
    response = checkout(auth_client, user)
    assert response.status_code == 409
    assert response.json()["code"] == "OUT_OF_STOCK"
    line_id = cart.lines.get().pk
    assert response.json()["errors"] == {"items": {str(line_id): [f"{product.name}: only 2 left."]}}
    product.refresh_from_db()
    assert product.stock_quantity == 2
    assert Order.objects.count() == 0


def test_archived_product_refused(auth_client, user):
    product = ProductFactory()
    fill_cart(user, (product, 1))
    product.status = "archived"
    product.save()
    response = checkout(auth_client, user)
    assert response.status_code == 409
    assert response.json()["code"] == "CART_UNAVAILABLE_ITEMS"


def test_backorders_and_untracked_products_can_be_bought(auth_client, user):
    backorder = ProductFactory(stock_quantity=0, allow_backorders=True)
    untracked = ProductFactory(stock_quantity=0, track_inventory=False)
    fill_cart(user, (backorder, 2), (untracked, 2))
    assert checkout(auth_client, user).status_code == 201
    backorder.refresh_from_db()
    untracked.refresh_from_db()
    assert (backorder.stock_quantity, untracked.stock_quantity) == (-2, 0)


def test_coupon_applied_and_usage_recorded(auth_client, user):
    coupon = CouponFactory(code="TEN", value=D("10"), usage_limit=5)
    fill_cart(user, (ProductFactory(price=D("40.00")), 1), coupon=coupon)
    data = checkout(auth_client, user).json()["data"]
    assert (data["discount_amount"], data["coupon_code"], data["total"]) == ("4.00", "TEN", "43.10")
    coupon.refresh_from_db()
    assert coupon.used_count == 1
    usage = CouponUsage.objects.get()
    assert (usage.user, usage.order.order_number, usage.discount_amount) == (user, data["order_number"], D("4.00"))


def test_checkout_empties_the_cart_and_drops_its_coupon(auth_client, user):
    """The cart locked by its UPDATE keeps the columns it did not set; its lines and coupon are gone."""
    from datetime import timedelta

    from django.utils import timezone

    from shop.cart.models import Cart

    coupon = CouponFactory(code="FIVE", value=D("5"), usage_limit=5)
    cart = fill_cart(user, (ProductFactory(price=D("40.00")), 1), coupon=coupon)
    before = timezone.now() - timedelta(hours=1)
    Cart.objects.filter(pk=cart.pk).update(updated_at=before)
    token = Cart.objects.get(pk=cart.pk).token

    data = checkout(auth_client, user).json()["data"]

    assert data["coupon_code"] == "FIVE"
    cart = Cart.objects.get(pk=cart.pk)
    assert (cart.coupon_id, cart.lines.count(), cart.user_id, cart.token) == (None, 0, user.pk, token)
    assert cart.updated_at > before


def test_coupon_exhausted_between_apply_and_checkout(auth_client, user):
    coupon = CouponFactory(code="LAST", usage_limit=1)
    fill_cart(user, (ProductFactory(), 1), coupon=coupon)
    coupon.used_count = 1
    coupon.save()
    response = checkout(auth_client, user)
    assert response.status_code == 400
    assert response.json()["code"] == "COUPON_USAGE_LIMIT_REACHED"
    assert Order.objects.count() == 0


def test_per_user_limit_and_first_order_only(auth_client, user):
    once = CouponFactory(code="ONCE", usage_limit_per_user=1)
    fill_cart(user, (ProductFactory(), 1), coupon=once)
    assert checkout(auth_client, user).status_code == 201
    fill_cart(user, (ProductFactory(), 1), coupon=once)
    assert checkout(auth_client, user).json()["code"] == "COUPON_USER_LIMIT_REACHED"
    first = CouponFactory(code="FIRST", is_first_time_only=True)
    Cart.objects.filter(user=user).update(coupon=first)
    assert checkout(auth_client, user).json()["code"] == "COUPON_FIRST_ORDER_ONLY"


def test_expired_coupon_at_checkout(auth_client, user):
    coupon = CouponFactory(code="GONE")
    fill_cart(user, (ProductFactory(), 1), coupon=coupon)
    coupon.end_date = timezone.now() - timedelta(minutes=1)
    coupon.save()
    assert checkout(auth_client, user).json()["code"] == "COUPON_EXPIRED"


def test_idempotency_key_returns_same_order(auth_client, user):
    fill_cart(user, (ProductFactory(price=D("10.00")), 1))
    first = checkout(auth_client, user, key="retry-abc-1")
    fill_cart(user, (ProductFactory(), 1))
    second = checkout(auth_client, user, key="retry-abc-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["data"]["order_number"] == second.json()["data"]["order_number"]
    assert Order.objects.count() == 1
    user.refresh_from_db()
    assert user.total_orders == 1


def test_idempotency_key_is_per_user(auth_client, user, other_user):
    from rest_framework.test import APIClient

    fill_cart(user, (ProductFactory(), 1))
    fill_cart(other_user, (ProductFactory(), 1))
    other = APIClient()
    other.force_authenticate(other_user)
    a = checkout(auth_client, user, key="same").json()["data"]["order_number"]
    b = checkout(other, other_user, key="same").json()["data"]["order_number"]
    assert a != b


@pytest.mark.parametrize("key", ["x" * 101, "has space", "ümlaut"])
def test_bad_idempotency_key(auth_client, user, key):
    fill_cart(user, (ProductFactory(), 1))
    response = checkout(auth_client, user, key=key.encode("utf-8").decode("latin-1"))
    assert response.status_code == 400
    assert response.json()["code"] == "IDEMPOTENCY_KEY_INVALID"


def test_declined_card_keeps_pending_order_and_retry_pays(auth_client, user):
    fill_cart(user, (ProductFactory(price=D("20.00")), 1))
    response = checkout(auth_client, user, card_number=DECLINED_CARD)
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["status"], data["payment_status"], data["payment_error"]) == (
        "pending",
        "failed",
        "Your card was declined.",
    )
    number = data["order_number"]
    paid = auth_client.post(f"{ORDERS}/{number}/pay", {"card_number": "4242 4242 4242 4242"}, format="json")
    assert paid.status_code == 200
    assert (paid.json()["data"]["status"], paid.json()["data"]["payment_status"]) == ("confirmed", "paid")
    assert sorted(p["status"] for p in paid.json()["data"]["payments"]) == ["completed", "failed"]
    again = auth_client.post(f"{ORDERS}/{number}/pay", {"card_number": "4242424242424242"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "PAYMENT_NOT_ALLOWED"


def test_cash_on_delivery_is_confirmed_unpaid(auth_client, user):
    fill_cart(user, (ProductFactory(), 1))
    data = checkout(auth_client, user, payment_method="cash_on_delivery").json()["data"]
    assert (data["status"], data["payment_status"], data["payments"][0]["status"]) == (
        "confirmed",
        "pending",
        "pending",
    )
    # placed, then confirmed: the order's history as the shopper reads it (inserted by one statement)
    assert [(event["type"], event["data"]) for event in data["events"]] == [
        ("placed", {"total": data["total"], "coupon": ""}),
        ("status_changed", {"old": "pending", "new": "confirmed"}),
    ]


def test_inline_shipping_address_and_bad_address(auth_client, user):
    fill_cart(user, (ProductFactory(), 1))
    foreign = AddressFactory()
    response = checkout(auth_client, user, address_id=foreign.pk)
    assert (response.status_code, response.json()["code"]) == (400, "ADDRESS_NOT_FOUND")
    response = checkout(auth_client, user, shipping_address={"city": "Phnom Penh"})
    assert response.status_code == 400
    assert set(response.json()["errors"]["shipping_address"]) == {"address_line1", "postal_code", "country"}
    address = {"address_line1": "1 Street", "city": "Kampot", "postal_code": "07000", "country": "KH"}
    data = checkout(auth_client, user, shipping_address=address).json()["data"]
    assert data["shipping_address"]["city"] == "Kampot"
    assert data["billing_address"]["city"] == "Kampot"


def test_no_address_at_all(auth_client, user):
    fill_cart(user, (ProductFactory(), 1))
    response = auth_client.post(ORDERS, {"payment_method": "cash_on_delivery"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "ADDRESS_REQUIRED")


def test_bad_payment_method(auth_client, user):
    fill_cart(user, (ProductFactory(), 1))
    response = checkout(auth_client, user, payment_method="bitcoin")
    assert response.status_code == 400
    assert "payment_method" in response.json()["errors"]


def test_stripe_unconfigured_is_refused(auth_client, user, settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = ""
    fill_cart(user, (ProductFactory(), 1))
    response = checkout(auth_client, user)
    assert (response.status_code, response.json()["code"]) == (400, "PAYMENT_METHOD_UNAVAILABLE")


def test_guest_checkout_without_a_cart_is_refused(api_client):
    response = api_client.post(ORDERS, {"email": "guest@example.com"}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "CART_NOT_FOUND")
    assert api_client.get(ORDERS).status_code == 401  # the order list stays the signed-in user's


def test_database_refuses_broken_total_rule(user):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(
            order_number="X1", user=user, customer_email=user.email, currency="USD",
            subtotal=D("10.00"), tax_amount=D("1.00"), shipping_amount=D("0.00"), discount_amount=D("0.00"),
            total=D("12.00"),
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(stock_quantity=-1)


def test_database_refuses_refund_above_payment(user):
    from django.db import IntegrityError, transaction

    order = Order.objects.create(
        order_number="X2", user=user, customer_email=user.email, currency="USD", subtotal=D("10.00"), total=D("10.00")
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            order=order, payment_method="card", payment_provider="test", amount=D("10.00"),
            refunded_amount=D("10.01"), currency="USD",
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItem.objects.create(
            order=order, product=ProductFactory(), product_name="x", quantity=2, unit_price=D("5.00"),
            total_price=D("9.00"),
        )  # fmt: skip
    assert OrderStatus.PENDING == order.status and PaymentStatus.PENDING == order.payment_status
