from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from ml import store as store_module
from ml.models import EtlRun, OrderAnalytics, ProductAnalytics
from ml.store import StoreError
from ml.store.relational import RelationalAnalyticsStore
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory

BASE = "/api/v1/staff/analytics"
ENDPOINTS = [
    f"{BASE}/sales?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/sales/export?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/search-trends?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/search-trends/export?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/efficacy/5",
    f"{BASE}/efficacy/5/export",
    f"{BASE}/products?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/products/export?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/feedback",
    f"{BASE}/feedback/export",
    f"{BASE}/skin-types",
    f"{BASE}/skin-types/export",
    f"{BASE}/customers?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/customers/export?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/community?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/community/export?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/recommendations?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/recommendations/export?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/sentiment?date_from=2026-03-01&date_to=2026-03-31",
    f"{BASE}/sentiment/export?date_from=2026-03-01&date_to=2026-03-31",
]


@pytest.fixture(autouse=True)
def _relational(relational_store):
    return relational_store


@pytest.fixture
def analytics(relational_store):
    OrderAnalytics.objects.create(date=date(2026, 2, 28), total_orders=9, total_revenue=Decimal("900.00"))
    OrderAnalytics.objects.create(
        date=date(2026, 3, 2), total_orders=2, total_revenue=Decimal("45.00"), average_order_value=Decimal("22.50"),
        new_customers=1, returning_customers=1,
    )  # fmt: skip
    OrderAnalytics.objects.create(
        date=date(2026, 3, 5), total_orders=1, total_revenue=Decimal("10.01"), average_order_value=Decimal("10.01"),
        new_customers=1,
    )  # fmt: skip

    def search(query, count, clicks=0, cart=(), bought=(), when="2026-03-03T10:00:00.000Z"):
        return {
            "search_query": query, "normalized_query": query, "results_count": count, "timestamp": when,
            "clicked_products": [{"product_id": 1, "position": 1}] * clicks,
            "conversion_data": {"added_to_cart": list(cart), "purchased": list(bought)},
        }  # fmt: skip

    relational_store.insert_many(
        "search_analytics",
        [
            search("vitamin c", 4, clicks=2, cart=[1], bought=[1]),
            search("vitamin c", 4),
            search("vitamin c", 4, clicks=1),
            search("=cmd|' /C calc'!A0", 0),
            search("snail mucin", 0),
            search("snail mucin", 0),
            search("spf", 9, clicks=1, cart=[3, 4]),
            search("spf", 9, when="2026-04-01T00:00:00.000Z"),  # outside the range
        ],
    )
    relational_store.upsert(
        "feedback_analytics",
        "5",
        {
            "product_id": 5,
            "analysis_date": "2026-03-31",
            "feedback_summary": {"total_reviews": 0, "avg_rating": None, "results_rate": None,
                                 "recommendation_rate": None, "repurchase_rate": None, "skin_type_performance": {}},
            "feedback_trends": {"trend_direction": "insufficient_data", "trend_fit": None},
            "efficacy_curve": {
                "all": [{"week": 1, "users": 2, "improvements": {
                    flag: {"count": 1 if flag == "acne_reduced" else 0, "share": 0.5 if flag == "acne_reduced" else 0.0}
                    for flag in ("acne_reduced", "skin_texture_improved", "hydration_improved", "redness_reduced",
                                 "pores_minimized", "brightness_improved", "scarring_reduced", "oil_control_improved",
                                 "fine_lines_reduced")}}],
            },
        },
    )  # fmt: skip


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("who, expected", [("anonymous", 401), ("shopper", 403), ("staff", 200)])
def test_staff_only(analytics, staff_client, url, who, expected):
    client = {"anonymous": APIClient(), "shopper": APIClient(), "staff": staff_client}[who]
    if who == "shopper":
        client.force_authenticate(UserFactory())

    assert client.get(url).status_code == expected


