"""Each job on a small fixture whose answers are worked out by hand in the comments; each run twice
gives the same documents."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from ml import services
from ml.etl import jobs
from ml.etl.stats import linear_trend, t_two_sided_p
from ml.models import AnalyticsDocument, EtlRun, OrderAnalytics, ProductAnalytics
from reviews.models import ProgressEntry, ProgressJournal, Review
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory
from shop.orders.models import Order, OrderItem

DAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _relational(relational_store):
    return relational_store


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def order(user, created, items, *, status="confirmed", email=None):
    """items: (product, quantity, unit_price)."""
    total = sum((Decimal(price) * quantity for _, quantity, price in items), Decimal(0))
    placed = Order.objects.create(
        order_number=f"T-{Order.objects.count() + 1:06d}",
        user=user,
        customer_email=email or user.email,
        currency="USD",
        subtotal=total,
        total=total,
        status=status,
    )
    for product, quantity, price in items:
        OrderItem.objects.create(
            order=placed,
            product=product,
            product_name=product.name,
            quantity=quantity,
            unit_price=Decimal(price),
            total_price=Decimal(price) * quantity,
        )
    Order.objects.filter(pk=placed.pk).update(created_at=at(created))
    return placed


def views(user, session, when, *product_ids):
    events = [
        services.event_build(
            event_type="product_view", data={"product_id": pid}, user_id=user.pk if user else None,
            session_id=session, device_info={}, source="client", occurred_at=at(when),
        )
        for pid in product_ids
    ]  # fmt: skip
    services.events_write(store=services.get_store(), events=events)


def documents(collection):
    return sorted(
        AnalyticsDocument.objects.filter(collection=collection).values_list("key", "doc"), key=lambda kv: kv[0]
    )


def product_rows():
    fields = ("product_id", "views", "orders", "revenue", "conversion_rate")
    return sorted(ProductAnalytics.objects.filter(date=DAY).values_list(*fields))


@pytest.fixture
def shop_day():
    serums, toners = CategoryFactory(slug="serums"), CategoryFactory(slug="toners")
    p1, p2, p3 = ProductFactory(category=serums), ProductFactory(category=serums), ProductFactory(category=toners)
    u1 = UserFactory(email="a@example.com", date_joined=at("2026-03-01T00:00"))
    u2 = UserFactory(date_joined=at("2026-03-10T12:00"))
    u3 = UserFactory(date_joined=at("2026-02-01T00:00"))
    UserFactory(date_joined=at("2026-03-11T00:00"))  # after the day
    order(u1, "2026-03-05T10:00", [(p1, 1, "10.00")], status="delivered")  # before: a@ is returning
    order(u1, "2026-03-10T09:00", [(p1, 1, "10.00"), (p2, 2, "10.00")])  # 30.00
    order(None, "2026-03-10T15:00", [(p2, 1, "15.00")], status="pending", email="G@example.com")  # 15.00, new
    order(u2, "2026-03-10T16:00", [(p1, 1, "99.00")], status="cancelled")  # not counted
    order(u3, "2026-03-11T00:00", [(p3, 1, "50.00")])  # next day
    views(u1, "s1", "2026-03-10T08:00", p1.pk, p1.pk, p2.pk)
    views(u3, "s2", "2026-03-10T20:00", p1.pk, p2.pk, p2.pk, p2.pk, p3.pk)
    views(None, "s3", "2026-03-09T23:59", p1.pk)  # the day before
    return p1, p2, p3


def test_daily_metrics_hand_computed(shop_day):
    p1, p2, p3 = shop_day

    result = jobs.daily_metrics_run(day="2026-03-10")

    # orders: 30.00 (a@, returning) + 15.00 (g@, new); the cancelled and next-day orders do not count
    row = OrderAnalytics.objects.get(date=DAY)
    assert (row.total_orders, row.total_revenue, row.average_order_value) == (2, Decimal("45.00"), Decimal("22.50"))
    assert (row.new_customers, row.returning_customers) == (1, 1)
    # p1: 3 views, 1 order (10.00); p2: 4 views, 2 orders (20.00 + 15.00); p3: 1 view, no order
    assert product_rows() == [
        (p1.pk, 3, 1, Decimal("10.00"), Decimal("0.3333")),
        (p2.pk, 4, 2, Decimal("35.00"), Decimal("0.5000")),
        (p3.pk, 1, 0, Decimal("0.00"), Decimal("0.0000")),
    ]  # fmt: skip
    [(key, doc)] = documents("performance_metrics")
    assert key == "2026-03-10"
    assert doc == {
        "date": "2026-03-10",
        "metrics": {
            "total_users": 3,  # joined before the day ended
            "active_users": 2,  # u1 (views, order) and u3 (views)
            "new_registrations": 1,
            "total_orders": 2,
            "revenue": "45.00",
            "avg_order_value": "22.50",
            "popular_products": [
                {"product_id": p2.pk, "views": 4, "purchases": 2},
                {"product_id": p1.pk, "views": 3, "purchases": 1},
                {"product_id": p3.pk, "views": 1, "purchases": 0},
            ],
            "popular_categories": [
                {"category": "serums", "views": 7, "purchases": 3},
                {"category": "toners", "views": 1, "purchases": 0},
            ],
        },
    }
    assert (result.rows_read, result.rows_written) == (4, 5)  # 2 orders + 2 view documents; 3 rows + 2


def test_daily_metrics_twice_gives_the_same_rows_and_documents(shop_day):
    jobs.daily_metrics_run(day="2026-03-10")
    first = documents("performance_metrics"), list(OrderAnalytics.objects.values()), product_rows()

    jobs.daily_metrics_run(day="2026-03-10")

    again = documents("performance_metrics"), list(OrderAnalytics.objects.values()), product_rows()
    assert again == first
    assert list(EtlRun.objects.values_list("job", "status", "rows_read", "rows_written")) == [
        ("daily_metrics", "succeeded", 4, 5),
        ("daily_metrics", "succeeded", 4, 5),
    ]


@pytest.fixture
def purchases():
    serums, cleansers = CategoryFactory(slug="serums"), CategoryFactory(slug="cleansers")
    brand_x, brand_y = BrandFactory(), BrandFactory()
    p1 = ProductFactory(category=serums, brand=brand_x, concerns=["acne"], skin_types=["oily"])
    p2 = ProductFactory(category=cleansers, brand=brand_y, concerns=["acne", "pores"], skin_types=["all"])
    u1 = UserFactory(skin_type="oily")
    order(u1, "2026-03-05T10:00", [(p1, 1, "10.00")], status="delivered")
    second = order(u1, "2026-03-10T09:00", [(p1, 1, "12.00"), (p2, 2, "10.00")])
    order(u1, "2026-03-12T09:00", [(p2, 5, "10.00")], status="pending")  # not a purchase yet
    order(None, "2026-03-12T09:00", [(p1, 1, "10.00")], email="guest@example.com")  # guests are not users
    return u1, p1, p2, second


def test_purchase_patterns_hand_computed(purchases):
    u1, p1, p2, _ = purchases

    result = jobs.purchase_patterns_run()

    assert documents("user_purchase_matrix") == [
        (f"{u1.pk}:{p1.pk}", {
            "user_id": u1.pk, "skin_type": "oily", "date_of_birth": None, "product_id": p1.pk,
            "category": "serums", "product_skin_type": ["oily"], "skin_concerns": ["acne"],
            "purchase_count": 2, "total_quantity": 2, "avg_price": "11.00",
            "first_purchase_date": "2026-03-05T10:00:00.000Z", "last_purchase_date": "2026-03-10T09:00:00.000Z",
        }),
        (f"{u1.pk}:{p2.pk}", {
            "user_id": u1.pk, "skin_type": "oily", "date_of_birth": None, "product_id": p2.pk,
            "category": "cleansers", "product_skin_type": ["all"], "skin_concerns": ["acne", "pores"],
            "purchase_count": 1, "total_quantity": 2, "avg_price": "10.00",
            "first_purchase_date": "2026-03-10T09:00:00.000Z", "last_purchase_date": "2026-03-10T09:00:00.000Z",
        }),
    ]  # fmt: skip
    assert documents("user_purchase_patterns") == [
        (str(u1.pk), {
            "user_id": u1.pk,
            "skin_type": "oily",
            "purchase_vector": {"cleansers": 2, "serums": 2},
            "concern_preferences": {"acne": 1.0, "pores": 0.5},  # of 4 items: 4 target acne, 2 pores
            "behavioral_features": {
                "total_orders": 2,
                "total_items": 4,
                "avg_order_value": "21.00",  # (10.00 + 32.00) / 2
                "purchase_frequency_days": 5.0,  # 5 March -> 10 March
                "brand_loyalty_score": 0.5,  # 2 of 4 items from the top brand
                "repurchase_rate": 0.5,  # p1 bought in 2 orders, p2 in 1
            },
            "last_updated": "2026-03-10T09:00:00.000Z",
        }),
    ]  # fmt: skip
    assert (result.rows_read, result.rows_written) == (3, 3)


def test_purchase_patterns_twice_is_idempotent_and_drops_what_is_gone(purchases):
    u1, p1, p2, second = purchases
    jobs.purchase_patterns_run()
    first = documents("user_purchase_matrix"), documents("user_purchase_patterns")

    jobs.purchase_patterns_run()
    assert (documents("user_purchase_matrix"), documents("user_purchase_patterns")) == first

    Order.objects.filter(pk=second.pk).update(status="cancelled")
    jobs.purchase_patterns_run()

    assert [key for key, _ in documents("user_purchase_matrix")] == [f"{u1.pk}:{p1.pk}"]
    assert documents("user_purchase_patterns")[0][1]["behavioral_features"]["total_orders"] == 1


def review(product, user, created, rating, *, results, recommend, skin="", status="approved", **fields):
    made = Review.objects.create(
        product=product, user=user, rating=rating, visible_results=results, would_recommend=recommend,
        skin_type_at_review=skin, status=status, **fields,
    )  # fmt: skip
    Review.objects.filter(pk=made.pk).update(created_at=at(created))


def entry(journal, week, **flags):
    ProgressEntry.objects.create(
        journal=journal, week_number=week, progress_date=date(2026, 3, week), overall_satisfaction=3,
        skin_improvement=3, **flags,
    )  # fmt: skip


@pytest.fixture
def feedback():
    product = ProductFactory()
    u1, u2, u3, u4, u5 = (UserFactory() for _ in range(5))
    review(product, u1, "2026-01-15T10:00", 3, results=False, recommend=False, skin="oily",
           effectiveness_rating=3, usage_duration=30, how_often_used="daily")  # fmt: skip
    review(product, u2, "2026-02-10T10:00", 4, results=True, recommend=True, skin="oily",
           effectiveness_rating=4, usage_duration=60, how_often_used="daily")  # fmt: skip
    review(product, u3, "2026-03-05T10:00", 5, results=True, recommend=True, skin="dry",
           effectiveness_rating=5, how_often_used="twice_daily", used_with_other_products=[77, 78])  # fmt: skip
    review(product, u4, "2026-03-20T10:00", 4, results=True, recommend=True, used_with_other_products=[78])
    review(product, u5, "2026-03-21T10:00", 1, results=False, recommend=False, status="pending")
    order(u1, "2026-01-01T10:00", [(product, 1, "10.00")], status="delivered")
    order(u1, "2026-02-01T10:00", [(product, 1, "10.00")], status="delivered")
    order(u2, "2026-01-01T10:00", [(product, 1, "10.00")], status="delivered")
    j1 = ProgressJournal.objects.create(user=u1, product=product, skin_type="oily")
    j2 = ProgressJournal.objects.create(user=u2, product=product, skin_type="dry")
    j3 = ProgressJournal.objects.create(user=u3, product=product, skin_type="oily")
    entry(j1, 1)
    entry(j1, 2, acne_reduced=True, hydration_improved=True)
    entry(j2, 1, acne_reduced=True)
    entry(j2, 2, hydration_improved=True)
    entry(j3, 2, acne_reduced=True)
    return product


def improvement(counts, users):
    flags = {flag: {"count": 0, "share": 0.0} for flag in (
        "acne_reduced", "skin_texture_improved", "hydration_improved", "redness_reduced", "pores_minimized",
        "brightness_improved", "scarring_reduced", "oil_control_improved", "fine_lines_reduced")}  # fmt: skip
    for flag, count in counts.items():
        flags[flag] = {"count": count, "share": round(count / users, 4)}
    return flags


def test_feedback_analytics_hand_computed(feedback):
    result = jobs.feedback_analytics_run(as_of="2026-03-31")

    [(key, doc)] = documents("feedback_analytics")
    assert key == str(feedback.pk)
    assert doc["product_id"] == feedback.pk
    assert doc["analysis_date"] == "2026-03-31"
    assert "sentiment_analysis" not in doc
    summary = doc["feedback_summary"]
    assert summary["total_reviews"] == 4  # the pending review is left out
    assert summary["avg_rating"] == 4.0  # (3 + 4 + 5 + 4) / 4
    assert summary["rating_distribution"] == {"5_star": 1, "4_star": 2, "3_star": 1, "2_star": 0, "1_star": 0}
    assert summary["effectiveness_scores"] == {
        "avg_effectiveness": 4.0, "avg_texture": None, "avg_scent": None, "avg_packaging": None, "avg_value": None,
    }  # fmt: skip
    assert (summary["results_rate"], summary["recommendation_rate"]) == (0.75, 0.75)
    assert summary["repurchase_rate"] == 0.5  # u1 bought it in 2 orders, u2 in 1
    assert summary["usage_patterns"] == {
        "most_common_frequency": "daily",
        "frequency_counts": {"daily": 2, "twice_daily": 1},
        "avg_usage_duration_days": 45.0,
        "commonly_combined_with": [78, 77],
    }
    assert summary["skin_type_performance"] == {
        "dry": {"review_count": 1, "avg_rating": 5.0, "results_rate": 1.0, "recommendation_rate": 1.0},
        "oily": {"review_count": 2, "avg_rating": 3.5, "results_rate": 0.5, "recommendation_rate": 0.5},
        "unspecified": {"review_count": 1, "avg_rating": 4.0, "results_rate": 1.0, "recommendation_rate": 1.0},
    }
    trends = doc["feedback_trends"]
    assert trends["monthly_ratings"] == [
        {"month": "2026-01", "avg_rating": 3.0, "review_count": 1, "results_rate": 0.0},
        {"month": "2026-02", "avg_rating": 4.0, "review_count": 1, "results_rate": 1.0},
        {"month": "2026-03", "avg_rating": 4.5, "review_count": 2, "results_rate": 1.0},
    ]
    # x = months since January [0, 1, 2, 2], y = [3, 4, 5, 4]: Sxx = 2.75, Sxy = 2, slope = 8/11,
    # SSE = 6/11, SE = sqrt(SSE / 2 / Sxx) = 0.3149, t = 4/sqrt(3), df = 2: p = 1 - t/sqrt(2 + t^2) = 0.1472
    assert trends["trend_fit"] == {
        "slope_per_month": 0.7273, "std_error": 0.3149, "p_value": 0.1472, "confidence": 0.8528,
        "reviews": 4, "months": 3,
    }  # fmt: skip
    assert trends["trend_direction"] == "stable"  # not significant at 5%
    assert trends["momentum_score"] == 0.7273
    curve = doc["efficacy_curve"]
    assert curve["all"] == [
        {"week": 1, "users": 2, "improvements": improvement({"acne_reduced": 1}, 2)},
        {"week": 2, "users": 3, "improvements": improvement({"acne_reduced": 2, "hydration_improved": 2}, 3)},
    ]
    assert curve["oily"] == [
        {"week": 1, "users": 1, "improvements": improvement({}, 1)},
        {"week": 2, "users": 2, "improvements": improvement({"acne_reduced": 2, "hydration_improved": 1}, 2)},
    ]
    assert curve["dry"] == [
        {"week": 1, "users": 1, "improvements": improvement({"acne_reduced": 1}, 1)},
        {"week": 2, "users": 1, "improvements": improvement({"hydration_improved": 1}, 1)},
    ]
    assert (result.rows_read, result.rows_written) == (9, 1)  # 4 reviews + 5 entries


def test_feedback_analytics_twice_gives_the_same_documents(feedback):
    jobs.feedback_analytics_run(as_of="2026-03-31")
    first = documents("feedback_analytics")

    jobs.feedback_analytics_run(as_of="2026-03-31")

    assert documents("feedback_analytics") == first


def test_significant_trend_is_improving_and_few_reviews_are_insufficient():
    fit = linear_trend([0, 1, 2, 3], [3, 4, 4, 5])  # slope 0.6, SE sqrt(0.02), t = 4.243, df 2: p = 0.0513
    assert (round(fit.slope, 4), round(fit.std_error, 4), round(fit.p_value, 4)) == (0.6, 0.1414, 0.0513)
    assert linear_trend([0, 1], [3, 4]) is None
    assert linear_trend([0, 0, 0], [3, 4, 5]) is None
    assert round(t_two_sided_p(2.0, 10), 5) == 0.07339  # table value


def test_failed_run_is_logged_with_its_error_and_reraised(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "purchase_patterns", broken)

    with pytest.raises(RuntimeError):
        jobs.purchase_patterns_run()

    run = EtlRun.objects.get()
    assert (run.job, run.status, run.error) == ("purchase_patterns", "failed", "RuntimeError: boom")
    assert run.finished_at is not None and run.duration_ms is not None


def test_management_commands_show_progress_and_log_runs(feedback, capsys):
    call_command("etl_feedback_analytics", "--as-of", "2026-03-31")
    call_command("etl_purchase_patterns")
    call_command("etl_daily_metrics", "--date", "2026-03-10")

    out = capsys.readouterr().out
    assert f"[{'#' * 30}] 1/1" in out
    assert "Done: 9 rows read, 1 written." in out
    assert sorted(EtlRun.objects.values_list("job", "status")) == [
        ("daily_metrics", "succeeded"), ("feedback_analytics", "succeeded"), ("purchase_patterns", "succeeded"),
    ]  # fmt: skip


def test_celery_tasks_run_the_jobs(feedback):
    from ml.tasks import etl_daily_metrics, etl_feedback_analytics, etl_purchase_patterns

    assert etl_feedback_analytics.delay(as_of="2026-03-31").get() == {"rows_read": 9, "rows_written": 1}
    assert etl_purchase_patterns.delay().get() == {"rows_read": 3, "rows_written": 4}  # 3 items; 2 + 2 docs
    assert etl_daily_metrics.delay(day="2026-01-01").get()["rows_written"] == 3
