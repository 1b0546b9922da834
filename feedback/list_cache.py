"""The notifications list kept rendered per user (``skincare.api.user_pages``, scope ``notifications``).

Every write to the rows the list shows drops the user's pages, whatever path it takes:

* ``Notification.save`` (a new notification, marked read, the admin) and ``delete``: the ``post_save`` /
  ``post_delete`` receivers, per user;
* ``bulk_create`` (one notification for many users): per user of the new rows;
* queryset ``update`` / ``bulk_update`` / ``delete`` (dismiss, mark all read): every user's pages, unless
  only delivery bookkeeping the list does not show is written (``NOT_LISTED``).

A page also stops being served when the first of its notifications' ``expires_at`` passes (the list leaves
expired ones out): ``notifications_page`` returns that time with the rows.

Tests: ``feedback/tests/test_notification_list_cache.py``.
"""

from skincare.api import user_pages

SCOPE = "notifications"
# Columns the list neither shows nor filters on: writing only these keeps the pages.
NOT_LISTED = frozenset({"email_wanted", "push_wanted", "email_sent", "email_sent_at", "push_sent", "push_sent_at"})


class NotificationQuerySet(user_pages.InvalidatingQuerySet):
    scope = SCOPE
    not_listed = NOT_LISTED


def on_saved(sender, instance, created=False, update_fields=None, **kwargs):
    user_pages.row_saved(SCOPE, instance.user_id, created=created, update_fields=update_fields, not_listed=NOT_LISTED)


def on_deleted(sender, instance, **kwargs):
    user_pages.user_changed(SCOPE, instance.user_id)


def connect():
    from django.db.models.signals import post_delete, post_save

    from feedback.models import Notification

    post_save.connect(on_saved, sender=Notification, dispatch_uid="notifications-list-cache-saved")
    post_delete.connect(on_deleted, sender=Notification, dispatch_uid="notifications-list-cache-deleted")
