"""Demo notifications for ``manage.py seed_demo``: a handful per demo shopper, as history.

``feedback.services.notifications_create`` queues e-mail / push delivery after commit (a Celery
task, run eagerly without a broker, so the console e-mail backend would print every message).
Demo notifications describe things that already happened, so ``history_notifications_create``
writes them directly: channels from the user's preferences (``channels_for``, as the service
does), and the wanted channels recorded as delivered at creation time, so a later delivery run
never e-mails the demo addresses. Higher apps (reviews) call it for their own events; the step
here adds the order notifications (the same texts as ``feedback.receivers``).
"""

import random
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from feedback.models import Notification, NotificationPreference, NotificationPriority, NotificationType
from feedback.receivers import ORDER_MESSAGES
from feedback.services import channels_for
from skincare.demo import analyze, bulk_create_dated


def history_notifications_create(entries) -> int:
    """``entries``: dicts with user_id, type, title, message, created_at and optionally action_url,
    related_type, related_id, priority. Skips what a user already has (same type and related
    object), so callers stay idempotent. Returns the number created."""
    entries = list(entries)
    if not entries:
        return 0
    user_ids = {e["user_id"] for e in entries}
    existing = set(
        Notification.objects.filter(user_id__in=list(user_ids), type__in={e["type"] for e in entries}).values_list(
            "user_id", "type", "related_type", "related_id"
        )
    )
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(user_ids))}
    now = timezone.now()
    rows = []
    for entry in entries:
        key = (entry["user_id"], entry["type"], entry.get("related_type", ""), entry.get("related_id"))
        if key in existing:
            continue
        existing.add(key)
        created = entry["created_at"]
        wanted = channels_for(preferences.get(entry["user_id"]), entry["type"])
        rng = random.Random(f"notification|{'|'.join(map(str, key))}")
        read = created < now - timedelta(days=5) and rng.random() < 0.85
        notification = Notification(
            user_id=entry["user_id"],
            type=entry["type"],
            title=str(entry["title"])[:255],
            message=entry["message"],
            action_url=entry.get("action_url", ""),
            related_type=entry.get("related_type", ""),
            related_id=entry.get("related_id"),
            priority=entry.get("priority", NotificationPriority.NORMAL),
            email_wanted=wanted["email"],
            push_wanted=wanted["push"],
            email_sent=wanted["email"],
            email_sent_at=created if wanted["email"] else None,
            is_read=read,
            read_at=min(created + timedelta(hours=rng.randint(1, 72)), now) if read else None,
        )
        notification._demo_date = created
        rows.append(notification)
    return len(bulk_create_dated(Notification, rows))


def seed_notifications(*, scale, progress):
    """An order notification for each demo shopper's latest delivered order."""
    from shop.accounts.models import User
    from shop.orders.models import Order, OrderStatus

    analyze(User, Order, Notification)
    shoppers = User.objects.filter(email__startswith="shopper", email__endswith="@skincare.local")
    latest = (
        Order.objects.filter(user__in=shoppers, status=OrderStatus.DELIVERED)
        .values("user_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    orders = list(Order.objects.filter(pk__in=list(latest)).only("id", "user_id", "order_number", "created_at"))
    title, message = ORDER_MESSAGES["delivered"]
    now = timezone.now()
    entries = []
    for order in orders:
        rng = random.Random(f"delivered|{order.order_number}")
        entries.append(
            {
                "user_id": order.user_id,
                "type": NotificationType.ORDER_UPDATE,
                "title": title.format(number=order.order_number),
                "message": message.format(number=order.order_number),
                "action_url": f"/orders/{order.order_number}",
                "related_type": "order",
                "related_id": order.pk,
                "priority": NotificationPriority.HIGH,
                "created_at": min(order.created_at + timedelta(days=rng.randint(2, 6)), now - timedelta(hours=1)),
            }
        )
    created = history_notifications_create(entries)
    progress(len(orders), len(orders), "notifications")
    total = Notification.objects.filter(user__in=shoppers).count()
    return f"{created} order notifications created ({total} notifications for demo shoppers, no e-mail sent)"
