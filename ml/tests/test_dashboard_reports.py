"""The dashboard panels of the staff reports (issues 13 and 14): recommendation click-through,
review sentiment by week, customers, product feedback, skin types, efficacy and community. Each
panel's figures are computed by hand here from seeded data; roles, query counts, the store outage
and the two staff endpoints the new panels read (recommendations, sentiment) are checked too."""

from datetime import UTC, datetime, time, timedelta

import mongomock
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ml import store as store_module
from ml.etl.feedback import IMPROVEMENTS
from ml.models import OrderAnalytics
from ml.store import StoreError
from ml.store.mongo import MongoAnalyticsStore
from ml.store.relational import RelationalAnalyticsStore
from reviews.models import Answer, ProgressEntry, ProgressJournal, Question, Review
from shop.accounts.tests.factories import ExpertFactory, ModeratorFactory, StaffFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/staff/analytics"
NEW_PANELS = [
    "analytics-customers",
    "analytics-recommendation-ctr",
    "analytics-sentiment",
    "analytics-feedback",
    "analytics-skin-types",
    "analytics-efficacy",
    "analytics-community",
]
MODERATOR_PANELS = [
    "analytics-sentiment",
    "analytics-feedback",
    "analytics-skin-types",
    "analytics-efficacy",
    "analytics-community",
]


def _today():
    return datetime.now(UTC).date()


def _at(day, hour=0, minute=30):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _stamp(when):
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _recommendation(action, kind, page, when):
    return {
        "user_id": None, "session_id": "s1", "product_id": 1, "action": action, "recommendation_type": kind,
        "page_type": page, "position": 1, "timestamp": _stamp(when),
    }  # fmt: skip


def _recommendations(when, *, for_me_shown, for_me_clicked, similar_shown=0, similar_clicked=0, ignored=0):
    return [
        *(_recommendation("shown", "for_me", "home", when) for _ in range(for_me_shown)),
        *(_recommendation("clicked", "for_me", "home", when) for _ in range(for_me_clicked)),
        *(_recommendation("shown", "similar", "product", when) for _ in range(similar_shown)),
        *(_recommendation("clicked", "similar", "product", when) for _ in range(similar_clicked)),
        *(_recommendation("ignored", "similar", "product", when) for _ in range(ignored)),
    ]


def _week(number, users, **counts):
    return {
        "week": number,
        "users": users,
        "improvements": {
            flag: {"count": counts.get(flag, 0), "share": round(counts.get(flag, 0) / users, 4)}
            for flag in IMPROVEMENTS
        },
    }


def _feedback_doc(product_id, *, total, avg, trend, skin_types, curve):
    return {
        "product_id": product_id,
        "analysis_date": "2026-11-30T02:00:00.000Z",
        "feedback_summary": {
            "total_reviews": total, "avg_rating": avg, "results_rate": 0.5, "recommendation_rate": 0.75,
            "repurchase_rate": 0.25, "skin_type_performance": skin_types,
            "rating_distribution": {"5_star": total, "4_star": 0, "3_star": 0, "2_star": 0, "1_star": 0},
        },
        "feedback_trends": {"trend_direction": trend, "trend_fit": None},
        "efficacy_curve": curve,
    }  # fmt: skip


def _review(product, user, *, label, when, status="approved"):
    review = Review.objects.create(product=product, user=user, rating=4, status=status, sentiment_label=label)
    Review.objects.filter(pk=review.pk).update(created_at=when)
    return review


@pytest.fixture(params=["relational", "mongodb"])
def lake_store(request, db, monkeypatch):
    """The panels read through either backend (pymongo's on mongomock) with the same figures."""
    if request.param == "relational":
        store = RelationalAnalyticsStore()
    else:
        store = MongoAnalyticsStore(client=mongomock.MongoClient(tz_aware=True), database="analytics_test")
    monkeypatch.setattr(store_module, "_store", store)
    return store


