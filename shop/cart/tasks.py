from celery import shared_task

from shop.cart.services import carts_delete_expired


@shared_task(name="cart.cleanup_expired")
def cart_cleanup_expired():
    """Delete carts idle for more than ``CART_TTL_DAYS`` (schedule it with Celery beat)."""
    return carts_delete_expired()
