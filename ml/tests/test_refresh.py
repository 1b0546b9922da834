"""The per-user refresh scores the user's current history against the nightly fit (the saved
snapshot) instead of refitting on the whole shop: same lists as the fitted model for unchanged
users, the new purchase's neighbours after a purchase, a query count that does not grow with the
shop, and a full fit (saved as the snapshot) when there is none."""

from datetime import UTC, datetime

import numpy as np
import pytest

from ml import recommendations
from ml.models import AnalyticsDocument
from ml.recommendations import (
    ALGORITHM_VERSION,
    recommendations_precompute,
    recommendations_user_refresh,
    recommendations_users_refresh,
    snapshot_load,
)
from ml.recommender import HybridRecommender
from ml.recommender.models import MODELS
from ml.tests.test_etl import order
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory


@pytest.fixture(autouse=True)
def _relational(relational_store):
    return relational_store


def quiet(done, total):
    return None


@pytest.fixture
def pairs():
    """Products bought in pairs: A with C, B with D, T with F (two shoppers each); u6 has T."""
    brand = BrandFactory()
    serums, creams, toners = (CategoryFactory(slug=s) for s in ("serums", "creams", "toners"))
    made = {
        name: ProductFactory(name=f"{name} product", category=category, brand=brand, skin_types=["all"], concerns=[])
        for name, category in (("A", serums), ("B", serums), ("C", creams), ("D", creams), ("T", toners),
                               ("F", toners))
    }  # fmt: skip
    users = [UserFactory(skin_type="oily") for _ in range(6)]
    for n, (x, y) in enumerate((("A", "C"), ("A", "C"), ("B", "D"), ("B", "D"), ("T", "F"))):
        order(users[n], f"2026-03-0{n + 1}T10:00", [(made[x], 1, "10.00"), (made[y], 1, "10.00")], status="delivered")
    order(users[5], "2026-03-07T10:00", [(made["T"], 1, "10.00")], status="delivered")
    return {**made, "users": users}


def stored(user):
    return AnalyticsDocument.objects.get(collection="product_recommendations", key=str(user.pk)).doc


def listed(document):
    return [(e["product_id"], e["score"], e["reason"]) for e in document["recommended_products"]]


def test_the_engine_scores_rows_against_a_fitted_state_as_the_fitted_model_does():
    records = [(u, i, 1.0, 1000.0 * (u + i)) for u, items in enumerate([[0, 1], [0, 2], [1, 3], [2, 3, 4], [4]])
               for i in items]  # fmt: skip
    features = {i: {"category": "c" if i % 2 else "d", "skin_types": ["oily"], "concerns": ["acne"] if i else []}
                for i in range(6)}  # fmt: skip
    users = {u: {"skin_type": "oily" if u % 2 else "dry", "concerns": ["acne"]} for u in range(5)}
    components = {name: MODELS[name]() for name in ("item_knn", "ease", "content", "skin_type", "trending")}
    weights = {"item_knn": 0.3, "ease": 0.2, "content": 0.1, "skin_type": 0.2, "trending": 0.2}
    fitted = HybridRecommender(components, weights).fit(records, features, users)
    rows = {u: {i: 1.0 for uu, i, _, _ in records if uu == u} for u in range(5)}
    restored = HybridRecommender.for_rows(fitted.fitted_state(), rows=rows, user_features=users)
    assert restored.recommend(list(range(5)), k=6) == fitted.recommend(list(range(5)), k=6)
    # a user the fit never saw, scored from their row: item 3 is 1's and 2's neighbour
    fresh = HybridRecommender.for_rows(fitted.fitted_state(), rows={9: {1: 1.0, 2: 1.0}}, user_features=users)
    top = fresh.recommend([9], k=6)[9]
    assert top[0][0] == 3 and {1, 2}.isdisjoint(i for i, _ in top)


def test_als_folds_a_user_in_against_fixed_item_factors():
    records = [(u, i, 1.0, 0.0) for u, items in enumerate([[0, 1], [0, 1], [2, 3], [2, 3], [0]]) for i in items]
    als = MODELS["als"](factors=4, regularization=0.1, iterations=10).fit(records)
    restored = MODELS["als"].for_rows(als.fitted_state(), als.params(), {7: {2: 1.0}})
    assert np.allclose(restored.U[0], als._solve(restored.X, als.V))
    assert restored.recommend([7], k=1)[7][0][0] == 3  # bought with 2 by both of its buyers