def test_sales_days_and_totals(analytics, staff_client):
    body = staff_client.get(f"{BASE}/sales", {"date_from": "2026-03-01", "date_to": "2026-03-31"}).json()

    assert body["data"] == {
        "date_from": "2026-03-01",
        "date_to": "2026-03-31",
        "totals": {
            "total_orders": 3, "total_revenue": "55.01", "average_order_value": "18.34",  # 55.01 / 3 = 18.336..
            "new_customers": 2, "returning_customers": 1,
        },
        "days": [
            {"date": "2026-03-02", "total_orders": 2, "total_revenue": "45.00", "average_order_value": "22.50",
             "new_customers": 1, "returning_customers": 1},
            {"date": "2026-03-05", "total_orders": 1, "total_revenue": "10.01", "average_order_value": "10.01",
             "new_customers": 1, "returning_customers": 0},
        ],
    }  # fmt: skip


def test_sales_csv(analytics, staff_client):
    response = staff_client.get(f"{BASE}/sales/export", {"date_from": "2026-03-01", "date_to": "2026-03-31"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sales_2026-03-01_2026-03-31.csv"'
    assert response.content.decode().splitlines() == [
        "date,total_orders,total_revenue,average_order_value,new_customers,returning_customers",
        "2026-03-02,2,45.00,22.50,1,1",
        "2026-03-05,1,10.01,10.01,1,0",
    ]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "date_from"),
        ({"date_from": "2025-01-01", "date_to": "2026-03-01"}, "date_from"),
        ({"date_from": "March"}, "date_from"),
    ],
)
def test_bad_ranges_are_400(staff_client, params, field):
    response = staff_client.get(f"{BASE}/sales", params)

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["errors"]


def test_search_trends(analytics, staff_client):
    body = staff_client.get(f"{BASE}/search-trends", {"date_from": "2026-03-01", "date_to": "2026-03-31"}).json()

    data = body["data"]
    assert (data["total_searches"], data["zero_result_searches"]) == (7, 3)
    assert data["click_through_rate"] == 0.4286  # 3 of 7 searches had a click
    assert data["top_queries"] == [
        {"query": "vitamin c", "searches": 3, "zero_results": 0, "clicked": 2, "click_through_rate": 0.6667,
         "cart_adds": 1, "purchases": 1},
        {"query": "snail mucin", "searches": 2, "zero_results": 2, "clicked": 0, "click_through_rate": 0.0,
         "cart_adds": 0, "purchases": 0},
        {"query": "=cmd|' /C calc'!A0", "searches": 1, "zero_results": 1, "clicked": 0, "click_through_rate": 0.0,
         "cart_adds": 0, "purchases": 0},
        {"query": "spf", "searches": 1, "zero_results": 0, "clicked": 1, "click_through_rate": 1.0,
         "cart_adds": 2, "purchases": 0},
    ]  # fmt: skip
    assert [q["query"] for q in data["zero_result_queries"]] == ["snail mucin", "=cmd|' /C calc'!A0"]
    assert staff_client.get(f"{BASE}/search-trends", {"limit": 0}).status_code == 400


def test_search_trends_csv_neutralises_formulas(analytics, staff_client):
    response = staff_client.get(
        f"{BASE}/search-trends/export", {"date_from": "2026-03-01", "date_to": "2026-03-31", "limit": 3}
    )

    assert response.content.decode().splitlines() == [
        "query,searches,zero_results,clicked,click_through_rate,cart_adds,purchases",
        "vitamin c,3,0,2,0.6667,1,1",
        "snail mucin,2,2,0,0.0,0,0",
        "'=cmd|' /C calc'!A0,1,1,0,0.0,0,0",
    ]


def test_efficacy_and_csv(analytics, staff_client):
    data = staff_client.get(f"{BASE}/efficacy/5").json()["data"]
    assert data["analysis_date"] == "2026-03-31"
    assert data["curves"]["all"][0]["improvements"]["acne_reduced"] == {"count": 1, "share": 0.5}

    lines = staff_client.get(f"{BASE}/efficacy/5/export").content.decode().splitlines()
    assert lines[:3] == [
        "skin_type,week,users,improvement,count,share",
        "all,1,2,acne_reduced,1,0.5",
        "all,1,2,skin_texture_improved,0,0.0",
    ]
    assert len(lines) == 1 + 9


def test_efficacy_unknown_product_is_404(analytics, staff_client):
    response = staff_client.get(f"{BASE}/efficacy/999")

    assert response.status_code == 404
    assert response.json()["code"] == "ANALYTICS_NOT_FOUND"


