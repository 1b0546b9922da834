"""Feedback reads: moderation queue and statistics, notifications, feedback forms."""

from datetime import timedelta

from django.db import connection
from django.db.models import Count, Min, Q, Window
from django.utils import timezone

from feedback.models import (
    OPEN_STATUSES,
    ModerationItem,
    ModerationReport,
    ModerationStatus,
    Notification,
    NotificationPreference,
    ProductFeedbackResponse,
    PushDevice,
)
from skincare.prepared import Prepared, prepared_statements

QUEUE_ORDERINGS = {
    "priority": ["-escalated", "priority_level", "created_at", "id"],
    "oldest": ["created_at", "id"],
    "newest": ["-created_at", "-id"],
    "reports": ["-report_count", "priority_level", "created_at", "id"],
}


def moderation_queue(*, status=None, content_type=None, escalated=None, priority=None, reported=None, ordering=None):
    """Open items (pending + needs review) unless ``status`` asks for another state (or ``all``)."""
    items = ModerationItem.objects.select_related("user", "reviewed_by", "escalated_by", "file")
    if status in (None, "", "open"):
        items = items.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        items = items.filter(status=status)
    if content_type:
        items = items.filter(content_type=content_type)
    if escalated is not None:
        items = items.filter(escalated=escalated)
    if priority is not None:
        items = items.filter(priority_level=priority)
    if reported is not None:
        items = items.filter(user_reported=reported)
    return items.order_by(*QUEUE_ORDERINGS.get(ordering or "priority", QUEUE_ORDERINGS["priority"]))


def moderation_item_get(*, item_id):
    return (
        ModerationItem.objects.select_related("user", "reviewed_by", "escalated_by", "file").filter(pk=item_id).first()
    )


def _seconds(values):
    values = sorted(values)
    if not values:
        return {"count": 0, "average_seconds": None, "median_seconds": None}
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return {"count": len(values), "average_seconds": round(sum(values) / len(values)), "median_seconds": round(median)}


def moderation_stats(*, days=30, now=None) -> dict:
    """Queue sizes and how long staff took to decide (manual decisions in the last ``days``)."""
    now = now or timezone.now()
    by_status = dict(ModerationItem.objects.values_list("status").annotate(n=Count("id")).order_by())
    open_items = ModerationItem.objects.filter(status__in=OPEN_STATUSES)
    open_by_type = dict(open_items.values_list("content_type").annotate(n=Count("id")).order_by())
    counts = open_items.aggregate(
        escalated=Count("id", filter=Q(escalated=True)),
        reported=Count("id", filter=Q(user_reported=True)),
        flagged=Count("id", filter=Q(status=ModerationStatus.NEEDS_REVIEW)),
        high_priority=Count("id", filter=Q(priority_level__lte=2)),
    )
    oldest = open_items.order_by("created_at").values_list("created_at", flat=True).first()
    since = now - timedelta(days=days)
    decided = ModerationItem.objects.filter(
        status__in=[ModerationStatus.APPROVED, ModerationStatus.REJECTED], reviewed_at__gte=since
    )
    automatic = decided.filter(auto_approved=True).count()
    # Bounded read: at most the last 10 000 manual decisions feed the timing figures.
    pairs = decided.filter(auto_approved=False, reviewed_by__isnull=False).order_by("-reviewed_at")
    durations = [
        (reviewed - created).total_seconds()
        for created, reviewed in pairs.values_list("created_at", "reviewed_at")[:10000]
    ]
    manual = dict(decided.filter(auto_approved=False).values_list("status").annotate(n=Count("id")).order_by())
    return {
        "by_status": {value: by_status.get(value, 0) for value in ModerationStatus.values},
        "open": {"total": sum(open_by_type.values()), "by_content_type": open_by_type, **counts},
        "oldest_open_age_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "window_days": days,
        "decisions": {
            "automatic_approvals": automatic,
            "manual_approved": manual.get(ModerationStatus.APPROVED, 0),
            "manual_rejected": manual.get(ModerationStatus.REJECTED, 0),
        },
        "time_to_decision": _seconds(durations),
    }


