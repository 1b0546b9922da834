"""Feedback writes: moderation (submit, decide, escalate, report, withdraw), notifications
(create, deliver, read, preferences, devices), wishlist notices and product feedback forms.

Views, the Django admin, receivers and Celery tasks call these; nothing else writes these models.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from feedback import error_codes, list_cache, lock_objects
from feedback.models import (
    PHOTO_CONTENT_TYPES,
    ContentType,
    FlagReason,
    ModerationItem,
    ModerationReport,
    ModerationStatus,
    Notification,
    NotificationChannel,
    NotificationPreference,
    NotificationPriority,
    NotificationType,
    ProductFeedbackResponse,
    PushDevice,
)
from feedback.screening import screen_text, thresholds
from feedback.selectors import notification_preferences_by_user, push_devices_by_user
from skincare import events
from skincare.api import bulk, user_pages
from skincare.api.error_codes import ApiErrorCode
from skincare.errors import ApplicationError
from skincare.prepared import prepared_statements, rows_insert

logger = logging.getLogger(__name__)

DECISIONS = (ModerationStatus.APPROVED, ModerationStatus.REJECTED)
MAX_BULK = 100


# --- Moderation ---------------------------------------------------------------------------------


def _priority(reasons, *, photo):
    if len(reasons) > 1 or FlagReason.MEDICAL_CLAIMS in reasons or FlagReason.TOXICITY in reasons:
        return 1 if len(reasons) > 1 else 2
    if reasons:
        return 3
    return 4 if photo else 3


def _announce(item, decision, by, notes):
    events.moderation_decided.send(
        sender=ModerationItem,
        item=item,
        content_type=item.content_type,
        content_id=item.content_id,
        decision=decision,
        by=by,
        notes=notes,
    )


@transaction.atomic
def moderation_outcome(result, *, photo=False):
    """What the automatic screen does with content: ``needs_review`` when it raised a flag,
    ``approved`` when it is clean enough and auto-approval applies, ``pending`` otherwise."""
    limits = thresholds()
    if result.reasons:
        return ModerationStatus.NEEDS_REVIEW
    ceiling = limits["auto_approve_max_score"]
    clean = result.spam <= ceiling and result.toxicity <= ceiling
    if clean and limits["auto_approve"] and (not photo or limits["auto_approve_photos"]):
        return ModerationStatus.APPROVED
    return ModerationStatus.PENDING


def moderation_submit(*, content_type, content_id, user, text="", metadata=None, file=None) -> ModerationItem:
    """Put new or edited content through the automatic screen.

    Flagged content (spam, toxicity, medical claims over the thresholds) waits as ``needs_review``;
    clean content is approved on the spot when auto-approval is on (photos only when
    ``MODERATION_AUTO_APPROVE_PHOTOS``); anything in between waits as ``pending``. An automatic
    approval is announced like a staff decision (``moderation_decided`` with ``by=None``).
    Re-submitting the same content (an edit) re-screens its existing queue item.
    """
    if content_type not in ContentType.values:
        raise ValueError(f"Unknown moderation content type {content_type!r}")
    limits = thresholds()
    result = screen_text(text)
    photo = content_type in PHOTO_CONTENT_TYPES
    reasons = result.reasons
    if photo and not limits["auto_approve_photos"]:
        reasons_for_queue = [*reasons, FlagReason.PHOTO.value]
    else:
        reasons_for_queue = list(reasons)

    values = {
        "user": user,
        "content_text": str(text or "")[:10000],
        "content_metadata": metadata or {},
        "file": file,
        "contains_files": file is not None,
        "flagged_reasons": reasons_for_queue,
        "auto_flagged": bool(reasons),
        "auto_approved": False,
        "spam_probability": result.spam,
        "toxicity_score": result.toxicity,
        "medical_claims_detected": result.medical_claims,
        "screen_details": result.details,
        "reviewed_by": None,
        "reviewed_at": None,
        "review_notes": "",
        "priority_level": _priority(reasons, photo=photo),
    }
    values["status"] = moderation_outcome(result, photo=photo)
    auto_approve = values["status"] == ModerationStatus.APPROVED
    if auto_approve:
        values.update(auto_approved=True, reviewed_at=timezone.now())

    item = lock_objects.moderation_item_lock(content_type=content_type, content_id=content_id)
    if item is None:
        item = ModerationItem(content_type=content_type, content_id=content_id)
    elif item.escalated and values["status"] != ModerationStatus.APPROVED:
        values["priority_level"] = 1
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    if auto_approve:
        _announce(item, ModerationStatus.APPROVED, None, "")
    return item


def _lock_item(item_id) -> ModerationItem:
    item = lock_objects.moderation_item_lock(item_id=item_id)
    if item is None:
        raise ApplicationError(error_codes.MODERATION_ITEM_NOT_FOUND, gettext("Moderation item not found."))
    return item


@transaction.atomic
def moderation_decide(*, item, decision, by, notes="") -> ModerationItem:
    """Approve or reject; the owning app changes the content's visibility in the same transaction."""
    if decision not in DECISIONS:
        raise ApplicationError(
            error_codes.MODERATION_INVALID_ACTION,
            gettext("Decision must be 'approved' or 'rejected'."),
            errors={"decision": [gettext("Expected approved or rejected.")]},
        )
    item = _lock_item(item.pk if isinstance(item, ModerationItem) else item)
    if item.status == decision:
        raise ApplicationError(
            error_codes.MODERATION_ALREADY_DECIDED,
            gettext("This content is already %(decision)s.") % {"decision": decision},
        )
    item.status = decision
    item.reviewed_by = by
    item.reviewed_at = timezone.now()
    item.review_notes = str(notes or "")[:2000]
    item.auto_approved = False
    item.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_notes", "auto_approved", "updated_at"])
    _announce(item, decision, by, item.review_notes)
    return item