class DownStore(RelationalAnalyticsStore):
    def find(self, *args, **kwargs):
        raise StoreError("no route to host")

    def get(self, *args, **kwargs):
        raise StoreError("no route to host")


SEARCH = f"{BASE}/search-trends?date_from=2026-03-01&date_to=2026-03-31"


def test_store_outage_serves_the_last_good_figures_flagged_stale(analytics, staff_client, monkeypatch):
    fresh = staff_client.get(SEARCH).json()["data"]
    fresh_efficacy = staff_client.get(f"{BASE}/efficacy/5").json()["data"]
    monkeypatch.setattr(store_module, "_store", DownStore())

    response = staff_client.get(SEARCH)

    assert response.status_code == 200
    data = response.json()["data"]
    assert (fresh["stale"], data["stale"]) == (False, True)
    assert data["as_of"] == fresh["as_of"] is not None
    assert {k: v for k, v in data.items() if k != "stale"} == {k: v for k, v in fresh.items() if k != "stale"}
    assert data["total_searches"] == 7
    efficacy = staff_client.get(f"{BASE}/efficacy/5").json()["data"]
    assert (efficacy["stale"], efficacy["curves"]) == (True, fresh_efficacy["curves"])
    export = staff_client.get(SEARCH.replace("search-trends", "search-trends/export"))
    assert export.status_code == 200
    assert (export["X-Analytics-Stale"], export["X-Analytics-As-Of"]) == ("true", fresh["as_of"].replace("Z", "+00:00"))
    assert export.content.decode().splitlines()[1].startswith("vitamin c,3,")


def test_store_outage_before_any_good_read_answers_empty_stale_figures(staff_client, monkeypatch):
    monkeypatch.setattr(store_module, "_store", DownStore())

    for url, empty in [
        (SEARCH, {"total_searches": None, "click_through_rate": None, "zero_result_searches": None,
                  "top_queries": [], "zero_result_queries": []}),
        (f"{BASE}/feedback", {"products": []}),
        (f"{BASE}/skin-types", {"skin_types": []}),
        (f"{BASE}/customers?date_from=2026-03-01&date_to=2026-03-31", {"days": []}),
        (f"{BASE}/efficacy/5", {"product_id": 5, "analysis_date": None, "curves": {}}),
    ]:  # fmt: skip
        response = staff_client.get(url)
        assert response.status_code == 200, url
        data = response.json()["data"]
        assert (data.pop("stale"), data.pop("as_of")) == (True, None), url
        assert {k: v for k, v in data.items() if k not in {"date_from", "date_to"}} == empty, url
    export = staff_client.get(f"{BASE}/feedback/export")
    assert (export.status_code, export["X-Analytics-Stale"], export["X-Analytics-As-Of"]) == (200, "true", "")
    assert len(export.content.decode().splitlines()) == 1  # the header row only


def test_fresh_reports_say_they_are_fresh(analytics, staff_client):
    data = staff_client.get(f"{BASE}/feedback").json()["data"]
    assert data["stale"] is False and data["as_of"].endswith("Z")


def test_etl_runs_are_read_only_in_the_admin(client, admin_user):
    from django.utils import timezone

    EtlRun.objects.create(job="daily_metrics", status="failed", started_at=timezone.now(), error="boom")
    client.force_login(admin_user)

    page = client.get("/admin/ml/etlrun/")
    assert page.status_code == 200
    assert b"daily_metrics" in page.content and b"boom" in page.content
    assert client.get("/admin/ml/etlrun/add/").status_code == 403


