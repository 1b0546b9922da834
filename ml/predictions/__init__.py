"""Satisfaction and repurchase models (plain Python, no Django), see ``models``."""

from ml.predictions.models import (
    PurchaseHistory,
    RatingStats,
    RepurchaseModel,
    SatisfactionModel,
    repurchase_examples,
    rmse,
    roc_auc,
)

__all__ = [
    "PurchaseHistory",
    "RatingStats",
    "RepurchaseModel",
    "SatisfactionModel",
    "repurchase_examples",
    "rmse",
    "roc_auc",
]