def moderation_approve(*, item, by, notes="") -> ModerationItem:
    return moderation_decide(item=item, decision=ModerationStatus.APPROVED, by=by, notes=notes)


def moderation_reject(*, item, by, notes="") -> ModerationItem:
    return moderation_decide(item=item, decision=ModerationStatus.REJECTED, by=by, notes=notes)


@transaction.atomic
def moderation_escalate(*, item, by, notes="") -> ModerationItem:
    item = _lock_item(item.pk if isinstance(item, ModerationItem) else item)
    item.escalated = True
    item.escalated_at = timezone.now()
    item.escalated_by = by
    item.priority_level = 1
    if item.status == ModerationStatus.PENDING:
        item.status = ModerationStatus.NEEDS_REVIEW
    if notes:
        item.review_notes = (f"{item.review_notes}\n{notes}" if item.review_notes else str(notes))[:2000]
    item.save(
        update_fields=["escalated", "escalated_at", "escalated_by", "priority_level", "status", "review_notes"]
        + ["updated_at"]
    )
    return item


def moderation_bulk_action(*, ids, action, by, notes="") -> dict:
    """``action``: approve | reject | escalate. Items already in the asked state are skipped."""
    handlers = {
        "approve": lambda item: moderation_approve(item=item, by=by, notes=notes),
        "reject": lambda item: moderation_reject(item=item, by=by, notes=notes),
        "escalate": lambda item: moderation_escalate(item=item, by=by, notes=notes),
    }
    if action not in handlers:
        raise ApplicationError(
            error_codes.MODERATION_INVALID_ACTION,
            gettext("Action must be approve, reject or escalate."),
            errors={"action": [gettext("Expected approve, reject or escalate.")]},
        )
    ids = list(dict.fromkeys(ids))
    if not ids or len(ids) > MAX_BULK:
        raise ApplicationError(
            ApiErrorCode.VALIDATION_ERROR,
            gettext("Give 1 to %(max)d ids.") % {"max": MAX_BULK},
            errors={"ids": [gettext("Expected 1..%(max)d ids.") % {"max": MAX_BULK}]},
        )
    found = set(ModerationItem.objects.filter(pk__in=ids).values_list("pk", flat=True))
    done, skipped = [], []
    with transaction.atomic():
        for item_id in ids:
            if item_id not in found:
                skipped.append(bulk.not_found(item_id))
                continue
            try:
                with transaction.atomic():
                    handlers[action](item_id)
            except ApplicationError as exc:
                skipped.append(bulk.skipped(item_id, exc.error_code, exc.message))
                continue
            done.append(item_id)
    return {"action": action, "done": done, "skipped": skipped}