def notifications_for(*, user, unread=None, type=None):
    notifications = Notification.objects.filter(user=user, dismissed_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
    if unread is not None:
        notifications = notifications.filter(is_read=not unread)
    if type:
        notifications = notifications.filter(type=type)
    return notifications.order_by("-created_at", "-id")


LIST_ROW_FIELDS = (
    "id", "type", "title", "message", "action_url", "thumbnail_url", "action_buttons", "related_type",
    "related_id", "related_key", "is_read", "read_at", "priority", "created_at", "expires_at",
)  # fmt: skip


def notifications_page(*, user, offset, limit, unread=None, type=None):
    """One page of ``notifications_for`` as value rows (``LIST_ROW_FIELDS``), how many notifications match and
    the first ``expires_at`` among them (when the answer changes by itself): ``(rows, total, next_expiry)``, in
    one statement (window aggregates on the page query). ``total`` is None when the page is empty (past the
    last one, or none at all)."""
    rows = list(
        notifications_for(user=user, unread=unread, type=type)
        .annotate(total_rows=Window(Count("*")), next_expiry=Window(Min("expires_at")))
        .values(*LIST_ROW_FIELDS, "total_rows", "next_expiry")[offset : offset + limit]
    )
    if not rows:
        return rows, None, None
    return rows, rows[0]["total_rows"], rows[0]["next_expiry"]


def unread_count(*, user) -> int:
    return notifications_for(user=user, unread=True).count()


def product_feedback_for_user(*, user):
    return ProductFeedbackResponse.objects.filter(user=user).select_related("product").order_by("-created_at", "-id")


def product_feedback_for_product(*, product_id):
    return (
        # product__pk: an id past the column's range matches nothing instead of overflowing the query.
        ProductFeedbackResponse.objects.filter(product__pk=product_id)
        .select_related("user", "product")
        .order_by("-created_at", "-id")
    )


def user_report_counts(*, user) -> dict:
    """Reports ``user`` filed, and moderation items about ``user``'s content (open, reported, rejected)."""
    about = ModerationItem.objects.filter(user=user).aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        reported=Count("id", filter=Q(user_reported=True)),
        rejected=Count("id", filter=Q(status=ModerationStatus.REJECTED)),
    )
    return {"filed": ModerationReport.objects.filter(reporter=user).count(), **about}


# The two reads of every batch of order notices (a checkout's, in the Celery worker), prepared once per
# PostgreSQL connection with ``DB_PREPARED_STATEMENTS`` (skincare/prepared.py): the ORM's querysets below
# cost the worker more CPU to build than PostgreSQL spends running them.
_PREFERENCE_COLUMNS = ("id", "user_id", "email_enabled", "push_enabled", "type_settings")
_PREFERENCES = Prepared(
    "feedback_preferences",
    "SELECT id, user_id, email_enabled, push_enabled, type_settings FROM feedback_notificationpreference"
    " WHERE user_id = ANY($1)",
    ["bigint[]"],
)
_PUSH_TOKENS = Prepared(
    "feedback_push_tokens",
    "SELECT user_id, token FROM feedback_pushdevice WHERE user_id = ANY($1) AND is_active"
    " ORDER BY user_id, last_seen_at DESC, id DESC",
    ["bigint[]"],
)


def _prepared_rows(statement, user_ids):
    with connection.cursor() as cursor:
        statement.run(cursor, [list(user_ids)])
        return cursor.fetchall()


def notification_preferences_by_user(*, user_ids) -> dict:
    """``{user id: NotificationPreference}`` of the users who saved preferences, in one query (its
    ``updated_at`` deferred)."""
    if not prepared_statements(connection):
        return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)}
    type_settings = NotificationPreference._meta.get_field("type_settings")
    preferences = {}
    for *fields, settings_text in _prepared_rows(_PREFERENCES, user_ids):
        values = [*fields, type_settings.from_db_value(settings_text, None, connection)]
        preference = NotificationPreference.from_db(connection.alias, _PREFERENCE_COLUMNS, values)
        preferences[preference.user_id] = preference
    return preferences


def push_devices_by_user(*, user_ids) -> dict:
    """``{user id: [active push tokens, most recently seen first]}`` in one query."""
    if prepared_statements(connection):
        rows = _prepared_rows(_PUSH_TOKENS, user_ids)
    else:
        rows = (
            PushDevice.objects.filter(user_id__in=user_ids, is_active=True)
            .order_by("user_id", "-last_seen_at", "-id")
            .values_list("user_id", "token")
        )
    tokens = {}
    for user_id, token in rows:
        tokens.setdefault(user_id, []).append(token)
    return tokens