@pytest.fixture
def reports(lake_store):
    relational_store = lake_store
    today = _today()
    yesterday = today - timedelta(days=1)
    serum, cream = ProductFactory(name="Calm Serum"), ProductFactory(name="Rich Cream")
    # recommendations: 6 shown, 2 clicked, 1 ignored in the window; 5 shown 40 days ago (outside)
    relational_store.insert_many(
        "recommendation_feedback",
        _recommendations(_at(yesterday, 10), for_me_shown=4, for_me_clicked=1, similar_shown=2, similar_clicked=1,
                         ignored=1)
        + _recommendations(_at(today - timedelta(days=40), 10), for_me_shown=5, for_me_clicked=0),
    )  # fmt: skip
    # customers: two rolled-up days
    relational_store.upsert_many(
        "performance_metrics",
        [
            (day.isoformat(), {"date": day.isoformat(), "metrics": {"new_registrations": n, "total_users": total,
                                                                    "active_users": active}})
            for day, n, total, active in [(yesterday - timedelta(days=1), 2, 39, 6), (yesterday, 3, 41, 9)]
        ],
    )  # fmt: skip
    OrderAnalytics.objects.create(date=yesterday - timedelta(days=1), total_orders=2, new_customers=2)
    OrderAnalytics.objects.create(date=yesterday, total_orders=2, new_customers=1, returning_customers=1)
    # feedback analytics: the serum has a journal curve, the cream none
    relational_store.upsert_many(
        "feedback_analytics",
        [
            (str(serum.pk), _feedback_doc(
                serum.pk, total=12, avg=4.5, trend="improving",
                skin_types={"oily": {"review_count": 8, "avg_rating": 4.6, "results_rate": 0.75},
                            "dry": {"review_count": 4, "avg_rating": 4.3, "results_rate": 0.5}},
                curve={"all": [_week(1, 10, acne_reduced=2, hydration_improved=3),
                               _week(6, 8, acne_reduced=5, hydration_improved=3)]},
            )),
            (str(cream.pk), _feedback_doc(
                cream.pk, total=5, avg=3.2, trend="stable",
                skin_types={"oily": {"review_count": 5, "avg_rating": 3.2, "results_rate": 0.4}}, curve={},
            )),
        ],
    )  # fmt: skip
    # reviews: last week 2 positive + 1 negative, this week 1 neutral (+ 1 pending, not scored)
    monday = today - timedelta(days=today.weekday())
    last_monday = monday - timedelta(weeks=1)
    users = [UserFactory() for _ in range(5)]
    _review(serum, users[0], label="positive", when=_at(last_monday, 9))
    _review(serum, users[1], label="positive", when=_at(last_monday + timedelta(days=2), 9))
    _review(serum, users[2], label="negative", when=_at(last_monday + timedelta(days=3), 9))
    _review(serum, users[3], label="neutral", when=_at(monday, 0, 10))
    _review(serum, users[4], label="", when=_at(monday, 0, 10), status="pending")
    _review(cream, users[0], label="negative", when=_at(today - timedelta(weeks=14), 9))  # before the 12 weeks
    # community: 2 approved questions (1 answered), 1 answer by an expert, 1 journal entry
    answered = Question.objects.create(product=serum, user=users[0], question="?", status="approved", is_answered=True)
    Question.objects.create(product=serum, user=users[1], question="?", status="approved")
    Answer.objects.create(question=answered, user=ExpertFactory(), answer="Yes.", status="approved")
    journal = ProgressJournal.objects.create(user=users[0], product=serum)
    ProgressEntry.objects.create(journal=journal, week_number=1, progress_date=yesterday, overall_satisfaction=3,
                                 skin_improvement=3)  # fmt: skip
    return {"serum": serum, "cream": cream, "yesterday": yesterday, "last_monday": last_monday, "monday": monday}


def _panels(user):
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return {panel["key"]: panel for panel in response.context["dashboard_panels"]}, response.content.decode()


