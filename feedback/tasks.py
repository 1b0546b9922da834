from celery import shared_task

from feedback.models import Notification


@shared_task(name="feedback.order_notify")
def order_notify(*, user_id, order_id, order_number, title, message, priority):
    """One order notice (messages queued before ``feedback.order_notices`` took over). Not retried."""
    order_notices(
        notices=[
            {
                "user_id": user_id,
                "order_id": order_id,
                "order_number": order_number,
                "title": title,
                "message": message,
                "priority": priority,
            }
        ]
    )


@shared_task(name="feedback.order_notices", deferred_merge="notices")
def order_notices(*, notices):
    """Several order notices at once (the receivers defer the notices of one checkout into one
    task: one preference read, one INSERT, then the e-mail / push right here, without a delivery
    message; it queues ``deliver_notifications`` only when that fails). Each notice holds
    ``order_notify``'s arguments. Not retried, so a notice is never written twice. The worker's
    drain runs the calls of many checkouts as one (``deferred_merge``, skincare/deferred.py)."""
    from feedback.models import NotificationType
    from feedback.services import notices_create

    notices_create(
        notices=[
            {
                "user": notice["user_id"],
                "type": NotificationType.ORDER_UPDATE,
                "title": notice["title"],
                "message": notice["message"],
                "action_url": f"/orders/{notice['order_number']}",
                "related_type": "order",
                "related_id": notice["order_id"],
                "related_key": notice["order_number"],
                "priority": notice["priority"],
            }
            for notice in notices
        ],
        deliver_here=True,
    )


@shared_task(name="feedback.deliver_notifications", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_notifications(*, ids):
    """E-mail / push for freshly created notifications (queued after their transaction commits)."""
    from feedback.services import notifications_deliver

    return notifications_deliver(notifications=list(Notification.objects.filter(pk__in=ids).select_related("user")))
