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

from django.db import models

from skincare.api import user_pages

SCOPE = "notifications"
# Columns the list neither shows nor filters on: writing only these keeps the pages.
NOT_LISTED = frozenset({"email_wanted", "push_wanted", "email_sent", "email_sent_at", "push_sent", "push_sent_at"})


def user_changed(user_id):
    user_pages.user_changed(SCOPE, user_id)


def all_changed():
    user_pages.all_changed(SCOPE)


class NotificationQuerySet(models.QuerySet):
    def update(self, **kwargs):
        done = super().update(**kwargs)
        if not set(kwargs) <= NOT_LISTED:
            all_changed()
        return done

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        for user_id in {notification.user_id for notification in created}:
            user_changed(user_id)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        done = super().bulk_update(objs, fields, *args, **kwargs)
        if not set(fields) <= NOT_LISTED:
            all_changed()
        return done

    def delete(self):
        done = super().delete()
        all_changed()
        return done


def on_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= NOT_LISTED:
        return
    user_changed(instance.user_id)
    if not created and (update_fields is None or "user" in update_fields):
        all_changed()  # a whole-row save (the admin) may have moved the notification from another user


def on_deleted(sender, instance, **kwargs):
    user_changed(instance.user_id)


def connect():
    from django.db.models.signals import post_delete, post_save

    from feedback.models import Notification

    post_save.connect(on_saved, sender=Notification, dispatch_uid="notifications-list-cache-saved")
    post_delete.connect(on_deleted, sender=Notification, dispatch_uid="notifications-list-cache-deleted")
