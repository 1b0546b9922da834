from celery import shared_task

from ml import rec_services, services
from ml.etl import jobs
from ml.store import get_store


@shared_task(name="ml.flush_events", ignore_result=True)
def flush_events():
    """Buffered events to the store in bulk: on a full buffer and every minute (beat)."""
    written, dropped = services.events_flush()
    return {"written": written, "dropped": dropped}


@shared_task(name="ml.purge_expired", autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def purge_expired():
    """The relational store's TTL (MongoDB's TTL index does the same by itself). Also makes sure
    the indexes exist, so a fresh MongoDB gets them within the hour without a deploy step."""
    store = get_store()
    store.ensure_indexes()
    return store.purge_expired()


ETL_RETRY = {"autoretry_for": (Exception,), "retry_backoff": 30, "retry_backoff_max": 900, "max_retries": 5}


@shared_task(name="ml.etl_daily_metrics", **ETL_RETRY)
def etl_daily_metrics(day=None):
    """Daily (beat) for yesterday; ``day`` is an ISO date to rebuild another day."""
    result = jobs.daily_metrics_run(day=day)
    return {"rows_read": result.rows_read, "rows_written": result.rows_written}


@shared_task(name="ml.etl_purchase_patterns", **ETL_RETRY)
def etl_purchase_patterns():
    result = jobs.purchase_patterns_run()
    return {"rows_read": result.rows_read, "rows_written": result.rows_written}


@shared_task(name="ml.etl_feedback_analytics", **ETL_RETRY)
def etl_feedback_analytics(as_of=None):
    result = jobs.feedback_analytics_run(as_of=as_of)
    return {"rows_read": result.rows_read, "rows_written": result.rows_written}


@shared_task(name="ml.etl_feedback_stream", **ETL_RETRY)
def etl_feedback_stream(date_from=None, date_to=None):
    result = jobs.feedback_stream_run(date_from=date_from, date_to=date_to)
    return {"rows_read": result.rows_read, "rows_written": result.rows_written}


@shared_task(name="ml.etl_user_feedback_journey", **ETL_RETRY)
def etl_user_feedback_journey():
    result = jobs.user_feedback_journey_run()
    return {"rows_read": result.rows_read, "rows_written": result.rows_written}


@shared_task(name="ml.recommendations_precompute", **ETL_RETRY)
def recommendations_precompute():
    """Nightly (beat): product_recommendations and product_similarities from the hybrid."""
    result = jobs.recommendations_precompute_run()
    return {"rows_read": result.rows_read, "rows_written": result.rows_written}


@shared_task(name="ml.review_sentiment", autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def review_sentiment(review_id):
    """After a review is approved (queued on commit by ``ml.receivers``)."""
    from ml import feedback_intelligence

    review = feedback_intelligence.review_sentiment_apply(review_id=review_id)
    return None if review is None else {"score": str(review.sentiment_score), "label": review.sentiment_label}


@shared_task(name="ml.sentiment_train", **ETL_RETRY)
def sentiment_train():
    """Nightly (beat): learn from the day's new rated reviews, then rescore every approved review so all
    stored scores come from one model."""
    from ml import feedback_intelligence

    saved = feedback_intelligence.sentiment_model_train()
    result = feedback_intelligence.reviews_sentiment_rescore()
    products = feedback_intelligence.product_intelligence_run()
    return {"model": saved.version if saved else None, **result, "product_intelligence": products}


@shared_task(name="ml.predictions_train", **ETL_RETRY)
def predictions_train():
    """Nightly (beat): satisfaction and repurchase models on everything known now."""
    from ml import prediction_services

    return prediction_services.predictions_train()


@shared_task(name="ml.recommendations_refresh", bind=True, **ETL_RETRY)
def recommendations_refresh(self, user_ids=None):
    """The lists of ``user_ids`` or, without them, of every shopper pending a refresh, taken for this
    batch (``rec_services.refresh_pending_taken``); idempotent: it rewrites the lists."""
    from ml.recommendations import recommendations_users_refresh  # numpy/scipy only when it runs

    if user_ids is not None:
        written = recommendations_users_refresh(user_ids=user_ids)
    else:
        with rec_services.refresh_pending_taken(batch=self.request.id) as user_ids:
            written = recommendations_users_refresh(user_ids=user_ids)
    return {"users": len(user_ids), "written": len(written)}


@shared_task(name="ml.recommendations_user_refresh", **ETL_RETRY)
def recommendations_user_refresh(user_id, release=False):
    """One user's refresh, as queued before the batches (``recommendations_refresh``): kept for the
    messages in flight while a release rolls out."""
    return recommendations_refresh(user_ids=[user_id])
