"""The nightly precompute into product_recommendations / product_similarities on a small shop."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from ml import tasks
from ml.models import AnalyticsDocument, EtlRun
from ml.recommendations import recommendations_precompute
from ml.tests.test_etl import order, review
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory


@pytest.fixture(autouse=True)
def _relational(relational_store):
    return relational_store


@pytest.fixture
def shop():
    serums, creams = CategoryFactory(slug="serums"), CategoryFactory(slug="creams")
    brand = BrandFactory()

    def product(name, category, skin_types, concerns):
        return ProductFactory(name=name, category=category, brand=brand, skin_types=skin_types, concerns=concerns)

    a = product("Alpha Serum", serums, ["oily"], ["acne"])
    b = product("Beta Serum", serums, ["oily"], ["acne"])
    c = product("Cica Cream", creams, ["oily", "combination"], ["acne"])
    d = product("Dry Rescue Cream", creams, ["dry"], ["dryness"])
    e = product("Every Day Cream", creams, ["all"], ["dryness"])
    u1, u2, u3, u4 = (UserFactory(skin_type=s) for s in ("oily", "oily", "dry", "oily"))
    order(u1, "2026-03-01T10:00", [(a, 1, "10.00"), (b, 1, "10.00")], status="delivered")
    order(u2, "2026-03-02T10:00", [(a, 1, "10.00"), (c, 1, "20.00")], status="delivered")
    order(u3, "2026-03-03T10:00", [(d, 1, "15.00")], status="delivered")
    order(u4, "2026-03-04T10:00", [(a, 1, "10.00")], status="delivered")
    order(u4, "2026-03-05T10:00", [(e, 1, "10.00")], status="pending")  # not a purchase
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "u1": u1, "u2": u2, "u3": u3, "u4": u4}


def doc(collection, key):
    return AnalyticsDocument.objects.get(collection=collection, key=str(key))


def test_user_lists_leave_out_bought_and_unsuitable_products_and_say_why(shop):
    before = datetime.now(UTC)
    result = recommendations_precompute(progress=lambda done, total: None)
    assert result.rows_read == 6  # 6 purchased order lines (the pending one is not), no reviews
    # one list per buyer, a skin-type and a trending list per skin type, the popular list,
    # one similarity list per product
    assert result.rows_written == 4 + 6 * 2 + 1 + 5
    row = doc("product_recommendations", shop["u1"].pk)
    assert before + timedelta(days=2) <= row.expires_at <= datetime.now(UTC) + timedelta(days=2)
    entries = row.doc["recommended_products"]
    ids = [e["product_id"] for e in entries]
    # bought: a, b; d lists dry skin only (u1 is oily); c was bought with a by u2
    assert ids == [shop["c"].pk, shop["e"].pk]
    assert entries[0]["score"] == 1.0
    assert entries[0]["reason"] == "Because you bought Alpha Serum"
    assert entries[0]["algorithm_used"] == "collaborative_filtering"
    assert all(0 <= e["score"] <= 1 and e["reason"] for e in entries)
    assert row.doc["user_profile"]["skin_type"] == "oily"
    dry = [e["product_id"] for e in doc("product_recommendations", shop["u3"].pk).doc["recommended_products"]]
    assert shop["d"].pk not in dry
    assert set(dry) == {shop["e"].pk}  # a, b, c do not list dry skin


def test_a_well_rated_product_for_the_skin_type_says_so(shop):
    for n, rating in enumerate((5, 5, 4)):
        reviewer = UserFactory(skin_type="oily")
        order(reviewer, "2026-03-06T10:00", [(shop["e"], 1, "10.00")], status="delivered")
        review(shop["e"], reviewer, f"2026-03-1{n}T10:00", rating, results=True, recommend=True, skin="oily")
    recommendations_precompute(progress=lambda done, total: None)
    entries = doc("product_recommendations", shop["u1"].pk).doc["recommended_products"]
    by_id = {e["product_id"]: e for e in entries}
    assert by_id[shop["e"].pk]["reason"] == "Rated 4.7 by 3 people with oily skin"
    assert by_id[shop["e"].pk]["algorithm_used"] == "skin_analysis"


def test_similarities_have_scores_and_factors_for_products_nobody_bought(shop):
    recommendations_precompute(progress=lambda done, total: None)
    similar = doc("product_similarities", shop["d"].pk).doc["similar_products"]
    assert [s["product_id"] for s in similar][0] == shop["e"].pk  # same category and concern
    first = similar[0]
    assert 0 < first["similarity_score"] <= 1
    assert first["similarity_factors"]["category_match"] == 1.0
    assert first["similarity_factors"]["concern_overlap"] == 1.0
    assert first["similarity_factors"]["skin_type_match"] == 0.0
    assert first["similarity_factors"]["price_similarity"] == pytest.approx(
        float(1 - abs(shop["d"].price - shop["e"].price) / max(shop["d"].price, shop["e"].price)), abs=1e-4
    )
    assert [s["similarity_score"] for s in similar] == sorted((s["similarity_score"] for s in similar), reverse=True)


def test_task_and_command_run_the_precompute_and_log_it(shop, capsys):
    assert tasks.recommendations_precompute.delay().get() == {"rows_read": 6, "rows_written": 22}
    call_command("recommendations_precompute")
    assert "Done: 6 rows read, 22 written." in capsys.readouterr().out
    assert list(EtlRun.objects.filter(job="recommendations_precompute").values_list("status", flat=True)) == [
        "succeeded",
        "succeeded",
    ]
    assert (
        AnalyticsDocument.objects.filter(collection="product_recommendations").count() == 4 + 13
    )  # 4 buyers, the shared lists


def test_the_beat_schedule_runs_it_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["recommendations-precompute"]
    assert entry["task"] == "ml.recommendations_precompute"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})


def test_the_explaining_component_is_personal_when_it_carries_half_the_largest_share():
    import numpy as np

    from ml.recommendations import _explaining

    parts = {
        "trending": np.array([[0.4, 0.4, 0.4]]),
        "item_knn": np.array([[0.25, 0.1, 0.0]]),
        "skin_type": np.array([[0.2, 0.15, 0.5]]),
    }
    assert _explaining(parts, 0, 0) == "item_knn"  # 0.25 >= half of 0.4: the personal reason
    assert _explaining(parts, 0, 1) == "trending"  # no personal share reaches 0.2
    assert _explaining(parts, 0, 2) == "skin_type"  # the largest share anyway
    assert _explaining({"trending": np.array([[0.0]]), "ease": np.array([[0.0]])}, 0, 0) == "ease"  # tie
