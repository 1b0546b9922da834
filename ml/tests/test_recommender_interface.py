"""The recommender base class is an interface: a subclass must score, and asking a model for a
similarity it does not have is a typed error callers can catch."""

import pytest

from ml.recommender.models import PopularityRecommender, Recommender, SimilarityUnsupported

INTERACTIONS = [("u1", "a", 1, 1), ("u2", "a", 1, 2), ("u2", "b", 1, 3)]


def test_a_recommender_without_scores_cannot_be_built():
    class Incomplete(Recommender):
        name = "incomplete"

    with pytest.raises(TypeError, match="_scores"):
        Incomplete()
    with pytest.raises(TypeError, match="_scores"):
        Recommender()


def test_similar_items_on_a_model_without_similarity_is_unsupported():
    model = PopularityRecommender().fit(INTERACTIONS)

    with pytest.raises(SimilarityUnsupported, match="popularity has no item similarity"):
        model.similar_items("a")
    assert model.recommend(["u1"], k=1) == {"u1": [("b", 1.0)]}