@transaction.atomic
def moderation_report(
    *, content_type, content_id, reporter, reason, details="", owner=None, text="", metadata=None
) -> ModerationItem:
    """A user reports content: it goes back to the queue (``needs_review``) and is escalated after
    ``MODERATION_REPORTS_TO_ESCALATE`` distinct reports. The content stays as it is until staff decide."""
    if owner is not None and owner.pk == reporter.pk:
        raise ApplicationError(error_codes.REPORT_OWN_CONTENT, gettext("You cannot report your own content."))
    item = lock_objects.moderation_item_lock(content_type=content_type, content_id=content_id)
    if item is None:
        item = ModerationItem.objects.create(
            content_type=content_type,
            content_id=content_id,
            user=owner,
            content_text=str(text or "")[:10000],
            content_metadata=metadata or {},
            status=ModerationStatus.APPROVED,
        )
    try:
        with transaction.atomic():
            ModerationReport.objects.create(item=item, reporter=reporter, reason=reason, details=details or "")
    except IntegrityError as exc:
        raise ApplicationError(error_codes.ALREADY_REPORTED, gettext("You have already reported this.")) from exc
    item.report_count = F("report_count") + 1
    item.user_reported = True
    if FlagReason.USER_REPORTED not in item.flagged_reasons:
        item.flagged_reasons = [*item.flagged_reasons, FlagReason.USER_REPORTED.value]
    if item.status != ModerationStatus.REJECTED:
        item.status = ModerationStatus.NEEDS_REVIEW
    item.save()
    item.refresh_from_db()
    if item.report_count >= thresholds()["reports_to_escalate"] and not item.escalated:
        item.escalated, item.escalated_at, item.priority_level = True, timezone.now(), 1
        item.save(update_fields=["escalated", "escalated_at", "priority_level", "updated_at"])
    return item


@transaction.atomic
def moderation_flag(*, content_type, content_id, reason, details=None, owner_id=None, text="") -> ModerationItem | None:
    """The system raises a flag on published content (ml: a negative review naming burning, a rash...).

    The item goes back to the queue as ``needs_review`` at the top priority; the content stays as it is
    until staff decide. Once per reason and item: after staff approve it, the same flag is not raised
    again (``None`` is answered then), unless the content is edited and screened afresh.
    """
    item = lock_objects.moderation_item_lock(content_type=content_type, content_id=content_id)
    if item is None:
        item = ModerationItem(
            content_type=content_type,
            content_id=content_id,
            user_id=owner_id,
            content_text=str(text or "")[:10000],
            status=ModerationStatus.APPROVED,
        )
    elif reason in item.flagged_reasons:
        return None
    item.flagged_reasons = [*item.flagged_reasons, reason]
    item.screen_details = {**item.screen_details, reason: details or {}}
    item.priority_level = 1
    if item.status != ModerationStatus.REJECTED:
        item.status = ModerationStatus.NEEDS_REVIEW
    item.save()
    return item


def moderation_withdraw(*, content_type, content_ids):
    """The content was deleted by its author: its queue items go too."""
    ModerationItem.objects.filter(content_type=content_type, content_id__in=list(content_ids)).delete()


# --- Notifications ------------------------------------------------------------------------------

