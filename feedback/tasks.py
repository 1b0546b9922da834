from celery import shared_task

from feedback.models import Notification


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