def _figures(panel):
    return {item["label"]: item["value"] for item in panel["items"]}


def _j_m(day):
    return f"{day.day} {day:%b}"


def test_recommendation_click_through_panel(reports):
    panels, html = _panels(StaffFactory())

    panel = panels["analytics-recommendation-ctr"]
    assert _figures(panel) == {
        "Shown": 6, "Clicked": 2, "Not interested": 1, "Click-through": "33.3 %",
        "for_me on home": "1 / 4 · 25.0 %", "similar on product": "1 / 2 · 50.0 %",
    }  # fmt: skip
    assert panel["chart"].count('class="chart-bar"') == 30
    assert f"<title>{_j_m(reports['yesterday'])}: 33.30</title>" in panel["chart"]
    assert panel["export"].startswith(f"{BASE}/recommendations/export?date_from=")
    assert "<td>6</td><td>2</td><td>33.3 %</td>" in panel["table"]
    assert "Recommendation click-through by day (%), last 30 days" in html


def test_sentiment_panel_shares_per_week(reports):
    panels, html = _panels(StaffFactory())

    panel = panels["analytics-sentiment"]
    assert _figures(panel) == {
        "Reviews with a sentiment": 4, "Positive": "50.0 %", "Neutral": "25.0 %", "Negative": "25.0 %",
    }  # fmt: skip
    chart = panel["chart"]
    assert chart.count('class="chart-positive"') == 12 + 1  # 12 weeks and the legend
    last_week = _j_m(reports["last_monday"])
    assert f"<title>{last_week} · Positive: 66.70</title>" in chart
    assert f"<title>{last_week} · Negative: 33.30</title>" in chart
    assert f"<title>{_j_m(reports['monday'])} · Neutral: 100.00</title>" in chart
    assert "<td>3</td><td>66.7 %</td><td>0.0 %</td><td>33.3 %</td>" in panel["table"]
    assert panel["export"].startswith(f"{BASE}/sentiment/export?date_from=")
    assert 'aria-labelledby="chart-title-analytics-sentiment chart-desc-analytics-sentiment"' in html


def test_customers_panel(reports):
    panels, _ = _panels(StaffFactory())

    panel = panels["analytics-customers"]
    assert _figures(panel) == {
        "New registrations": 5, "New customers (first order)": 3, "Returning customers": 1,
        "Active users (last day)": 9, "Registered users": 41,
    }  # fmt: skip
    assert f"<title>{_j_m(reports['yesterday'])} · Returning: 1</title>" in panel["chart"]
    assert panel["chart"].count('class="chart-new"') == 30 + 1
    assert panel["export"].startswith(f"{BASE}/customers/export?date_from=")


def test_feedback_skin_type_and_efficacy_panels(reports):
    panels, _ = _panels(StaffFactory())
    serum = reports["serum"]

    assert _figures(panels["analytics-feedback"]) == {
        "Calm Serum": "12 · 4.5 ★ · improving",
        "Rich Cream": "5 · 3.2 ★ · stable",
    }
    assert "<td>50.0 %</td><td>75.0 %</td><td>25.0 %</td>" in panels["analytics-feedback"]["table"]
    # oily: (4.6·8 + 3.2·5) / 13 = 4.06; results (0.75·8 + 0.4·5) / 13 = 61.5 %
    assert _figures(panels["analytics-skin-types"]) == {"Dry": "4 · 4.3 ★ · 50.0 %", "Oily": "13 · 4.06 ★ · 61.5 %"}
    assert "<title>Oily: 13</title>" in panels["analytics-skin-types"]["chart"]
    assert "<td>Calm Serum</td>" in panels["analytics-skin-types"]["table"]  # best rated for both skin types
    efficacy = panels["analytics-efficacy"]
    assert _figures(efficacy) == {
        "Calm Serum": "by week 6, 62.5 % of 8 users: fewer breakouts",  # acne 2 + 5 beats hydration 3 + 3
        "Rich Cream": "no journal entries yet",
    }
    assert "<title>week 1: 20.00</title>" in efficacy["chart"] and "<title>week 6: 62.50</title>" in efficacy["chart"]
    assert efficacy["export"] == f"{BASE}/efficacy/{serum.pk}/export"


