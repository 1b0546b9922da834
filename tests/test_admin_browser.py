"""The back office in a real browser: an admin ships an order then refunds part of it; a moderator
approves a held review and it appears on the product page. axe checks each admin page."""

from decimal import Decimal

import pytest

from feedback.models import ModerationItem
from reviews import services as review_services
from reviews.models import Review
from reviews.tests.helpers import review_payload
from shop.accounts.tests.factories import DEFAULT_PASSWORD, AddressFactory, ModeratorFactory, StaffFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory
from shop.orders.models import Order, OrderStatus, PaymentRefund
from shop.orders.services import order_place
from shop.orders.tests.helpers import OK_CARD, fill_cart
from shop.storefront.tests.test_browser import CHROMIUM, assert_accessible, browser, expect  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
]


def _sign_in(page, base, user):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_admin_ships_an_order_then_refunds_part_of_it(live_server, browser):  # noqa: F811
    shopper = UserFactory(email="dara@example.com")
    AddressFactory(user=shopper, is_default=True)
    serum = ProductFactory(name="Calm Serum", price=Decimal("25.00"), stock_quantity=5)
    cart = fill_cart(shopper, (serum, 2))
    order, _, _ = order_place(user=shopper, cart=cart, payment_data={"card_number": OK_CARD})
    paid = Order.objects.get(pk=order.pk)
    total = paid.total
    admin = StaffFactory(email="ops@example.com")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, live_server.url, admin)

    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    expect(page.get_by_role("heading", name=order.order_number)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ship with a tracking number").click()
    page.get_by_label("Tracking number").fill("KH123456789")
    page.get_by_role("button", name="Ship", exact=True).click()
    expect(page.get_by_text(f"Order {order.order_number} shipped with tracking number KH123456789.")).to_be_visible()

    page.get_by_role("link", name="Refund", exact=True).click()
    expect(page.get_by_text(f"Paid {total} · already refunded 0.00 · refundable {total}")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Amount").fill("10.00")
    page.get_by_label("Reason").fill("One bottle arrived damaged")
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page.get_by_text(f"Order {order.order_number}: 10.00 refunded.")).to_be_visible()

    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (OrderStatus.SHIPPED, "KH123456789")
    refund = PaymentRefund.objects.get(payment__order=order)
    assert (refund.amount, refund.reason, refund.created_by_id) == (
        Decimal("10.00"), "One bottle arrived damaged", admin.pk,
    )  # fmt: skip
    page.get_by_role("link", name="Refund", exact=True).click()  # what was refunded already is shown
    expect(page.get_by_text(f"already refunded 10.00 · refundable {total - Decimal('10.00')}")).to_be_visible()


def test_moderator_approves_a_held_review_and_it_shows_on_the_product_page(live_server, browser):  # noqa: F811
    product = ProductFactory(name="Calm Serum", slug="calm-serum")
    text = "This cures acne for good. My skin feels calmer every single week."
    review = review_services.review_create(
        user=UserFactory(), product_id=product.pk, **review_payload(title="Finally calm", review_text=text)
    )
    item = ModerationItem.objects.get(content_type="review", content_id=review.pk)
    assert item.status == "needs_review"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/p/calm-serum/")
    expect(page.get_by_text("Finally calm")).to_have_count(0)  # held: not shown yet

    _sign_in(page, live_server.url, ModeratorFactory())
    page.get_by_role("link", name="Open items").click()  # dashboard -> queue -> item: two clicks
    page.get_by_role("link", name=f"{item.pk}", exact=True).first.click()
    expect(page.get_by_text("My skin feels calmer every single week.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(f"Item #{item.pk} approved.")).to_be_visible()
    expect(page.get_by_text("The queue is empty.")).to_be_visible()

    review.refresh_from_db()
    assert review.status == "approved"
    page.goto(f"{live_server.url}/p/calm-serum/")
    expect(page.get_by_text("Finally calm")).to_be_visible()
    expect(page.get_by_text(text)).to_be_visible()
    assert Review.objects.filter(product=product, status="approved").count() == 1