def test_the_nightly_run_saves_the_fit_a_refresh_scores_against(pairs, settings, monkeypatch):
    monkeypatch.setattr(recommendations, "SNAPSHOT_SETTLE_SECONDS", -60)
    recommendations_precompute(progress=quiet)
    snapshot = snapshot_load()
    assert snapshot is not None
    assert snapshot["state"]["items"] == sorted(p.pk for p in (pairs[n] for n in "ABCDTF"))
    assert snapshot["items"][pairs["A"].pk]["category"] == "serums"
    assert set(snapshot["state"]["components"]) == set(recommendations.COMPONENTS)
    folders = [p for p in settings.ML_MODEL_DIR.iterdir() if p.is_dir()]
    recommendations_precompute(progress=quiet)
    recommendations_precompute(progress=quiet)
    kept = [p for p in settings.ML_MODEL_DIR.iterdir() if p.is_dir()]
    assert len(folders) == 1 and len(kept) == 2  # the new fit and the one before


def test_a_refresh_after_a_purchase_ranks_as_a_full_refit_does(pairs, settings):
    recommendations_precompute(progress=quiet)
    u6 = pairs["users"][5]
    assert [e["product_id"] for e in stored(u6)["recommended_products"]][0] == pairs["F"].pk
    order(u6, "2026-03-08T10:00", [(pairs["B"], 1, "10.00")], status="delivered")

    assert recommendations_user_refresh(user_id=u6.pk) is True
    refreshed = stored(u6)
    assert refreshed["model_version"] == f"{ALGORITHM_VERSION}-refresh"
    ids = [e["product_id"] for e in refreshed["recommended_products"]]
    assert pairs["B"].pk not in ids and pairs["T"].pk not in ids  # bought
    assert {pairs["D"].pk, pairs["F"].pk} <= set(ids[:2])  # the neighbours of B and of T

    settings.ML_MODEL_DIR = settings.ML_MODEL_DIR.parent / "empty"  # no snapshot: a full refit
    assert recommendations_user_refresh(user_id=u6.pk) is True
    refit = stored(u6)
    # the same products in the same order for the same reasons; the refit also counts the new
    # purchase in the popularity and co-purchase figures, so scores move a little
    assert [(i, reason) for i, _, reason in listed(refit)] == [(i, reason) for i, _, reason in listed(refreshed)]
    assert [s for _, s, _ in listed(refit)] == pytest.approx([s for _, s, _ in listed(refreshed)], abs=0.05)


def test_a_refresh_reads_only_the_users_rows(pairs, django_assert_num_queries):
    recommendations_precompute(progress=quiet)
    u6 = pairs["users"][5]
    # the user's purchases, their 4-5 star reviews, their profile; the store's upsert
    with django_assert_num_queries(4):
        recommendations_user_refresh(user_id=u6.pk)
    for n in range(8):
        order(UserFactory(), f"2026-03-1{n}T10:00", [(pairs["A"], 1, "10.00"), (pairs["D"], 1, "10.00")],
              status="delivered")  # fmt: skip
    recommendations_precompute(progress=quiet)
    with django_assert_num_queries(4) as second:
        recommendations_user_refresh(user_id=u6.pk)
    assert all(str(u6.pk) in q["sql"] for q in second.captured_queries[:3])


def test_a_batch_writes_each_list_as_a_refresh_of_that_user_alone_in_the_same_queries(
    pairs, django_assert_num_queries, monkeypatch
):
    recommendations_precompute(progress=quiet)
    users = pairs["users"]
    order(users[5], "2026-03-08T10:00", [(pairs["B"], 1, "10.00")], status="delivered")
    now = datetime(2026, 3, 9, tzinfo=UTC)
    alone = {}
    for user in users:
        assert recommendations_user_refresh(user_id=user.pk, now=now) is True
        alone[user.pk] = stored(user)
    AnalyticsDocument.objects.filter(collection="product_recommendations").delete()
    ids = [user.pk for user in users] + [UserFactory().pk]  # a newcomer: no list
    # the users' purchases, their 4-5 star reviews, their profiles; the store's upsert
    with django_assert_num_queries(4):
        assert recommendations_users_refresh(user_ids=ids, now=now) == set(alone)
    assert {user.pk: stored(user) for user in users} == alone
    monkeypatch.setattr(recommendations, "REFRESH_CHUNK", 4)  # larger batches go in chunks
    AnalyticsDocument.objects.filter(collection="product_recommendations").delete()
    with django_assert_num_queries(8):
        assert recommendations_users_refresh(user_ids=ids, now=now) == set(alone)
    assert {user.pk: stored(user) for user in users} == alone