def test_community_panel(reports):
    panels, _ = _panels(StaffFactory())

    assert _figures(panels["analytics-community"]) == {
        "Reviews": "5 · 1 · 100.0 %",  # 4 approved + 1 pending in the 30 days
        "Questions": "2 · 0 · 100.0 %",
        "Answers": "1 · 0 · 100.0 %",
        "Questions answered": "50.0 %",
        "Journal entries": 1,
        "Contributors": 6,  # five reviewers (two also asked) and the expert
    }
    assert "<title>Reviews: 5</title>" in panels["analytics-community"]["chart"]


def test_roles_see_their_panels_only(reports):
    admin, _ = _panels(StaffFactory())
    moderator, moderator_html = _panels(ModeratorFactory())
    expert, _ = _panels(ExpertFactory())

    assert [key for key in admin if key in NEW_PANELS] == NEW_PANELS
    assert [key for key in moderator if key in NEW_PANELS] == MODERATOR_PANELS
    assert not [key for key in expert if key in NEW_PANELS]
    assert "New customers (first order)" not in moderator_html and "Click-through" not in moderator_html
    assert "Calm Serum" in moderator_html and "fewer breakouts" in moderator_html


def test_panels_in_khmer(reports):
    client = Client()
    client.force_login(StaffFactory())
    html = client.get("/admin/", headers={"accept-language": "km"}).content.decode()

    assert "អារម្មណ៍ក្នុងការវាយតម្លៃ" in html  # "Review sentiment"
    assert "អារម្មណ៍ក្នុងការវាយតម្លៃ ជា CSV" in html  # its CSV link
    assert "<dt>បានបង្ហាញ</dt>" in html  # "Shown"
    assert "<dd>នៅសប្ដាហ៍ទី 6 អ្នកប្រើ 62.5 % នៃ 8 នាក់៖ មុនចេញតិចជាងមុន</dd>" in html  # the efficacy line
    assert "Review sentiment" not in html


def test_new_panels_cost_the_same_queries_whatever_the_volume(reports, lake_store, django_assert_num_queries):
    relational_store = lake_store
    client = Client()
    client.force_login(StaffFactory())
    client.get("/admin/")
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        client.get("/admin/")
    yesterday = reports["yesterday"]
    relational_store.insert_many(
        "recommendation_feedback", _recommendations(_at(yesterday, 11), for_me_shown=30, for_me_clicked=4)
    )
    relational_store.upsert_many(
        "feedback_analytics",
        [
            (str(product.pk), _feedback_doc(
                product.pk, total=n, avg=4.0, trend="stable",
                skin_types={"acne": {"review_count": 3, "avg_rating": 4.0, "results_rate": 0.5}},
                curve={"all": [_week(2, 4, redness_reduced=1)]},
            ))
            for n, product in enumerate((ProductFactory() for _ in range(8)), start=20)
        ],
    )  # fmt: skip
    for user in (UserFactory() for _ in range(6)):
        _review(reports["cream"], user, label="positive", when=_at(yesterday, 8))
    cache.clear()
    with django_assert_num_queries(len(first)):
        response = client.get("/admin/")
    panels = {panel["key"]: panel for panel in response.context["dashboard_panels"]}
    assert _figures(panels["analytics-recommendation-ctr"])["Shown"] == 36
    assert _figures(panels["analytics-sentiment"])["Reviews with a sentiment"] == 10
    assert len(panels["analytics-efficacy"]["items"]) == 3  # the three most reviewed products


class DownStore(RelationalAnalyticsStore):
    def find(self, *args, **kwargs):
        raise StoreError("no route to host")

    def get(self, *args, **kwargs):
        raise StoreError("no route to host")


