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


def _seed_reports():
    """Every report panel with figures and a chart: the store documents and rows they read."""
    from datetime import timedelta

    from django.utils import timezone

    from ml.models import OrderAnalytics
    from ml.store import get_store
    from ml.tests.test_dashboard_reports import _at, _feedback_doc, _recommendations, _review, _week

    store = get_store()
    yesterday = timezone.now().date() - timedelta(days=1)
    serum = ProductFactory(name="Calm Serum")
    store.insert_many("recommendation_feedback", _recommendations(_at(yesterday, 10), for_me_shown=4, for_me_clicked=1))
    store.upsert_many(
        "performance_metrics",
        [(yesterday.isoformat(), {"date": yesterday.isoformat(),
                                  "metrics": {"new_registrations": 3, "total_users": 41, "active_users": 9}})],
    )  # fmt: skip
    OrderAnalytics.objects.create(date=yesterday, total_orders=2, new_customers=1, returning_customers=1)
    store.upsert_many(
        "feedback_analytics",
        [(str(serum.pk), _feedback_doc(
            serum.pk, total=12, avg=4.5, trend="improving",
            skin_types={"oily": {"review_count": 8, "avg_rating": 4.6, "results_rate": 0.75}},
            curve={"all": [_week(1, 10, acne_reduced=2), _week(6, 8, acne_reduced=5)]},
        ))],
    )  # fmt: skip
    for label in ("positive", "positive", "negative"):
        _review(serum, UserFactory(), label=label, when=_at(yesterday, 9))


@pytest.mark.parametrize("role", ["admin", "moderator"])
def test_dashboard_report_panels_are_accessible(live_server, browser, role):  # noqa: F811
    _seed_reports()
    user = StaffFactory() if role == "admin" else ModeratorFactory()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, live_server.url, user)

    sentiment = page.locator("#panel-analytics-sentiment")
    expect(sentiment.get_by_role("img", name="Review sentiment by week (%), last 12 weeks")).to_be_visible()
    expect(sentiment.locator("dd").get_by_text("66.7 %", exact=True)).to_be_visible()  # 2 of 3 positive
    efficacy = page.locator("#panel-analytics-efficacy dd")
    expect(efficacy.get_by_text("by week 6, 62.5 % of 8 users: fewer breakouts")).to_be_visible()
    if role == "admin":
        ctr = page.locator("#panel-analytics-recommendation-ctr dd")
        expect(ctr.get_by_text("25.0 %", exact=True)).to_be_visible()
        expect(page.locator("#panel-analytics-customers").get_by_role("img")).to_be_visible()
    else:
        expect(page.locator("#panel-analytics-customers")).to_have_count(0)
        expect(page.locator("#panel-analytics-recommendation-ctr")).to_have_count(0)
    for summary in page.locator(".dashboard-table summary").all():
        summary.click()  # the tables behind the charts are checked open too
    assert_accessible(page)
    csv = sentiment.get_by_role("link", name="Review sentiment as CSV")
    assert csv.get_attribute("href").startswith("/api/v1/staff/analytics/sentiment/export?date_from=")