def test_without_a_snapshot_the_refresh_fits_once_and_saves_it(pairs, django_assert_max_num_queries):
    u6 = pairs["users"][5]
    assert snapshot_load() is None
    assert recommendations_user_refresh(user_id=u6.pk) is True
    assert snapshot_load() is not None
    with django_assert_max_num_queries(4):
        assert recommendations_user_refresh(user_id=u6.pk) is True


def test_a_fit_is_read_once_per_process_and_a_new_fit_is_used_at_once(pairs, monkeypatch):
    recommendations_precompute(progress=quiet)
    first = snapshot_load()
    reads = []
    real_read = recommendations._snapshot_read
    monkeypatch.setattr(recommendations, "_snapshot_read", lambda folder: reads.append(folder) or real_read(folder))
    assert snapshot_load() is first and reads == []  # the same fit: not read again
    u6 = pairs["users"][5]
    assert recommendations_user_refresh(user_id=u6.pk) is True and reads == []
    recommendations_precompute(progress=quiet)  # a new fit: a new folder under the pointer
    second = snapshot_load()
    assert second is not first and len(reads) == 1 and reads[0].name != ""
    assert second["fitted_at"] >= first["fitted_at"]
    assert snapshot_load() is second and len(reads) == 1


def test_a_shopper_without_purchases_gets_no_personal_list(pairs):
    recommendations_precompute(progress=quiet)
    newcomer = UserFactory(skin_type="oily")
    assert recommendations_user_refresh(user_id=newcomer.pk) is False
    assert not AnalyticsDocument.objects.filter(collection="product_recommendations", key=str(newcomer.pk)).exists()


def test_a_snapshot_of_another_version_is_not_used(pairs, monkeypatch):
    recommendations_precompute(progress=quiet)
    monkeypatch.setattr(recommendations, "ALGORITHM_VERSION", "hybrid-2")
    assert snapshot_load() is None


def test_a_product_newer_than_the_snapshot_counts_as_bought_and_is_left_out(pairs):
    recommendations_precompute(progress=quiet)
    u6 = pairs["users"][5]
    newer = ProductFactory(name="Newer", category=pairs["T"].category, skin_types=["all"])
    order(u6, "2026-03-08T10:00", [(newer, 1, "10.00"), (pairs["B"], 1, "10.00")], status="delivered")
    assert recommendations_user_refresh(user_id=u6.pk) is True
    ids = [e["product_id"] for e in stored(u6)["recommended_products"]]
    assert newer.pk not in ids and pairs["B"].pk not in ids
    assert {pairs["D"].pk, pairs["F"].pk} <= set(ids[:2])


def test_a_folder_that_cannot_be_written_leaves_the_lists_and_refreshes_working(pairs, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.ML_MODEL_DIR = blocker / "models"  # under a file: mkdir fails
    recommendations_precompute(progress=quiet)
    u6 = pairs["users"][5]
    assert stored(u6)["model_version"] == ALGORITHM_VERSION
    assert snapshot_load() is None
    assert recommendations_user_refresh(user_id=u6.pk) is True  # the full fit
    assert stored(u6)["model_version"] == f"{ALGORITHM_VERSION}-refresh"


def test_a_shopper_whose_refresh_fails_does_not_hold_back_the_others(pairs, monkeypatch):
    recommendations_precompute(progress=quiet)
    users = pairs["users"]
    AnalyticsDocument.objects.filter(collection="product_recommendations").delete()
    scored = recommendations._refresh_scored

    def failing_for(poisoned):
        def refresh(user_ids, snapshot, *, now):
            if poisoned & set(user_ids):
                raise ValueError("a corrupt history")
            return scored(user_ids, snapshot, now=now)

        return refresh

    monkeypatch.setattr(recommendations, "_refresh_scored", failing_for({users[2].pk}))
    ids = [user.pk for user in users]
    assert recommendations_users_refresh(user_ids=ids) == set(ids) - {users[2].pk}
    assert set(
        AnalyticsDocument.objects.filter(collection="product_recommendations").values_list("key", flat=True)
    ) == {str(pk) for pk in ids if pk != users[2].pk}
    # everyone failing is an outage: raised, for the task to retry
    monkeypatch.setattr(recommendations, "_refresh_scored", failing_for(set(ids)))
    with pytest.raises(ValueError, match="corrupt"):
        recommendations_users_refresh(user_ids=ids)