def test_products_by_revenue_over_the_range(staff_client):
    serum, toner, mask = ProductFactory(name="Serum"), ProductFactory(name="Toner"), ProductFactory(name="Mask")
    for product, day, views, orders, revenue in [
        (serum, 2, 10, 1, "10.00"), (serum, 3, 5, 2, "20.00"),  # 15 views, 3 orders, 30.00
        (toner, 2, 0, 1, "45.50"),  # no views: no conversion rate
        (mask, 3, 8, 0, "0.00"),
        (mask, 28, 100, 9, "900.00"),  # February: outside
    ]:  # fmt: skip
        ProductAnalytics.objects.create(
            product=product, date=date(2026, 2 if day == 28 else 3, day), views=views, orders=orders,
            revenue=Decimal(revenue),
        )  # fmt: skip

    data = staff_client.get(f"{BASE}/products", {"date_from": "2026-03-01", "date_to": "2026-03-31"}).json()["data"]

    assert data["products"] == [
        {"product_id": toner.pk, "name": "Toner", "views": 0, "orders": 1, "revenue": "45.50", "conversion_rate": None},
        {"product_id": serum.pk, "name": "Serum", "views": 15, "orders": 3, "revenue": "30.00", "conversion_rate": 0.2},
        {"product_id": mask.pk, "name": "Mask", "views": 8, "orders": 0, "revenue": "0.00", "conversion_rate": 0.0},
    ]  # fmt: skip
    csv_lines = (
        staff_client.get(f"{BASE}/products/export", {"date_from": "2026-03-01", "date_to": "2026-03-31", "limit": 1})
        .content.decode()
        .splitlines()
    )
    assert csv_lines == ["product_id,name,views,orders,revenue,conversion_rate", f"{toner.pk},Toner,0,1,45.50,"]


def test_feedback_overview_most_reviewed_first(relational_store, staff_client):
    def doc(product_id, reviews, direction, fit):
        return {
            "product_id": product_id, "analysis_date": "2026-03-31",
            "feedback_summary": {"total_reviews": reviews, "avg_rating": 4.5, "results_rate": 0.5,
                                 "recommendation_rate": 1.0, "repurchase_rate": None},
            "feedback_trends": {"trend_direction": direction, "trend_fit": fit},
        }  # fmt: skip

    relational_store.upsert("feedback_analytics", "1", doc(1, 2, "insufficient_data", None))
    relational_store.upsert(
        "feedback_analytics", "2", doc(2, 9, "improving", {"slope_per_month": 0.3, "p_value": 0.01})
    )

    data = staff_client.get(f"{BASE}/feedback").json()["data"]

    assert [(p["product_id"], p["trend_direction"], p["slope_per_month"], p["p_value"]) for p in data["products"]] == [
        (2, "improving", 0.3, 0.01),
        (1, "insufficient_data", None, None),
    ]
    assert data["products"][0] == {
        "product_id": 2, "analysis_date": "2026-03-31", "total_reviews": 9, "avg_rating": 4.5, "results_rate": 0.5,
        "recommendation_rate": 1.0, "repurchase_rate": None, "trend_direction": "improving", "slope_per_month": 0.3,
        "p_value": 0.01,
    }  # fmt: skip
    lines = staff_client.get(f"{BASE}/feedback/export", {"limit": 1}).content.decode().splitlines()
    assert lines == [
        "product_id,analysis_date,total_reviews,avg_rating,results_rate,recommendation_rate,repurchase_rate,"
        "trend_direction,slope_per_month,p_value",
        "2,2026-03-31,9,4.5,0.5,1.0,,improving,0.3,0.01",
    ]


def test_skin_type_insights_weight_by_reviews(relational_store, staff_client):
    def doc(product_id, performance):
        rows = {skin: {"review_count": n, "avg_rating": avg, "results_rate": results}
                for skin, (n, avg, results) in performance.items()}  # fmt: skip
        return {"product_id": product_id, "feedback_summary": {"skin_type_performance": rows}}

    relational_store.upsert("feedback_analytics", "1", doc(1, {"oily": (3, 4.0, 1.0), "dry": (1, 2.0, 0.0)}))
    relational_store.upsert("feedback_analytics", "2", doc(2, {"oily": (1, 2.0, 0.0)}))
    relational_store.upsert("feedback_analytics", "3", doc(3, {"oily": (4, 4.5, 0.5)}))

    data = staff_client.get(f"{BASE}/skin-types").json()["data"]

    # oily: (3*4.0 + 1*2.0 + 4*4.5) / 8 = 4.0; results (3*1.0 + 0 + 4*0.5) / 8 = 0.625
    assert data["skin_types"] == [
        {"skin_type": "dry", "products": 1, "review_count": 1, "avg_rating": 2.0, "results_rate": 0.0,
         "top_products": []},
        {"skin_type": "oily", "products": 3, "review_count": 8, "avg_rating": 4.0, "results_rate": 0.625,
         "top_products": [{"product_id": 3, "avg_rating": 4.5, "review_count": 4},
                          {"product_id": 1, "avg_rating": 4.0, "review_count": 3}]},
    ]  # fmt: skip
    lines = staff_client.get(f"{BASE}/skin-types/export").content.decode().splitlines()
    assert lines == ["skin_type,products,review_count,avg_rating,results_rate", "dry,1,1,2.0,0.0", "oily,3,8,4.0,0.625"]


