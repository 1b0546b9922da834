from celery import shared_task

from feedback.models import Notification


@shared_task(name="feedback.order_notify")
def order_notify(*, user_id, order_id, order_number, title, message, priority):
    """The in-app notice of an order milestone (queued by the order receivers: with a broker it
    is written by a worker, not in the shopper's checkout request). Not retried, so a notice is
    never written twice."""
    from feedback.models import NotificationType
    from feedback.services import notification_create

    notification_create(
        user=user_id,
        type=NotificationType.ORDER_UPDATE,
        title=title,
        message=message,
        action_url=f"/orders/{order_number}",
        related_type="order",
        related_id=order_id,
        related_key=order_number,
        priority=priority,
    )


@shared_task(name="feedback.deliver_notifications", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_notifications(*, ids):
    """E-mail / push for freshly created notifications (queued after their transaction commits)."""
    from feedback.services import notification_deliver

    sent = {"email": 0, "push": 0}
    for notification in Notification.objects.filter(pk__in=ids).select_related("user"):
        outcome = notification_deliver(notification=notification)
        sent["email"] += outcome["email"]
        sent["push"] += outcome["push"]
    return sent