def test_store_outage_shows_the_last_good_figures_flagged(reports, monkeypatch):
    _panels(StaffFactory())  # a good read of every report
    for key in NEW_PANELS:
        cache.delete(f"dashboard:panel:{key}:en")
    cache.delete("dashboard:analytics-feedback-overview")
    monkeypatch.setattr(store_module, "_store", DownStore())

    panels, html = _panels(StaffFactory())

    for key in ["analytics-recommendation-ctr", "analytics-customers", "analytics-feedback", "analytics-skin-types",
                "analytics-efficacy"]:  # fmt: skip
        assert panels[key]["note"].startswith("The analytics store is not answering: figures as of "), key
    assert _figures(panels["analytics-recommendation-ctr"])["Shown"] == 6
    assert _figures(panels["analytics-skin-types"])["Oily"] == "13 · 4.06 ★ · 61.5 %"
    assert _figures(panels["analytics-efficacy"])["Calm Serum"].startswith("by week 6, 62.5 %")
    # sentiment and community read the relational database: still fresh
    assert _figures(panels["analytics-sentiment"])["Reviews with a sentiment"] == 4
    assert "figures as of" in html


def test_store_outage_before_any_read(monkeypatch, db):
    monkeypatch.setattr(store_module, "_store", DownStore())

    panels, _ = _panels(StaffFactory())

    note = "The analytics store is not answering: no figures could be read yet."
    assert panels["analytics-recommendation-ctr"]["note"] == note
    assert _figures(panels["analytics-recommendation-ctr"])["Shown"] == "—"
    assert "chart" not in panels["analytics-recommendation-ctr"]
    assert panels["analytics-customers"]["note"] == note
    assert panels["analytics-efficacy"]["note"] == note and panels["analytics-efficacy"]["items"] == []


def test_efficacy_headline_speaks_of_a_week_with_enough_users():
    from ml.dashboard_panels import efficacy_headline

    week, flag = efficacy_headline([_week(1, 10, hydration_improved=6), _week(7, 1, acne_reduced=1)])
    assert (week["week"], flag) == (1, "hydration_improved")  # week 7 has a single user
    week, flag = efficacy_headline([_week(1, 2, redness_reduced=1), _week(2, 3), _week(3, 3)])
    assert (week["week"], flag) == (3, None)  # none has 5 users: the latest of the largest, nobody improved


def test_panels_without_data_say_so(lake_store):
    panels, html = _panels(StaffFactory())

    ctr = panels["analytics-recommendation-ctr"]
    assert ctr["note"] == "No recommendation was shown in the last 30 days." and "chart" not in ctr
    assert _figures(ctr)["Click-through"] == "—"
    sentiment = panels["analytics-sentiment"]
    assert sentiment["note"] == "No approved review with a sentiment in the last 12 weeks." and "chart" not in sentiment
    assert panels["analytics-feedback"]["note"] == "No feedback analytics yet."
    assert panels["analytics-skin-types"]["items"] == [] and panels["analytics-efficacy"]["items"] == []
    assert "chart" not in panels["analytics-customers"]
    assert _figures(panels["analytics-customers"])["Active users (last day)"] == "—"


# --- The staff endpoints the two new panels read -----------------------------------------------


@pytest.fixture
def staff_api():
    client = APIClient()
    client.force_authenticate(StaffFactory())
    return client


