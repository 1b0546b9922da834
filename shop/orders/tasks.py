from celery import shared_task
from django.utils.functional import SimpleLazyObject

from shop.orders.notifications import order_email_items
from shop.orders.replenishment import replenishment_reminders_send
from shop.orders.services import orders_expire_unpaid
from skincare.mail import templated_email_send


@shared_task(name="orders.email_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_email_send(*, order_id, to, template, context, items=None):
    """Render an order e-mail and send it; the lines (``items`` when the sender had them) are read
    here, after the order committed, and only by the templates that list them."""
    if items is None:
        items = SimpleLazyObject(lambda: order_email_items(order_id))
    templated_email_send(to=to, template=template, context={**context, "items": items})


@shared_task(name="orders.expire_unpaid")
def orders_expire_unpaid_task():
    """Cancel card orders left unpaid for ``ORDER_UNPAID_TIMEOUT_MINUTES`` (Celery beat)."""
    return orders_expire_unpaid()


@shared_task(name="orders.replenishment_reminders")
def replenishment_reminders_task():
    """Send today's "running low?" reminders (Celery beat, daily)."""
    return replenishment_reminders_send()
