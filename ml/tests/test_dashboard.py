"""The analytics and ML panels of the admin dashboard: figures, roles, query count, store outage."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from ml import store as store_module
from ml.models import OrderAnalytics, ProductAnalytics
from ml.store import StoreError
from ml.store.relational import RelationalAnalyticsStore
from shop.accounts.tests.factories import ModeratorFactory, StaffFactory
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

ML_PANELS = [
    "analytics-sales",
    "analytics-products",
    "analytics-customers",
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
MODERATOR_PANELS = [
    "analytics-ratings",
    "analytics-sentiment",
    "analytics-feedback",
    "analytics-skin-types",
    "analytics-efficacy",
    "analytics-community",
]


def _today():
    return datetime.now(UTC).date()


def _stamp(days_ago=1):
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _search(query, count, *, clicks=0, cart=(), bought=(), days_ago=1):
    return {
        "search_query": query, "normalized_query": query, "results_count": count, "timestamp": _stamp(days_ago),
        "clicked_products": [{"product_id": 1, "position": 1}] * clicks,
        "conversion_data": {"added_to_cart": list(cart), "purchased": list(bought)},
    }  # fmt: skip


def _feedback(product_id, distribution):
    return {
        "product_id": product_id,
        "analysis_date": "2026-11-30T02:00:00.000Z",
        "feedback_summary": {
            "total_reviews": sum(distribution), "avg_rating": None, "results_rate": None,
            "recommendation_rate": None, "repurchase_rate": None, "skin_type_performance": {},
            "rating_distribution": {f"{star}_star": n for star, n in zip(range(5, 0, -1), distribution, strict=True)},
        },
        "feedback_trends": {"trend_direction": "insufficient_data", "trend_fit": None},
        "efficacy_curve": {},
    }  # fmt: skip


def _model(name, ndcg, *, when, split="temporal"):
    return {
        "model_name": name, "split": split, "evaluation_date": when,
        "metrics": {"ndcg_at_k": {"k10": ndcg}, "precision_at_k": {"k10": ndcg / 2}, "coverage": 0.25},
    }  # fmt: skip


@pytest.fixture
def lake(relational_store):
    serum, cream = ProductFactory(name="Calm Serum"), ProductFactory(name="Rich Cream")
    yesterday = _today() - timedelta(days=1)
    OrderAnalytics.objects.create(
        date=yesterday, total_orders=3, total_revenue=Decimal("60.00"), average_order_value=Decimal("20.00"),
        new_customers=2, returning_customers=1,
    )  # fmt: skip
    OrderAnalytics.objects.create(
        date=yesterday - timedelta(days=10), total_orders=1, total_revenue=Decimal("15.00"),
        average_order_value=Decimal("15.00"), new_customers=1,
    )  # fmt: skip
    OrderAnalytics.objects.create(date=_today() - timedelta(days=120), total_orders=9, total_revenue=Decimal("999"))
    ProductAnalytics.objects.create(date=yesterday, product=serum, views=40, orders=2, revenue=Decimal("40.00"))
    ProductAnalytics.objects.create(date=yesterday, product=cream, views=0, orders=1, revenue=Decimal("35.00"))
    relational_store.insert_many(
        "search_analytics",
        [
            _search("vitamin c", 4, clicks=1, cart=[1], bought=[1]),
            _search("vitamin c", 4, clicks=1),
            _search("snail mucin", 0),
            _search("snail mucin", 0),
            _search("bakuchiol", 0),
            _search("spf", 9, clicks=1, cart=[3, 4]),
            _search("spf", 9, days_ago=40),  # outside the 30 days
        ],
    )
    relational_store.upsert_many(
        "feedback_analytics", [("1", _feedback(1, [4, 1, 0, 0, 1])), ("2", _feedback(2, [1, 1, 1, 0, 0]))]
    )
    relational_store.upsert_many(
        "model_performance",
        [
            ("a", _model("item_knn", 0.2, when="2026-11-01T00:00:00.000Z")),
            ("b", _model("item_knn", 0.3, when="2026-11-20T00:00:00.000Z")),
            ("c", _model("popularity", 0.1, when="2026-11-20T00:00:00.000Z")),
        ],
    )
    return {"serum": serum, "cream": cream}


def _panels(user):
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return {panel["key"]: panel for panel in response.context["dashboard_panels"]}, response


def _figures(panel):
    return {item["label"]: item["value"] for item in panel["items"]}


def test_admin_sees_every_analytics_panel_with_its_figures(lake):
    panels, response = _panels(StaffFactory())

    assert [key for key in panels if key.startswith("analytics-")] == ML_PANELS
    assert _figures(panels["analytics-sales"]) == {
        "Orders": 4, "Revenue": Decimal("75.00"), "Average order": Decimal("18.75"),
        "New · returning customers": "3 · 1",
    }  # fmt: skip
    chart = panels["analytics-sales"]["chart"]
    assert chart.count('class="chart-bar"') == 90
    assert f"<title>{(_today() - timedelta(days=1)).strftime('%-d %b')}: 60.00</title>" in chart
    assert _figures(panels["analytics-products"]) == {"Calm Serum": "40.00 · 2 · 5.0 %", "Rich Cream": "35.00 · 1 · —"}
    assert _figures(panels["analytics-search"]) == {
        "Searches": 6, "With a click": 3, "Cart adds": 3, "Purchases": 1, "Click-through": "50.0 %",
    }  # fmt: skip
    assert panels["analytics-search"]["link"].startswith("/api/v1/staff/analytics/search-trends/export?date_from=")
    assert _figures(panels["analytics-zero-results"]) == {
        "Searches without results": 3, "snail mucin": 2, "bakuchiol": 1,
    }  # fmt: skip
    assert _figures(panels["analytics-ratings"]) == {
        "Reviews": 9,
        "Average rating": 4.11,
    }  # (5·5 + 4·2 + 3·1 + 1·1) / 9
    assert panels["analytics-ratings"]["chart"].count('class="chart-bar"') == 5
    assert panels["analytics-recommendations"]["items"] == [
        {"label": "item_knn (temporal, 2026-11-20)", "value": "0.300 · 0.150 · 25.0 %", "url": ""},
        {"label": "popularity (temporal, 2026-11-20)", "value": "0.100 · 0.050 · 25.0 %", "url": ""},
    ]
    html = response.content.decode()
    assert 'id="panel-analytics-search"' in html and "Search conversion, last 30 days" in html


def test_moderator_sees_ratings_but_no_money_or_search_panels(lake):
    panels, response = _panels(ModeratorFactory())

    assert [key for key in panels if key.startswith("analytics-")] == MODERATOR_PANELS
    assert b"75.00" not in response.content and b"Revenue" not in response.content


def test_analytics_panels_cost_the_same_queries_whatever_the_volume(lake, relational_store, django_assert_num_queries):
    client = Client()
    client.force_login(StaffFactory())
    client.get("/admin/")  # session and permissions
    cache.clear()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get("/admin/")
    yesterday = _today() - timedelta(days=1)
    for n in range(12, 22):
        OrderAnalytics.objects.create(date=yesterday - timedelta(days=n), total_orders=1, total_revenue=Decimal("5"))
        ProductAnalytics.objects.create(date=yesterday, product=ProductFactory(), views=n, orders=1, revenue=n)
    relational_store.insert_many("search_analytics", [_search(f"q{n}", n % 2) for n in range(40)])
    relational_store.upsert_many("feedback_analytics", [(str(n), _feedback(n, [1, 0, 0, 0, 0])) for n in range(3, 30)])
    cache.clear()
    with django_assert_num_queries(len(first)):
        client.get("/admin/")
    with django_assert_num_queries(5):  # session, user, permissions, recent actions: panels from the cache
        client.get("/admin/")


class DownStore(RelationalAnalyticsStore):
    def find(self, *args, **kwargs):
        raise StoreError("no route to host")


def test_store_outage_shows_the_last_good_figures_with_their_time(lake, monkeypatch):
    _panels(StaffFactory())  # a good read
    cache.delete_many(["dashboard:panel:analytics-search:en", "dashboard:analytics-search-trends"])
    monkeypatch.setattr(store_module, "_store", DownStore())

    panels, _ = _panels(StaffFactory())

    search = panels["analytics-search"]
    assert search["note"].startswith("The analytics store is not answering: figures as of ")
    assert _figures(search)["Searches"] == 6


def test_store_outage_before_any_read_says_so_and_the_page_still_answers(monkeypatch, db):
    monkeypatch.setattr(store_module, "_store", DownStore())

    panels, _ = _panels(StaffFactory())

    note = "The analytics store is not answering: no figures could be read yet."
    assert panels["analytics-search"]["note"] == note
    assert _figures(panels["analytics-search"])["Searches"] == "—"
    assert "chart" not in panels["analytics-search"]
    assert panels["analytics-zero-results"]["note"] == note
    assert panels["analytics-ratings"]["note"] == note
    assert panels["analytics-recommendations"]["note"] == note
    assert _figures(panels["analytics-sales"])["Orders"] == 0  # relational roll-ups still read
