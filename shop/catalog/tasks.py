from celery import shared_task

from shop.catalog.views_counter import product_views_flush


@shared_task(name="catalog.flush_product_views")
def flush_product_views():
    """Every few minutes (CELERY_BEAT_SCHEDULE): write the views counted in the cache to the products."""
    return product_views_flush()
