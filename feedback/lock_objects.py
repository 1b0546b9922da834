"""Every row lock the feedback app takes, in one place: only feedback rows (``of=("self",)``), in pk
order. ``select_for_update`` is a no-op on SQLite, where writes are serialised anyway."""

from feedback.models import ModerationItem, NotificationPreference, PushDevice


def moderation_item_lock(*, item_id=None, content_type=None, content_id=None) -> ModerationItem | None:
    """By id, or by the content it is about (one item per content)."""
    rows = ModerationItem.objects.select_for_update(of=("self",)).order_by("pk")
    if item_id is not None:
        return rows.filter(pk=item_id).first()
    return rows.filter(content_type=content_type, content_id=content_id).first()


def notification_preference_lock(*, user) -> NotificationPreference:
    """The user's preferences row, locked; created when missing."""
    preference, _ = NotificationPreference.objects.select_for_update(of=("self",)).get_or_create(user=user)
    return preference


def push_device_lock(*, token) -> PushDevice | None:
    return PushDevice.objects.select_for_update(of=("self",)).filter(token=token).order_by("pk").first()
