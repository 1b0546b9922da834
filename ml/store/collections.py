"""The analytics collections, as the seeds define them, with their indexes.

Field names follow the seeds (000, 001, 002). ``ttl_seconds`` marks collections whose
documents carry an ``expires_at`` date: MongoDB gets a TTL index on it
(``expireAfterSeconds=0``, so each document expires at its own date); the relational
store emulates it with the ``ml.purge_expired`` task.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Collection:
    name: str
    indexes: tuple = ()  # each: tuple of (field, direction) pairs
    expiring: bool = False
    notes: str = ""
    extra: dict = field(default_factory=dict)


ASC, DESC = 1, -1

COLLECTIONS = {
    c.name: c
    for c in [
        Collection(
            "user_analytics",
            indexes=(
                (("user_id", ASC), ("created_at", DESC)),
                (("session_id", ASC),),
                (("created_at", DESC),),
            ),
            expiring=True,
        ),
        Collection(
            "search_analytics",
            indexes=(
                (("timestamp", DESC),),
                (("user_id", ASC), ("timestamp", DESC)),  # a buyer's searches (purchase attribution)
                (("normalized_query", ASC), ("timestamp", DESC)),
                (("session_id", ASC), ("timestamp", DESC)),
                (("results_count", ASC),),
            ),
            expiring=True,
        ),
        Collection("performance_metrics", indexes=((("date", DESC),),)),
        Collection("user_purchase_patterns", indexes=((("user_id", ASC),), (("skin_type", ASC),))),
        Collection("user_purchase_matrix", indexes=((("user_id", ASC),), (("product_id", ASC),))),
        Collection(
            "feedback_analytics",
            indexes=(
                (("product_id", ASC),),
                (("feedback_summary.avg_rating", DESC),),
                (("feedback_summary.skin_type_performance.acne.avg_rating", DESC),),
                (("sentiment_analysis.overall_sentiment_score", DESC),),
                (("predictions.customer_churn_risk", ASC),),
            ),
        ),
        Collection(
            "feedback_stream",
            indexes=(
                (("timestamp", DESC),),
                (("event_data.product_id", ASC), ("timestamp", DESC)),
                (("event_data.user_skin_type", ASC),),
                (("processing_status.analytics_updated", ASC),),
                (("requires_immediate_attention", ASC),),
                (("event_data.sentiment_score", ASC),),
            ),
        ),
        Collection(
            "user_feedback_journey",
            indexes=(
                (("user_id", ASC),),
                (("skin_profile.skin_type", ASC),),
                (("user_intelligence.review_influence_score", DESC),),
                (("user_intelligence.feedback_trust_score", DESC),),
                (("engagement_summary.total_reviews", DESC),),
            ),
            expiring=True,
        ),
        Collection(
            "recommendation_feedback",
            indexes=((("user_id", ASC), ("timestamp", DESC)), (("product_id", ASC),)),
            expiring=True,
        ),
        Collection(
            "product_recommendations",
            indexes=((("user_id", ASC),), (("user_profile.skin_type", ASC),)),
            expiring=True,
        ),
        Collection("product_similarities", indexes=((("product_id", ASC),),), expiring=True),
        Collection("product_intelligence", indexes=((("product_id", ASC),),)),
        Collection("model_performance", indexes=((("model_name", ASC), ("evaluation_date", DESC)),)),
    ]
}


def collection(name):
    try:
        return COLLECTIONS[name]
    except KeyError:
        raise ValueError(f"Unknown analytics collection {name!r}") from None
