"""The recommendation engine on tiny hand-made data sets with known answers (no database)."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from ml.recommender import (
    MODELS,
    ALSRecommender,
    ContentRecommender,
    EASERecommender,
    HybridRecommender,
    Interactions,
    ItemKNNRecommender,
    PopularityRecommender,
    SkinTypeRecommender,
    TrendingRecommender,
    average_precision_at_k,
    coverage,
    evaluate,
    fit_blend_weights,
    intra_list_diversity,
    ndcg_at_k,
    precision_at_k,
    random_per_user_split,
    recall_at_k,
    time_split,
)

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400

# Two taste groups: {a, b, c} bought together, {x, y} bought together; "a" is the most popular.
TINY = [
    ("u1", "a", 1, 1 * DAY), ("u1", "b", 1, 2 * DAY), ("u1", "c", 1, 3 * DAY),
    ("u2", "a", 1, 1 * DAY), ("u2", "b", 1, 2 * DAY),
    ("u3", "a", 1, 1 * DAY), ("u3", "c", 1, 5 * DAY),
    ("u4", "x", 1, 1 * DAY), ("u4", "y", 1, 2 * DAY),
    ("u5", "x", 1, 3 * DAY), ("u5", "a", 1, 4 * DAY),
    ("u6", "y", 1, 30 * DAY),
]  # fmt: skip
USERS = {f"u{n}": {"skin_type": "oily" if n <= 3 else "dry"} for n in range(1, 7)}
DRY = {"category": "cream", "skin_types": ["dry"], "concerns": ["dryness"]}
ITEMS = {
    "a": {"category": "serum", "skin_types": ["oily"], "ingredients": ["niacinamide"], "concerns": ["acne"]},
    "b": {"category": "serum", "skin_types": ["oily"], "ingredients": ["niacinamide", "zinc"], "concerns": ["acne"]},
    "c": {"category": "toner", "skin_types": ["oily"], "ingredients": ["salicylic acid"], "concerns": ["acne"]},
    "x": {"category": "cream", "skin_types": ["dry"], "ingredients": ["ceramides"], "concerns": ["dryness"]},
    "y": {**DRY, "ingredients": ["ceramides", "squalane"]},
    "z": {**DRY, "ingredients": ["ceramides", "squalane"]},
}  # fmt: skip


def items_of(ranked):
    return [item for item, _ in ranked]


def test_package_imports_without_django():
    code = "import sys, ml.recommender; assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m); print('ok')"  # noqa: E501
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_interactions_merge_duplicates_and_keep_latest_time():
    data = Interactions([("u", "a", 1, 5), ("u", "a", 2, 9), ("v", "a", 1, 1)])
    assert [(r.user, r.item, r.weight, r.timestamp) for r in data] == [("u", "a", 3.0, 9.0), ("v", "a", 1.0, 1.0)]
    assert data.matrix().toarray().tolist() == [[3.0], [1.0]]


def test_popularity_order_and_scores():
    model = PopularityRecommender().fit(TINY)
    # a: 4 users, then b, c, x, y: 2 each (ties by item id)
    assert model.recommend(["new"], k=5)["new"] == [("a", 1.0), ("b", 0.5), ("c", 0.5), ("x", 0.5), ("y", 0.5)]


def test_seen_items_are_excluded_unless_repurchasable_or_asked():
    model = PopularityRecommender().fit(TINY)
    assert items_of(model.recommend(["u2"], k=10)["u2"]) == ["c", "x", "y"]
    assert items_of(model.recommend(["u2"], k=10, repurchasable={"a"})["u2"]) == ["a", "c", "x", "y"]
    assert items_of(model.recommend(["u2"], k=3, exclude_seen=False)["u2"]) == ["a", "b", "c"]
    # the user's best candidate scores 1
    assert model.recommend(["u2"], k=1)["u2"] == [("c", 1.0)]


def test_trending_prefers_recent_interactions():
    model = TrendingRecommender(half_life_days=1).fit(TINY)
    # y was bought on day 30 (the latest), everything else weeks earlier; then c (day 5) before a (day 4)
    assert items_of(model.recommend(["new"], k=2)["new"]) == ["y", "c"]  # c: day 5, a: day 4
    assert model.recommend(["new"], k=1)["new"] == [("y", 1.0)]


def test_item_knn_neighbours_by_cosine():
    model = ItemKNNRecommender(neighbours=10).fit(TINY)
    # cos(a,b) = 2/sqrt(4*2); cos(a,c) = 2/sqrt(4*2); cos(a,x) = 1/sqrt(4*2); cos(x,y) = 1/2
    similar = model.similar_items("a", k=3)
    assert items_of(similar) == ["b", "c", "x"]
    assert similar[2][1] == pytest.approx(0.5)  # divided by the best candidate's similarity
    assert model.similarity[model.item_index["x"], model.item_index["y"]] == pytest.approx(0.5)
    assert model.similarity[model.item_index["a"], model.item_index["b"]] == pytest.approx(2 / math.sqrt(8))
    # u2 has a and b: c (similar to both) comes before x (similar to a only)
    assert items_of(model.recommend(["u2"], k=2)["u2"]) == ["c", "x"]
    # u4 (x, y) gets a (via x) before b and c (no link)
    assert items_of(model.recommend(["u4"], k=1)["u4"]) == ["a"]


def test_ease_and_als_follow_co_occurrence():
    for model in (EASERecommender(l2=1.0), ALSRecommender(factors=4, regularization=0.1, iterations=10, seed=3)):
        model.fit(TINY)
        assert items_of(model.recommend(["u2"], k=1)["u2"]) == ["c"], model.name


def test_content_similarity_uses_features_and_handles_items_nobody_bought():
    model = ContentRecommender().fit(TINY, ITEMS)
    # z (never bought) has the same features as y
    assert items_of(model.similar_items("y", k=1)) == ["z"]
    assert items_of(model.similar_items("z", k=2)) == ["y", "x"]
    assert model.item_similarity("y", "z") == pytest.approx(1.0)
    assert items_of(model.recommend(["u6"], k=2)["u6"]) == ["z", "x"]


def test_cold_start_user_gets_skin_type_list_else_popularity():
    model = EASERecommender(l2=1.0).fit(TINY, ITEMS, USERS)
    # a new dry-skin user: items popular with dry-skin users (x, y: 2 of 3), a suits oily only
    new = model.recommend(["new"], k=3, user_features={"new": {"skin_type": "dry"}})["new"]
    assert items_of(new) == ["x", "y", "a"]
    assert new[0][1] == 1.0
    # unknown skin type: popularity
    assert items_of(model.recommend(["other"], k=2)["other"]) == ["a", "b"]


def test_skin_type_affinity_for_known_users():
    model = SkinTypeRecommender().fit(TINY, ITEMS, USERS)
    assert items_of(model.recommend(["u6"], k=2)["u6"]) == ["x", "a"]
    assert items_of(model.recommend(["u2"], k=1)["u2"]) == ["c"]


def test_scores_are_between_0_and_1_for_every_model():
    for name, cls in MODELS.items():
        model = cls().fit(TINY, ITEMS, USERS)
        for user, ranked in model.recommend(["u1", "u4", "u6", "new"], k=6).items():
            assert ranked, (name, user)
            assert all(0.0 <= score <= 1.0 for _, score in ranked), (name, user, ranked)
            assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


def test_hybrid_blends_weights_and_refits_components():
    hybrid = HybridRecommender(
        {"popularity": PopularityRecommender(), "item_knn": ItemKNNRecommender()}, {"popularity": 1, "item_knn": 3}
    ).fit(TINY, ITEMS, USERS)
    assert hybrid.weights == {"popularity": 0.25, "item_knn": 0.75}
    # u4 (x, y): knn gives a 1 (only linked item), popularity gives a 1 -> a scores 1
    ranked = hybrid.recommend(["u4"], k=2)["u4"]
    assert ranked[0] == ("a", 1.0)
    # b: knn 0, popularity 2/4 of the best unseen (a) -> 0.25 * 0.5
    assert ranked[1] == ("b", pytest.approx(0.125))


def test_skin_type_model_boosts_items_addressing_the_users_concerns():
    users = {**USERS, "u6": {"skin_type": "dry", "concerns": ["acne"]}}
    plain = SkinTypeRecommender().fit(TINY, ITEMS, users)
    assert items_of(plain.recommend(["u6"], k=2)["u6"]) == ["x", "a"]
    # x: 2 of 3 dry users, suits dry; a: 1 of 3 dry users, halved (oily only), addresses acne.
    boosted = SkinTypeRecommender(concern_weight=3.0).fit(TINY, ITEMS, users)
    ranked = boosted.recommend(["u6"], k=2)["u6"]
    assert items_of(ranked) == ["a", "x"]
    assert boosted.params()["concern_weight"] == 3.0


def test_blend_weights_are_learned_from_the_validation_split():
    """Validation users hold out the most popular item they have not bought; content similarity
    points them at another item (same category as what they bought). Popularity gets the weight."""
    records, validation = [], {}
    for n in range(40):  # popular items p0 > p1 > p2 bought by many other users
        for rank in range(3):
            if n % (rank + 1) == 0:
                records.append((f"o{n}", f"p{rank}", 1.0, 0))
    items = {f"p{r}": {"category": "serum", "ingredients": [f"i{r}"]} for r in range(3)}
    items.update(
        {"a": {"category": "cream", "ingredients": ["shea"]}, "z": {"category": "cream", "ingredients": ["shea"]}}
    )
    for n in range(20):
        records.append((f"v{n}", "a", 1.0, 0))
        validation[f"v{n}"] = {"p0"}
    train = Interactions(records)
    fitted = {
        "popularity": PopularityRecommender().fit(train, items),
        "content": ContentRecommender().fit(train, items),
    }
    weights = fit_blend_weights(fitted, train, validation)
    assert weights["popularity"] > 1.0 and weights["content"] == 0.0
    hybrid = HybridRecommender.from_fitted(fitted, weights)
    assert evaluate(hybrid, train.seen(), validation)["ndcg"] == 1.0
    # nothing learnable (no validation user known to the models): no weights
    assert fit_blend_weights(fitted, train, {"stranger": {"p0"}}) == {"popularity": 0.0, "content": 0.0}


def test_fitting_is_deterministic_with_a_seed():
    first = ALSRecommender(factors=4, seed=7).fit(TINY).recommend(["u1", "u5"], k=4)
    again = ALSRecommender(factors=4, seed=7).fit(TINY).recommend(["u1", "u5"], k=4)
    assert first == again
    a, _ = random_per_user_split(TINY, 0.5, seed=1)
    b, _ = random_per_user_split(TINY, 0.5, seed=1)
    assert [r.item for r in a] == [r.item for r in b]


def test_splits():
    train, test = time_split(TINY, 0.25)  # 12 records -> the 3 latest: u3 c (day 5), u5 a (4), u6 y (30)
    assert test == {"u3": {"c"}, "u5": {"a"}, "u6": {"y"}}
    assert len(train) == 9
    train, test = random_per_user_split(TINY, 0.5, seed=0)
    assert sum(len(v) for v in test.values()) == 6  # one of each two-or-more-item user, two of u1 (round 1.5)
    assert set(test) == {"u1", "u2", "u3", "u4", "u5"}
    assert len(train) + 6 == len(TINY)


def test_metrics_on_hand_computed_cases():
    ranked, relevant = ["a", "b", "c", "d"], {"b", "d", "e"}
    assert precision_at_k(ranked, relevant, k=4) == 0.5
    assert recall_at_k(ranked, relevant, k=4) == pytest.approx(2 / 3)
    # DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3) + 1/2
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    assert ndcg_at_k(ranked, relevant, k=4) == pytest.approx(dcg / (1 + 1 / math.log2(3) + 0.5))
    # AP@4 = (1/2 + 2/4) / min(4, 3)
    assert average_precision_at_k(ranked, relevant, k=4) == pytest.approx(1 / 3)
    assert ndcg_at_k(["b", "d", "e"], relevant, k=3) == pytest.approx(1.0)
    assert coverage([["a", "b"], ["b", "c"]], 6) == 0.5
    same = {("a", "b"): 1.0}
    similarity = lambda x, y: same.get((x, y), same.get((y, x), 0.0))  # noqa: E731
    assert intra_list_diversity([["a", "b", "c"], ["a", "b"]], similarity) == pytest.approx((2 / 3 + 0) / 2)


def test_evaluate_counts_only_items_not_seen_in_training():
    model = PopularityRecommender().fit(TINY)
    # u2 held out c (unseen) and a (already seen -> not relevant): popularity ranks c first
    scores = evaluate(model, model.seen, {"u2": {"a", "c"}, "u4": {"x"}}, k=2)
    assert scores["users"] == 1
    assert scores["precision"] == 0.5
    assert scores["ndcg"] == 1.0
    assert scores["ndcg_by_user"] == {"u2": 1.0}


def test_the_csv_example_in_docs_runs(tmp_path):
    text = (ROOT / "docs" / "ml.md").read_text()
    example = text.split("<!-- csv-example -->")[1].split("```python")[1].split("```")[0]
    assert len(example.strip().splitlines()) <= 10
    (tmp_path / "interactions.csv").write_text(
        "user_id,item_id,weight,timestamp\n" + "".join(f"{u},{i},1,{t}\n" for u, i, _, t in TINY)
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", example], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 6  # one line per user
    # u2 bought a and b: the EASE list starts with c, the item bought with both
    assert lines[1].startswith("u2 [('c', 1.0)")


def _benchmark():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_recs", ROOT / "benchmarks" / "recommendations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_tunes_on_training_data_only_and_reports_every_model(monkeypatch, capsys):
    """Three taste groups of 6 items; each user buys 4 items of their group over time."""
    import random

    bench = _benchmark()
    rng = random.Random(5)
    records, users, items = [], {}, {}
    for group, skin in enumerate(("oily", "dry", "normal")):
        for n in range(6):
            items[f"g{group}i{n}"] = {"category": f"c{n % 3}", "skin_types": [skin], "concerns": [], "text": ""}
        for u in range(20):
            user = f"g{group}u{u}"
            users[user] = {"skin_type": skin}
            for step, n in enumerate(rng.sample(range(6), 4)):
                records.append((user, f"g{group}i{n}", 1.0, u * 10 + step))
    split = lambda rs: random_per_user_split(rs, 0.25, seed=0)  # noqa: E731
    train, test = split(records)
    test_pairs = {(u, i) for u, held in test.items() for i in held}
    seen_validation = []
    real_grid_search = bench.grid_search

    def spy(factory, grid, inner, validation, **kwargs):
        seen_validation.append({(u, i) for u, held in validation.items() for i in held})
        assert not {(r.user, r.item) for r in inner} & test_pairs
        return real_grid_search(factory, grid, inner, validation, **kwargs)

    monkeypatch.setattr(bench, "grid_search", spy)
    results = bench.run_split("random", split, records, items, users, seed=0)
    assert [r["model"] for r in results] == [*bench.GRIDS, "hybrid"]
    assert len(seen_validation) == len(bench.GRIDS)
    assert all(not (pairs & test_pairs) for pairs in seen_validation)  # validation never holds test pairs
    by_model = {r["model"]: r for r in results}
    # the groups are learnable: the neighbourhood model beats popularity by far
    assert by_model["item_knn"]["ndcg"] > 2 * by_model["popularity"]["ndcg"]
    assert all(0 <= r["ndcg"] <= 1 and r["fit_seconds"] >= 0 and r["peak_bytes"] > 0 for r in results)
    assert "hybrid weights:" in capsys.readouterr().out