# Per type: which channels are on unless the user says otherwise. Orders send their own
# e-mails (shop.orders.notifications), so order updates default to in-app + push only.
DEFAULT_CHANNELS = {
    NotificationType.REVIEW_APPROVED: {"email": True, "push": True},
    NotificationType.REVIEW_REJECTED: {"email": True, "push": True},
    NotificationType.QUESTION_ANSWERED: {"email": True, "push": True},
    NotificationType.ANSWER_HELPFUL: {"email": False, "push": True},
    NotificationType.CONTENT_REJECTED: {"email": True, "push": False},
    NotificationType.WISHLIST_SALE: {"email": True, "push": True},
    NotificationType.WISHLIST_RESTOCK: {"email": True, "push": True},
    NotificationType.WISHLIST_REVIEWS: {"email": False, "push": False},
    NotificationType.ORDER_UPDATE: {"email": False, "push": True},
    NotificationType.REPLENISHMENT: {"email": True, "push": True},
    NotificationType.COMMUNITY: {"email": True, "push": True},
    NotificationType.ACHIEVEMENT: {"email": True, "push": True},
    NotificationType.GOAL: {"email": True, "push": True},
}


def channels_for(preference, notification_type) -> dict:
    """``{"email": bool, "push": bool}`` for one type under a user's preferences (or defaults)."""
    wanted = dict(DEFAULT_CHANNELS.get(notification_type, {"email": False, "push": False}))
    if preference is not None:
        wanted.update(
            {k: bool(v) for k, v in (preference.type_settings or {}).get(notification_type, {}).items() if k in wanted}
        )
        wanted["email"] = wanted["email"] and preference.email_enabled
        wanted["push"] = wanted["push"] and preference.push_enabled
    return wanted


def _deliver_on_commit(notifications):
    ids = [n.pk for n in notifications if n.email_wanted or n.push_wanted]
    if not ids:
        return
    from feedback.tasks import deliver_notifications

    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        transaction.on_commit(lambda chunk=chunk: deliver_notifications.delay(ids=chunk))


def notifications_create(
    *,
    users,
    type,
    title,
    message,
    action_url="",
    related_type="",
    related_id=None,
    related_key="",
    priority=NotificationPriority.NORMAL,
    thumbnail_url="",
    action_buttons=None,
    file=None,
) -> list[Notification]:
    """The same notification for many users (bulk insert); e-mail/push follow each user's preferences."""
    user_ids = list(dict.fromkeys(u if isinstance(u, int) else u.pk for u in users))
    common = {
        "type": type,
        "title": title,
        "message": message,
        "action_url": action_url,
        "related_type": related_type,
        "related_id": related_id,
        "related_key": related_key,
        "priority": priority,
        "thumbnail_url": thumbnail_url,
        "action_buttons": action_buttons,
        "file": file,
    }
    return notices_create(notices=[{"user": user_id, **common} for user_id in user_ids])


def notices_create(*, notices, deliver_here=False) -> list[Notification]:
    """Notifications that differ (user, type, title, message and the optional fields of
    ``notifications_create``), in the order given: one read of the users' preferences and one
    INSERT for all of them, then one delivery task for those that want e-mail or push.
    ``deliver_here`` (a caller already off the request, in a Celery task, outside a transaction):
    the e-mail / push is done right here instead (``_deliver_here``), without another message."""
    if not notices:
        return []
    user_ids = list(dict.fromkeys(_user_id(notice["user"]) for notice in notices))
    preferences = notification_preferences_by_user(user_ids=user_ids)
    rows = []
    for notice in notices:
        user_id = _user_id(notice["user"])
        wanted = channels_for(preferences.get(user_id), notice["type"])
        rows.append(
            Notification(
                user_id=user_id,
                type=notice["type"],
                title=str(notice["title"])[:255],
                message=notice["message"],
                action_url=notice.get("action_url") or "",
                related_type=notice.get("related_type") or "",
                related_id=notice.get("related_id"),
                related_key=notice.get("related_key") or "",
                priority=notice.get("priority") or NotificationPriority.NORMAL,
                thumbnail_url=notice.get("thumbnail_url") or "",
                action_buttons=notice.get("action_buttons") or [],
                file=notice.get("file"),
                email_wanted=wanted["email"],
                push_wanted=wanted["push"],
            )
        )
    if len(rows) == 1:  # one INSERT, no BEGIN/COMMIT round trips around it (the common case)
        rows[0].save(force_insert=True)
        created = rows
    elif prepared_statements(connection):
        created = _notices_insert(rows)
    else:
        created = Notification.objects.bulk_create(rows, batch_size=500)
    if any(n.pk is None for n in created):  # backends that cannot return ids
        created = list(
            Notification.objects.filter(user_id__in=user_ids, type__in={row.type for row in rows}).order_by("-id")[
                : len(rows)
            ]
        )
    if deliver_here:
        _deliver_here(created)
    else:
        _deliver_on_commit(created)
    return created