def test_customers_join_metrics_and_order_rollups(analytics, relational_store, staff_client):
    for day, registrations, total, active in [
        ("2026-03-02", 4, 40, 9),
        ("2026-03-03", 1, 41, 7),
        ("2026-04-01", 9, 50, 9),
    ]:
        relational_store.upsert("performance_metrics", day, {"date": day, "metrics": {
            "new_registrations": registrations, "total_users": total, "active_users": active}})  # fmt: skip

    data = staff_client.get(f"{BASE}/customers", {"date_from": "2026-03-01", "date_to": "2026-03-31"}).json()["data"]

    assert data["days"] == [
        {"date": "2026-03-02", "new_registrations": 4, "total_users": 40, "active_users": 9, "new_customers": 1,
         "returning_customers": 1},
        {"date": "2026-03-03", "new_registrations": 1, "total_users": 41, "active_users": 7, "new_customers": None,
         "returning_customers": None},
        {"date": "2026-03-05", "new_registrations": None, "total_users": None, "active_users": None,
         "new_customers": 1, "returning_customers": 0},
    ]  # fmt: skip
    lines = (
        staff_client.get(f"{BASE}/customers/export", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
        .content.decode()
        .splitlines()
    )
    assert lines[0] == "date,new_registrations,total_users,active_users,new_customers,returning_customers"
    assert lines[2:] == ["2026-03-03,1,41,7,,", "2026-03-05,,,,1,0"]


def test_community_health(staff_client):
    from datetime import UTC, datetime

    from reviews.models import Answer, ProgressEntry, ProgressJournal, Question, Review

    inside, outside = datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 4, 2, tzinfo=UTC)
    product = ProductFactory()
    u1, u2, u3, u4 = (UserFactory() for _ in range(4))
    for user, status, when in [(u1, "approved", inside), (u2, "approved", inside), (u3, "rejected", inside),
                               (u4, "pending", inside)]:  # fmt: skip
        review = Review.objects.create(product=product, user=user, rating=5, status=status)
        Review.objects.filter(pk=review.pk).update(created_at=when)
    late = Review.objects.create(product=ProductFactory(), user=u1, rating=1, status="approved")
    Review.objects.filter(pk=late.pk).update(created_at=outside)
    answered = Question.objects.create(product=product, user=u1, question="?", status="approved", is_answered=True)
    Question.objects.create(product=product, user=u2, question="?", status="approved")
    Question.objects.create(product=product, user=u2, question="?", status="flagged")
    Question.objects.filter(product=product).update(created_at=inside)
    Answer.objects.create(question=answered, user=u3, answer="!", status="approved")
    Answer.objects.update(created_at=inside)
    journal = ProgressJournal.objects.create(user=u1, product=product)
    ProgressEntry.objects.create(journal=journal, week_number=1, progress_date=inside.date(), overall_satisfaction=3,
                                 skin_improvement=3)  # fmt: skip
    ProgressEntry.objects.update(created_at=inside)

    data = staff_client.get(f"{BASE}/community", {"date_from": "2026-03-01", "date_to": "2026-03-31"}).json()["data"]

    assert data["reviews"] == {"submitted": 4, "approved": 2, "rejected": 1, "awaiting_moderation": 1,
                               "approval_rate": 0.6667}  # fmt: skip
    assert data["questions"] == {"submitted": 3, "approved": 2, "rejected": 0, "awaiting_moderation": 1,
                                 "approval_rate": 1.0}  # fmt: skip
    assert data["answers"]["approved"] == 1
    assert (data["answered_question_rate"], data["progress_entries"], data["contributors"]) == (0.5, 1, 4)
    lines = (
        staff_client.get(f"{BASE}/community/export", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
        .content.decode()
        .splitlines()
    )
    assert lines[:3] == ["section,metric,value", "reviews,submitted,4", "reviews,approved,2"]
    assert lines[-1] == "community,contributors,4"
