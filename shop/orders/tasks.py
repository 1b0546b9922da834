from celery import shared_task

from shop.orders.replenishment import replenishment_reminders_send
from shop.orders.services import orders_expire_unpaid


@shared_task(name="orders.expire_unpaid")
def orders_expire_unpaid_task():
    """Cancel card orders left unpaid for ``ORDER_UNPAID_TIMEOUT_MINUTES`` (Celery beat)."""
    return orders_expire_unpaid()


@shared_task(name="orders.replenishment_reminders")
def replenishment_reminders_task():
    """Send today's "running low?" reminders (Celery beat, daily)."""
    return replenishment_reminders_send()