def _notices_insert(rows):
    """``Notification.objects.bulk_create(rows)`` as one prepared statement (``skincare.prepared.rows_insert``:
    the ORM's values, ids in the rows' order) and the same drop of the users' cached notification lists. The
    worker's notices task runs it once per batch: session 11 measured it (docs/performance.md)."""
    rows_insert(Notification, rows, signals=False)
    user_pages.users_changed(list_cache.SCOPE, [row.user_id for row in rows])
    return rows


def _deliver_here(notifications):
    """What ``deliver_notifications`` would do with these notifications, done now: the rows just
    written stand for the ones it would read back (with their users, read only when one wants an
    e-mail). When it fails, the delivery task is queued as ``_deliver_on_commit`` would have (so
    an ``OSError`` is retried as before, and delivery is idempotent: what was sent is not sent
    again)."""
    wanted = [n for n in notifications if n.email_wanted or n.push_wanted]
    if not wanted:
        return
    try:
        if any(n.email_wanted for n in wanted):
            wanted = list(Notification.objects.filter(pk__in=[n.pk for n in wanted]).select_related("user"))
        notifications_deliver(notifications=wanted)
    except Exception:  # noqa: BLE001 - handed to the task, which retries or records it as before
        logger.warning("Delivery of notifications %s queued after a failure", [n.pk for n in wanted], exc_info=True)
        _deliver_on_commit(wanted)


def notifications_deliver(*, notifications) -> dict:
    """E-mail / push for ``notifications`` (each with its ``user`` loaded when it wants an e-mail):
    one read of the push devices of the users to push to. Returns ``{"email": n, "push": n}``."""
    sent = {"email": 0, "push": 0}
    pushing = {n.user_id for n in notifications if n.push_wanted and not n.push_sent}
    devices = push_devices_by_user(user_ids=sorted(pushing)) if pushing else {}
    for notification in notifications:
        outcome = notification_deliver(notification=notification, devices=devices.setdefault(notification.user_id, []))
        sent["email"] += outcome["email"]
        sent["push"] += outcome["push"]
    return sent


def _user_id(user):
    return user if isinstance(user, int) else user.pk


def notification_create(*, user, type, title, message, **extra) -> Notification:
    return notifications_create(users=[user], type=type, title=title, message=message, **extra)[0]


def notification_deliver(*, notification, devices=None) -> dict:
    """E-mail and push for one notification, as its owner wanted at creation; idempotent.
    ``devices``: the owner's active push tokens when the caller read them already (newest first);
    tokens the push service refuses are removed from that list as they are deactivated."""
    from django.conf import settings

    from feedback.push import push_backend
    from skincare.mail import templated_email_send

    outcome = {"email": False, "push": False}
    now = timezone.now()
    user = notification.user if notification.email_wanted and not notification.email_sent else None
    if user is not None and user.email and user.is_active:
        templated_email_send(
            to=user.email,
            template="emails/feedback/notification",
            context={
                "name": user.get_short_name(),
                "title": notification.title,
                "message": notification.message,
                "action_url": notification.action_url,
                "frontend_url": settings.FRONTEND_URL.rstrip("/"),
                "type": notification.type,
            },
        )
        Notification.objects.filter(pk=notification.pk).update(email_sent=True, email_sent_at=now)
        outcome["email"] = True
    if notification.push_wanted and not notification.push_sent:
        if devices is None:
            devices = push_devices_by_user(user_ids=[notification.user_id]).get(notification.user_id, [])
        if devices:
            result = push_backend().send(
                tokens=devices,
                title=notification.title,
                body=notification.message,
                data={"type": notification.type, "related_type": notification.related_type,
                      "related_id": notification.related_id or "", "related_key": notification.related_key,
                      "action_url": notification.action_url},
            )  # fmt: skip
            if result.invalid_tokens:
                PushDevice.objects.filter(token__in=result.invalid_tokens).update(is_active=False)
                devices[:] = [token for token in devices if token not in set(result.invalid_tokens)]
            if result.sent:
                Notification.objects.filter(pk=notification.pk).update(push_sent=True, push_sent_at=now)
                outcome["push"] = True
    return outcome


