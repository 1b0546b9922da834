from celery import shared_task

from ml import services
from ml.store import get_store


@shared_task(name="ml.flush_events", ignore_result=True)
def flush_events():
    """Buffered events to the store in bulk: on a full buffer and every minute (beat)."""
    written, dropped = services.events_flush()
    return {"written": written, "dropped": dropped}


@shared_task(name="ml.purge_expired", autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def purge_expired():
    """The relational store's TTL (MongoDB's TTL index does the same by itself)."""
    return get_store().purge_expired()