def test_recommendations_report_and_csv(relational_store, staff_api):
    march_2, march_3 = datetime(2026, 3, 2, 10, tzinfo=UTC), datetime(2026, 3, 3, 10, tzinfo=UTC)
    relational_store.insert_many(
        "recommendation_feedback",
        _recommendations(march_2, for_me_shown=4, for_me_clicked=1, similar_shown=2, similar_clicked=1, ignored=1)
        + _recommendations(march_3, for_me_shown=4, for_me_clicked=0)
        + _recommendations(datetime(2026, 4, 2, tzinfo=UTC), for_me_shown=5, for_me_clicked=0),
    )
    query = {"date_from": "2026-03-01", "date_to": "2026-03-31"}

    data = staff_api.get(f"{BASE}/recommendations", query).json()["data"]

    assert data["totals"] == {"impressions": 10, "clicks": 2, "ignores": 1, "click_through_rate": 0.2}
    assert data["surfaces"] == [
        {"recommendation_type": "for_me", "page_type": "home", "impressions": 8, "clicks": 1, "ignores": 0,
         "click_through_rate": 0.125},
        {"recommendation_type": "similar", "page_type": "product", "impressions": 2, "clicks": 1, "ignores": 1,
         "click_through_rate": 0.5},
    ]  # fmt: skip
    assert data["days"] == [
        {"date": "2026-03-02", "impressions": 6, "clicks": 2, "ignores": 1, "click_through_rate": 0.3333},
        {"date": "2026-03-03", "impressions": 4, "clicks": 0, "ignores": 0, "click_through_rate": 0.0},
    ]
    assert data["stale"] is False
    response = staff_api.get(f"{BASE}/recommendations/export", query)
    assert response.content.decode().splitlines() == [
        "recommendation_type,page_type,impressions,clicks,ignores,click_through_rate",
        "for_me,home,8,1,0,0.125",
        "similar,product,2,1,1,0.5",
    ]
    assert response["X-Analytics-Stale"] == "false"
    too_long = staff_api.get(f"{BASE}/recommendations", {"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert too_long.status_code == 400 and too_long.json()["code"] == "VALIDATION_ERROR"


def test_recommendations_report_while_the_store_is_down(monkeypatch, staff_api, db):
    monkeypatch.setattr(store_module, "_store", DownStore())

    data = staff_api.get(f"{BASE}/recommendations").json()["data"]

    assert (data["stale"], data["as_of"], data["totals"], data["surfaces"]) == (True, None, None, [])


def test_sentiment_report_and_csv(staff_api):
    product = ProductFactory()
    users = [UserFactory() for _ in range(9)]
    for user, label, day, status in [
        (users[0], "positive", 3, "approved"), (users[1], "positive", 3, "approved"),
        (users[2], "positive", 4, "approved"), (users[3], "negative", 4, "approved"),
        (users[4], "neutral", 10, "approved"), (users[5], "positive", 11, "approved"),
        (users[6], "positive", 11, "pending"), (users[7], "", 11, "approved"),
    ]:  # fmt: skip
        _review(product, user, label=label, when=datetime(2026, 3, day, 12, tzinfo=UTC), status=status)
    _review(product, users[8], label="negative", when=datetime(2026, 4, 10, tzinfo=UTC))  # outside
    query = {"date_from": "2026-03-01", "date_to": "2026-03-31"}

    data = staff_api.get(f"{BASE}/sentiment", query).json()["data"]

    assert data["totals"] == {"reviews": 6, "positive": 4, "neutral": 1, "negative": 1, "positive_share": 0.6667,
                              "neutral_share": 0.1667, "negative_share": 0.1667}  # fmt: skip
    assert data["weeks"] == [
        {"week_start": "2026-03-02", "reviews": 4, "positive": 3, "neutral": 0, "negative": 1,
         "positive_share": 0.75, "neutral_share": 0.0, "negative_share": 0.25},
        {"week_start": "2026-03-09", "reviews": 2, "positive": 1, "neutral": 1, "negative": 0,
         "positive_share": 0.5, "neutral_share": 0.5, "negative_share": 0.0},
    ]  # fmt: skip
    lines = staff_api.get(f"{BASE}/sentiment/export", query).content.decode().splitlines()
    assert lines == [
        "week_start,reviews,positive,neutral,negative,positive_share,neutral_share,negative_share",
        "2026-03-02,4,3,0,1,0.75,0.0,0.25",
        "2026-03-09,2,1,1,0,0.5,0.5,0.0",
    ]
