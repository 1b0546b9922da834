"""Review sentiment: a plain-Python scorer (no Django), see ``analyzer``."""

from ml.sentiment.analyzer import (
    ASPECTS,
    BANDS,
    LABELS,
    MODEL_VERSION,
    Analysis,
    Theme,
    analyze,
    band,
    blend,
    combined_score,
    label,
    review_text,
    safety_terms,
    score,
    vader_score,
)

__all__ = [
    "ASPECTS",
    "BANDS",
    "LABELS",
    "MODEL_VERSION",
    "Analysis",
    "Theme",
    "analyze",
    "band",
    "blend",
    "combined_score",
    "label",
    "review_text",
    "safety_terms",
    "score",
    "vader_score",
]
