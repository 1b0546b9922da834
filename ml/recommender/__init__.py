"""The recommendation engine: plain Python (numpy + scipy), no Django.

Fit any model on an interaction table (user, item, weight, timestamp) plus optional item
features (``{"ingredients", "concerns", "skin_types", "category", "brand", "text"}``) and user
features (``{"skin_type"}``), then ask for top-k items with scores in 0-1::

    from ml.recommender import EASERecommender
    model = EASERecommender(l2=50).fit([("u1", "a", 1, 0), ("u1", "b", 1, 0), ("u2", "a", 1, 0)])
    model.recommend(["u2"], k=10)   # {"u2": [("b", 1.0)]}
"""

from .data import Interaction, Interactions, as_interactions
from .metrics import (
    average_precision_at_k,
    coverage,
    evaluate,
    intra_list_diversity,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)
from .models import (
    MODELS,
    ALSRecommender,
    ContentRecommender,
    EASERecommender,
    HybridRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
    Recommender,
    SkinTypeRecommender,
    TrendingRecommender,
    feature_tokens,
)
from .split import random_per_user_split, time_split
from .tuning import fit_blend_weights, grid_search, tune_blend

__all__ = [
    "MODELS", "ALSRecommender", "ContentRecommender", "EASERecommender", "HybridRecommender",
    "Interaction", "Interactions", "ItemKNNRecommender", "PopularityRecommender", "Recommender",
    "SkinTypeRecommender", "TrendingRecommender", "as_interactions", "average_precision_at_k",
    "coverage", "evaluate", "feature_tokens", "fit_blend_weights", "grid_search", "intra_list_diversity", "ndcg_at_k",
    "precision_at_k", "random_per_user_split", "recall_at_k", "time_split", "tune_blend",
]  # fmt: skip