def _own_notification(user, notification_id) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise ApplicationError(error_codes.NOTIFICATION_NOT_FOUND, gettext("Notification not found."))
    return notification


def notification_mark_read(*, user, notification_id) -> Notification:
    notification = _own_notification(user, notification_id)
    if not notification.is_read:
        notification.is_read, notification.read_at = True, timezone.now()
        notification.save(update_fields=["is_read", "read_at"])
    return notification


def notification_dismiss(*, user, notification_id) -> None:
    notification = _own_notification(user, notification_id)
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        dismissed_at=now, is_read=True, read_at=notification.read_at or now
    )


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, is_read=False).update(is_read=True, read_at=timezone.now())


def notification_preferences_get(*, user) -> NotificationPreference:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


@transaction.atomic
def notification_preferences_update(*, user, email_enabled=None, push_enabled=None, types=None):
    """``types``: ``{"answer_helpful": {"email": false}}``; unknown types or channels are refused."""
    preference = lock_objects.notification_preference_lock(user=user)
    if email_enabled is not None:
        preference.email_enabled = bool(email_enabled)
    if push_enabled is not None:
        preference.push_enabled = bool(push_enabled)
    if types is not None:
        if not isinstance(types, dict):
            raise ApplicationError(
                error_codes.INVALID_PREFERENCES,
                gettext("types must be an object."),
                errors={"types": [gettext("Object.")]},
            )
        settings_ = dict(preference.type_settings or {})
        errors = {}
        for type_name, channels in types.items():
            if type_name not in NotificationType.values:
                errors[type_name] = ["Unknown notification type."]
                continue
            if not isinstance(channels, dict) or not channels:
                errors[type_name] = ['Expected {"email": true|false, "push": true|false}.']
                continue
            bad = [c for c, v in channels.items() if c not in NotificationChannel.values or not isinstance(v, bool)]
            if bad:
                errors[type_name] = [f"Unknown channel or non-boolean value: {', '.join(map(str, bad))}."]
                continue
            settings_[type_name] = {**settings_.get(type_name, {}), **channels}
        if errors:
            raise ApplicationError(
                error_codes.INVALID_PREFERENCES,
                gettext("Invalid notification preferences."),
                errors={"types": [errors]},
            )
        preference.type_settings = settings_
    preference.save()
    return preference


@transaction.atomic
def push_device_register(*, user, token, platform) -> PushDevice:
    """Idempotent; a token seen on another account moves to this one (same phone, new login)."""
    device = lock_objects.push_device_lock(token=token)
    if device is None:
        try:
            with transaction.atomic():
                return PushDevice.objects.create(user=user, token=token, platform=platform)
        except IntegrityError:
            device = lock_objects.push_device_lock(token=token)
    device.user, device.platform, device.is_active = user, platform, True
    device.save()
    return device


def push_device_unregister(*, user, token) -> None:
    deleted, _ = PushDevice.objects.filter(user=user, token=token).delete()
    if not deleted:
        raise ApplicationError(error_codes.PUSH_DEVICE_NOT_FOUND, gettext("Device not registered."))


# --- Wishlist notices ---------------------------------------------------------------------------

WISHLIST_KINDS = {
    "sale": ("notify_on_sale", NotificationType.WISHLIST_SALE),
    "restock": ("notify_on_restock", NotificationType.WISHLIST_RESTOCK),
    "reviews": ("notify_on_reviews", NotificationType.WISHLIST_REVIEWS),
}


