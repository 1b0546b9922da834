"""The admin index is a dashboard for the signed-in role: figures, links, charts, query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from feedback import services as feedback_services
from reviews.models import Question
from shop.accounts.tests.factories import ExpertFactory, ModeratorFactory, StaffFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory
from shop.orders.models import Order, OrderItem, OrderStatus, PaymentStatus
from skincare.charts import bar_chart_svg, chart_table

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 10**6))


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _order(user, total, *, status=OrderStatus.CONFIRMED, payment_status=PaymentStatus.PAID, days_ago=0, product=None):
    order = Order.objects.create(
        order_number=f"D-{next(_numbers):06d}",
        user=user,
        customer_email=user.email,
        currency="USD",
        subtotal=Decimal(total),
        total=Decimal(total),
        status=status,
        payment_status=payment_status,
    )
    if product is not None:
        OrderItem.objects.create(
            order=order,
            product=product,
            product_name=product.name,
            quantity=2,
            unit_price=Decimal(total) / 2,
            total_price=Decimal(total),
        )
    if days_ago:
        Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return order


@pytest.fixture
def shop_data():
    customer = UserFactory()
    serum = ProductFactory(name="Calm Serum", stock_quantity=2, low_stock_threshold=5)
    ProductFactory(name="Gone Toner", stock_quantity=0)
    ProductFactory(name="Plenty Cream", stock_quantity=50)
    _order(customer, "30.00", product=serum)  # today, to ship
    _order(customer, "12.50", status=OrderStatus.PROCESSING, payment_status=PaymentStatus.PENDING, days_ago=3)
    _order(customer, "99.00", status=OrderStatus.CANCELLED, payment_status=PaymentStatus.FAILED)  # not counted
    _order(customer, "7.00", status=OrderStatus.DELIVERED, payment_status=PaymentStatus.FAILED, days_ago=20)
    old = UserFactory()
    type(old).objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=60))
    items = [
        feedback_services.moderation_submit(content_type="review", content_id=n, user=customer, text="This cures acne")
        for n in (1, 2, 3)
    ]
    type(items[1]).objects.filter(pk=items[1].pk).update(created_at=timezone.now() - timedelta(days=72))
    question = Question.objects.create(product=serum, user=customer, question="Safe with retinol?", status="approved")
    return {"customer": customer, "serum": serum, "question": question, "oldest_item": items[1]}


def _panels(response):
    assert response.status_code == 200
    return {panel["key"]: panel for panel in response.context["dashboard_panels"]}


def _figures(panel):
    return {item["label"]: item["value"] for item in panel["items"]}


def test_admin_dashboard_shows_every_figure_with_its_filtered_list(shop_data):
    panels = _panels(_login(StaffFactory()).get("/admin/"))

    assert list(panels) == [
        "sales",
        "analytics-sales",
        "order-queues",
        "refunds",
        "top-products",
        "analytics-products",
        "stock",
        "new-customers",
        "analytics-customers",
        "moderation",
        "reported",
        "expert-questions",
        "analytics-search",
        "analytics-zero-results",
        "analytics-recommendation-ctr",
        "analytics-ratings",
        "analytics-sentiment",
        "analytics-feedback",
        "analytics-skin-types",
        "analytics-efficacy",
        "analytics-community",
        "analytics-recommendations",
    ]
    assert _figures(panels["sales"]) == {
        "Today": "1 orders · 30.00",
        "Last 7 days": "2 orders · 42.50",
        "Last 30 days": "3 orders · 49.50",
    }
    assert _figures(panels["order-queues"]) == {"Orders to ship": 2, "Payments to capture": 1, "Payments failed": 1}
    assert _figures(panels["refunds"]) == {"Refunded, last 30 days": "0 · 0.00", "Refunds pending": 0}
    assert _figures(panels["top-products"]) == {"Calm Serum": "2 · 30.00"}
    assert _figures(panels["stock"]) == {"Low on stock": 1, "Out of stock": 1}
    # the fixture's customer only: the staff user is not a customer, the other one joined 60 days ago
    assert _figures(panels["new-customers"]) == {"Last 7 days": 1, "Last 30 days": 1}
    oldest = shop_data["oldest_item"]
    assert panels["moderation"]["items"] == [
        {"label": "Open items", "value": 3, "url": "/admin/feedback/moderationitem/?queue=open"},
        {
            "label": "Flagged by the screen",
            "value": 3,
            "url": "/admin/feedback/moderationitem/?status__exact=needs_review",
        },
        {"label": "Escalated", "value": 0, "url": "/admin/feedback/moderationitem/?queue=escalated"},
        {
            "label": "Oldest open item",
            "value": f"#{oldest.pk}, waiting 2\xa0months, 1\xa0week",
            "url": f"/admin/feedback/moderationitem/{oldest.pk}/change/",
        },
    ]
    assert _figures(panels["expert-questions"])["Unanswered by an expert"] == 1
    chart = panels["sales"]["chart"]
    assert chart.count('class="chart-bar"') == 30
    assert "<title>" + timezone.localdate().strftime("%-d %b") + ": 30.00</title>" in chart


def test_every_dashboard_link_opens_the_list_with_the_figure(shop_data):
    client = _login(StaffFactory())
    panels = _panels(client.get("/admin/"))
    counts = {
        ("order-queues", "Orders to ship"): 2,
        ("order-queues", "Payments to capture"): 1,
        ("order-queues", "Payments failed"): 1,
        ("stock", "Low on stock"): 1,
        ("stock", "Out of stock"): 1,
        ("sales", "Last 7 days"): 3,  # the list counts cancelled orders too
        ("new-customers", "Last 7 days"): 1,
        ("moderation", "Open items"): 3,
        ("expert-questions", "Unanswered by an expert"): 1,
    }
    seen = {}
    for (key, label), _ in counts.items():
        url = next(item["url"] for item in panels[key]["items"] if item["label"] == label)
        page = client.get(url)
        assert page.status_code == 200, url
        seen[(key, label)] = page.context["cl"].result_count
    assert seen == counts


def test_moderator_sees_moderation_and_never_money(shop_data):
    response = _login(ModeratorFactory()).get("/admin/")
    panels = _panels(response)

    assert list(panels) == [
        "new-customers", "moderation", "reported", "expert-questions", "analytics-ratings", "analytics-sentiment",
        "analytics-feedback", "analytics-skin-types", "analytics-efficacy", "analytics-community",
    ]  # fmt: skip
    assert b"Revenue" not in response.content and b"30.00" not in response.content
    assert b"/admin/orders/" not in response.content


def test_expert_sees_the_questions_waiting_for_an_expert(shop_data):
    response = _login(ExpertFactory()).get("/admin/")
    panels = _panels(response)

    assert list(panels) == ["expert-questions"]
    assert _figures(panels["expert-questions"])["Unanswered by an expert"] == 1
    oldest = panels["expert-questions"]["items"][1]
    assert oldest["url"] == f"/admin/reviews/question/{shop_data['question'].pk}/change/"


def test_dashboard_costs_a_fixed_number_of_queries_and_is_cached(shop_data, django_assert_num_queries):
    client = _login(StaffFactory())
    client.get("/admin/")  # warm the session and permission caches of this client
    cache.clear()
    with django_assert_num_queries(FRESH_QUERIES):
        client.get("/admin/")
    with django_assert_num_queries(CACHED_QUERIES):
        client.get("/admin/")
    for n in range(5):
        _order(shop_data["customer"], "5.00", days_ago=n)
        ProductFactory(stock_quantity=0)
    cache.clear()
    with django_assert_num_queries(FRESH_QUERIES):
        client.get("/admin/")


# 4 for the session, the user and their permissions, 1 for the recent actions sidebar; the rest are
# the panels' figures (the staff API's dashboard and moderation statistics reused as they are), and 6
# for the analytics panels (sales roll-up rows and totals, products, searches, ratings, models), and 16
# for the report panels without analytics documents: customers 2 (store + roll-up), recommendation
# click-through 1, sentiment 1, feedback overview 1, skin types 1, community 10 (the staff endpoint's
# selector as it is). With documents, product names add one query per panel (ml/tests/test_dashboard_reports.py).
FRESH_QUERIES = 4 + 23 + 1 + 6 + 16
CACHED_QUERIES = 4 + 1  # every panel from the cache


def test_bar_chart_is_accessible_svg_with_scaled_bars():
    svg = bar_chart_svg(
        [("1 Nov", Decimal("10.00")), ("2 Nov", Decimal("0")), ("<3>", Decimal("20.00"))],
        title="Revenue",
        desc="Per day & cancelled excluded",
        width=300,
        height=144,
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 300 144"')
    assert 'role="img" aria-labelledby="chart-title-revenue chart-desc-revenue"' in svg
    assert '<title id="chart-title-revenue">Revenue</title>' in svg
    assert '<desc id="chart-desc-revenue">Per day &amp; cancelled excluded</desc>' in svg
    # plot height 144 - 16 - 28 = 100: the peak is full height, half of it is 50, zero is 0
    assert 'height="50.0" fill="#b5546b"><title>1 Nov: 10.00</title>' in svg
    assert 'height="0.0" fill="#b5546b"><title>2 Nov: 0.00</title>' in svg
    assert 'height="100.0" fill="#b5546b"><title>&lt;3&gt;: 20.00</title>' in svg
    assert ">&lt;3&gt;</text>" in svg and "<3>" not in svg
    assert svg.endswith("</svg>")


def test_chart_of_nothing_draws_empty_bars_and_the_table_lists_the_figures():
    svg = bar_chart_svg([("a", 0), ("b", 0)], title="Orders", desc="None yet")
    assert svg.count('height="0.0"') == 2
    assert chart_table([("1 Nov", Decimal("1234.5"))], caption="Revenue", label_header="Day", value_header="USD") == (
        '<table class="chart-table"><caption>Revenue</caption><thead><tr><th scope="col">Day</th>'
        '<th scope="col">USD</th></tr></thead><tbody><tr><th scope="row">1 Nov</th><td>1,234.50</td></tr>'
        "</tbody></table>"
    )


def test_admin_is_shop_branded_without_inline_script():
    page = _login(StaffFactory()).get("/admin/")

    html = page.content.decode()
    assert "<title>Dashboard | Skincare Shop admin</title>" in html
    assert '<a href="/admin/" class="shop-brand">Skincare Shop back office</a>' in html
    assert '<link rel="stylesheet" href="/static/admin-shop/shop-admin.css">' in html
    assert "<script>" not in html and '<script type="text/javascript">' not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_shop_admin_stylesheet_is_served():
    from django.contrib.staticfiles import finders

    path = finders.find("admin-shop/shop-admin.css")
    assert path is not None
    css = open(path, encoding="utf-8").read()
    assert "--primary: #c96f8b;" in css and ".dashboard-panels" in css
