"""Checkout pages: a guest checks out with an e-mail address and finds the order again; the
shipping method is chosen on the page and priced in the order."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from shop.accounts.tests.factories import AddressFactory
from shop.catalog.tests.factories import ProductFactory
from shop.orders.models import Order

pytestmark = pytest.mark.django_db
D = Decimal
ACCEPTED_CARD = "4242424242424242"
ADDRESS = {"address": "new", "first_name": "Dara", "last_name": "Sok", "address_line1": "12 Norodom Blvd",
           "city": "Phnom Penh", "postal_code": "12000", "country": "KH"}  # fmt: skip


def _add(client, product, quantity=1):
    return client.post("/cart/add/", {"product_id": product.pk, "quantity": quantity, "slug": product.slug})


def test_a_guest_checks_out_with_an_email_and_sees_the_order(client, run_on_commit):
    _add(client, ProductFactory(name="Toner", price=D("12.00")), 2)
    page = client.get("/checkout/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="email"' in html and "Checking out as a guest." in html

    missing = client.post("/checkout/", {**ADDRESS, "payment_method": "card", "card_number": ACCEPTED_CARD})
    assert missing.status_code == 400
    assert "Enter your e-mail address." in missing.content.decode()
    assert not Order.objects.exists()

    form = {**ADDRESS, "email": "dara@example.com", "payment_method": "card", "card_number": ACCEPTED_CARD,
            "checkout_key": page.context["checkout_key"]}  # fmt: skip
    response = client.post("/checkout/", form)
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/guest/{order.order_number}/?placed=1"
    assert (order.user_id, order.customer_email, order.total) == (None, "dara@example.com", D("29.90"))
    shown = client.get(response["Location"]).content.decode()
    assert "Thank you! Your order is placed." in shown and "dara@example.com" in shown
    assert "All my orders" not in shown
    assert [m.to for m in mail.outbox if order.order_number in m.subject][:1] == [["dara@example.com"]]
    # Another browser cannot open it by its number alone.
    assert Client().get(f"/orders/guest/{order.order_number}/").status_code == 404


def test_the_order_lookup_page_finds_a_guest_order_and_says_nothing_about_wrong_input(client, run_on_commit):
    _add(client, ProductFactory(price=D("12.00")))
    client.post("/checkout/", {**ADDRESS, "email": "dara@example.com", "payment_method": "cash_on_delivery"})
    number = Order.objects.get().order_number

    other = Client()
    assert other.get("/orders/find/").status_code == 200
    wrong_email = other.post("/orders/find/", {"order_number": number, "email": "x@example.com"})
    wrong_number = other.post("/orders/find/", {"order_number": "SK-0000-NOPE0000", "email": "dara@example.com"})
    assert wrong_email.status_code == wrong_number.status_code == 404
    message = "No guest order has this number and e-mail address."
    assert message in wrong_email.content.decode() and message in wrong_number.content.decode()
    found = other.post("/orders/find/", {"order_number": number, "email": "DARA@example.com"})
    assert found.status_code == 302 and found["Location"] == f"/orders/guest/{number}/"
    assert number in other.get(found["Location"]).content.decode()


def test_the_order_lookup_page_is_rate_limited(client, throttle_rates):
    throttle_rates(order_lookup="2/min")
    body = {"order_number": "SK-0000-NOPE0000", "email": "a@example.com"}
    assert [client.post("/orders/find/", body).status_code for _ in range(3)] == [404, 404, 429]


def test_express_shipping_is_chosen_on_the_page_and_priced_in_the_order(shopper_client, shopper):
    address = AddressFactory(user=shopper)
    _add(shopper_client, ProductFactory(price=D("60.00")))
    page = shopper_client.get("/checkout/").content.decode()
    # Standard is free over 50.00; express is 9.00 whatever the amount.
    assert 'name="expected_total_standard" value="66.00"' in page
    assert 'name="expected_total_express" value="75.00"' in page
    assert "Express delivery — $9.00" in page

    form = {"address": str(address.pk), "payment_method": "cash_on_delivery", "shipping_method": "express",
            "expected_total": "66.00", "expected_total_express": "75.00", "checkout_key": "k9"}  # fmt: skip
    response = shopper_client.post("/checkout/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert (order.shipping_method, order.shipping_amount, order.total) == ("express", D("9.00"), D("75.00"))
    shown = shopper_client.get(response["Location"]).content.decode()
    assert "Shipping (Express delivery)" in shown and "$75.00" in shown


def test_an_unknown_shipping_method_is_refused_on_the_page(shopper_client, shopper):
    address = AddressFactory(user=shopper)
    _add(shopper_client, ProductFactory(price=D("10.00")))
    form = {"address": str(address.pk), "payment_method": "cash_on_delivery", "shipping_method": "drone"}
    response = shopper_client.post("/checkout/", form)
    assert response.status_code == 400
    assert not Order.objects.exists()


def _order_page_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_order_pages_run_the_same_queries_for_1_or_3_lines(shopper_client, shopper, client, run_on_commit):
    address = AddressFactory(user=shopper)
    counts = []
    for lines in (1, 3):
        for _ in range(lines):
            _add(shopper_client, ProductFactory(price=D("10.00")))
        shopper_client.post("/checkout/", {"address": str(address.pk), "payment_method": "cash_on_delivery"})
        number = Order.objects.filter(user=shopper).order_by("-pk").first().order_number
        counts.append(_order_page_queries(shopper_client, f"/account/orders/{number}/"))
    assert counts == [11, 11]  # session, user, order + lines/products/images/refunds, payments, events, opt-outs...

    guest_counts = []
    for lines in (1, 3):
        guest = Client()
        for _ in range(lines):
            _add(guest, ProductFactory(price=D("10.00")))
        response = guest.post("/checkout/", {**ADDRESS, "email": "g@example.com", "payment_method": "cash_on_delivery"})
        guest_counts.append(_order_page_queries(guest, response["Location"]))
    assert guest_counts == [10, 10]  # + the bought-together widget shown right after checkout


def _guest_order_placed(client, product):
    _add(client, product, 2)
    client.post("/checkout/", {**ADDRESS, "email": "dara@example.com", "payment_method": "cash_on_delivery"})
    return Order.objects.get()


def test_a_guest_cancels_from_the_order_page_without_javascript(client, run_on_commit):
    product = ProductFactory(price=D("12.00"), stock_quantity=5)
    order = _guest_order_placed(client, product)
    page = client.get(f"/orders/guest/{order.order_number}/").content.decode()
    assert f'action="/orders/guest/{order.order_number}/cancel/"' in page and "Cancel order" in page

    response = client.post(f"/orders/guest/{order.order_number}/cancel/", {"reason": "Changed my mind"})

    assert response.status_code == 302 and response["Location"] == f"/orders/guest/{order.order_number}/"
    order.refresh_from_db()
    product.refresh_from_db()
    assert (order.status, product.stock_quantity) == ("cancelled", 5)
    shown = client.get(response["Location"]).content.decode()
    assert "Your order was cancelled." in shown and "Cancel order" not in shown


def test_only_the_browser_that_found_the_order_can_cancel_it(client, run_on_commit):
    product = ProductFactory(stock_quantity=5)
    order = _guest_order_placed(client, product)
    other = Client()
    assert other.post(f"/orders/guest/{order.order_number}/cancel/").status_code == 404
    order.refresh_from_db()
    assert order.status == "confirmed"
    # Once it proves the number and e-mail on the lookup page, it can.
    other.post("/orders/find/", {"order_number": order.order_number, "email": "dara@example.com"})
    assert other.post(f"/orders/guest/{order.order_number}/cancel/").status_code == 302
    order.refresh_from_db()
    product.refresh_from_db()
    assert (order.status, product.stock_quantity) == ("cancelled", 5)


def test_a_shipped_guest_order_shows_why_it_cannot_be_cancelled(client, run_on_commit):
    order = _guest_order_placed(client, ProductFactory(stock_quantity=5))
    Order.objects.filter(pk=order.pk).update(status="processing")
    assert "Cancel order" not in client.get(f"/orders/guest/{order.order_number}/").content.decode()
    response = client.post(f"/orders/guest/{order.order_number}/cancel/")
    assert response.status_code == 409
    assert "A processing order cannot be cancelled." in response.content.decode()
    order.refresh_from_db()
    assert order.status == "processing"


def test_the_cancel_button_is_rate_limited_with_the_lookup(client, throttle_rates, run_on_commit):
    order = _guest_order_placed(client, ProductFactory(stock_quantity=5))
    throttle_rates(order_lookup="1/min")
    assert (
        client.post("/orders/find/", {"order_number": "SK-0000-NOPE0000", "email": "a@example.com"}).status_code == 404
    )
    assert client.post(f"/orders/guest/{order.order_number}/cancel/").status_code == 429
    order.refresh_from_db()
    assert order.status == "confirmed"