def wishlist_notify(*, product, kind, title, message, related_type="product", related_id=None):
    """Notify everyone who wishes ``product`` unless their wishlist feedback turned this ``kind`` off.

    One notification of a kind per product and user within ``WISHLIST_NOTIFY_COOLDOWN_HOURS``.
    """
    from django.conf import settings

    from shop.wishlist.models import WishlistFeedback, WishlistItem

    flag, notification_type = WISHLIST_KINDS[kind]
    opted_out = WishlistFeedback.objects.filter(product=product, **{flag: False}).values("user_id")
    cooldown = timedelta(hours=getattr(settings, "WISHLIST_NOTIFY_COOLDOWN_HOURS", 24))
    recent = Notification.objects.filter(
        type=notification_type,
        related_type="product",
        related_id=product.pk,
        created_at__gte=timezone.now() - cooldown,
    ).values("user_id")
    user_ids = list(
        WishlistItem.objects.filter(product=product, user__is_active=True)
        .exclude(user_id__in=opted_out)
        .exclude(user_id__in=recent)
        .values_list("user_id", flat=True)
    )
    if not user_ids:
        return []
    with transaction.atomic():
        return notifications_create(
            users=user_ids,
            type=notification_type,
            title=title,
            message=message,
            action_url=f"/products/{product.slug}",
            related_type="product",
            related_id=product.pk,
        )


# --- Product feedback forms ---------------------------------------------------------------------

MAX_RESPONSE_KEYS = 50
MAX_RESPONSE_TEXT = 2000


def _validate_responses(responses):
    problem = None
    if not isinstance(responses, dict) or not responses:
        problem = gettext("Expected a non-empty object of question -> answer.")
    elif len(responses) > MAX_RESPONSE_KEYS:
        problem = gettext("At most %(max)d answers.") % {"max": MAX_RESPONSE_KEYS}
    else:
        for key, value in responses.items():
            values = value if isinstance(value, list) else [value]
            if len(str(key)) > 100:
                problem = gettext("Question keys are at most 100 characters.")
            elif isinstance(value, list) and len(value) > 20:
                problem = gettext("%(key)s: at most 20 choices.") % {"key": key}
            elif not all(v is None or isinstance(v, str | int | float | bool) for v in values):
                problem = gettext("%(key)s: answers are text, numbers, booleans or lists of those.") % {"key": key}
            elif any(isinstance(v, str) and len(v) > MAX_RESPONSE_TEXT for v in values):
                problem = gettext("%(key)s: at most %(max)d characters.") % {"key": key, "max": MAX_RESPONSE_TEXT}
            if problem:
                break
    if problem:
        raise ApplicationError(error_codes.INVALID_FEEDBACK_RESPONSES, problem, errors={"responses": [problem]})


def product_feedback_submit(
    *,
    user,
    product_id,
    responses,
    overall_rating=None,
    order_item_id=None,
    allow_followup_contact=False,
    preferred_contact_method="",
) -> ProductFeedbackResponse:
    from shop.catalog.selectors import product_active_get
    from shop.orders.models import OrderItem

    product = product_active_get(product_id=product_id)
    _validate_responses(responses)
    order_item = None
    if order_item_id is not None:
        order_item = OrderItem.objects.filter(pk=order_item_id, order__user=user, product=product).first()
        if order_item is None:
            raise ApplicationError(
                error_codes.ORDER_ITEM_NOT_FOUND,
                gettext("That order line is not one of your purchases of this product."),
                errors={"order_item_id": [gettext("Not found.")]},
            )
    return ProductFeedbackResponse.objects.create(
        user=user,
        product=product,
        order_item=order_item,
        responses=responses,
        overall_rating=overall_rating,
        allow_followup_contact=allow_followup_contact,
        preferred_contact_method=preferred_contact_method or "",
    )


def open_moderation_q():
    return Q(status__in=[ModerationStatus.PENDING, ModerationStatus.NEEDS_REVIEW])
