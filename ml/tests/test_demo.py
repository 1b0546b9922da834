from ml.demo import DAYS, seed_analytics
from ml.models import AnalyticsDocument, EtlRun
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory


def _docs(collection):
    return list(AnalyticsDocument.objects.filter(collection=collection).order_by("pk").values_list("doc", flat=True))


def test_demo_history_is_deterministic_idempotent_and_rolled_up(relational_store):
    ProductFactory(name="Vitamin C Serum")
    ProductFactory(name="Vitamin C Cream")
    ProductFactory(name="Night Oil")
    UserFactory(email="shopper1@skincare.local")
    calls = []

    seed_analytics(scale=0.05, progress=lambda done, total, label: calls.append((done, total, label)))
    sessions, searches = _docs("user_analytics"), _docs("search_analytics")
    seed_analytics(scale=0.05, progress=lambda *a: None)

    assert len(sessions) == DAYS * 6  # max(5, 120 * 0.05) sessions a day
    assert _docs("user_analytics") == sessions
    assert _docs("search_analytics") == searches
    assert searches and all(doc["demo"] for doc in searches)
    assert {doc["results_count"] for doc in searches if doc["normalized_query"] == "vitamin c"} == {2}
    assert EtlRun.objects.filter(job="daily_metrics", status="succeeded").count() == 2 * DAYS
    assert AnalyticsDocument.objects.filter(collection="performance_metrics").count() == DAYS
    assert calls[-5:] == [(n, 4, "analytics roll-ups") for n in range(5)]  # a bar step per roll-up
