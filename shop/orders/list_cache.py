"""The shopper's order list kept rendered per user (``skincare.api.user_pages``, scope ``orders``).

Every write to the rows the list shows drops the user's pages, whatever path it takes:

* ``Order.save`` (placement, payment, every status change, refund, cancel, expiry, staff edits, the
  admin) and ``Order.delete``: the ``post_save`` / ``post_delete`` receivers, per user;
* queryset writes (``update``, ``bulk_create``, ``bulk_update``, ``delete``) of orders: the querysets
  below, for every user at once (the guest-order claim moves orders between users with ``update``);
* order lines (``item_count``): written with ``bulk_create`` at placement (per user of the lines'
  orders; checkout's, inserted with their order without signals (``skincare.prepared.rows_insert_under``),
  rely on its order's ``post_save``) and never edited
  afterwards except ``runs_out_on``, which the list does not show; any other line write drops every
  user's pages.

Tests: ``shop/orders/tests/test_order_list_cache.py``.
"""

from skincare.api import user_pages

SCOPE = "orders"
# Order line columns the list never reads (item_count sums quantity): writing only these keeps the pages.
ITEM_FIELDS_NOT_LISTED = frozenset({"runs_out_on"})


def user_changed(user_id):
    user_pages.user_changed(SCOPE, user_id)


def all_changed():
    user_pages.all_changed(SCOPE)


def _item_user(item):
    """The user id of a line's order when the order is at hand (no query), else ``UNKNOWN_USER``."""
    order = item._state.fields_cache.get("order")
    return order.user_id if order is not None and order.pk == item.order_id else user_pages.UNKNOWN_USER


class OrderQuerySet(user_pages.InvalidatingQuerySet):
    scope = SCOPE


class OrderItemQuerySet(user_pages.InvalidatingQuerySet):
    scope = SCOPE
    not_listed = ITEM_FIELDS_NOT_LISTED
    user_of = staticmethod(_item_user)


def _item_changed(item):
    """Drop the pages of the line's user (every user's when the order is not at hand)."""
    user_id = _item_user(item)
    if user_id is user_pages.UNKNOWN_USER:
        all_changed()
    else:
        user_changed(user_id)


def on_order_saved(sender, instance, created=False, update_fields=None, **kwargs):
    user_pages.row_saved(SCOPE, instance.user_id, created=created, update_fields=update_fields)


def on_order_deleted(sender, instance, **kwargs):
    user_changed(instance.user_id)


def on_item_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= ITEM_FIELDS_NOT_LISTED:
        return
    _item_changed(instance)


def on_item_deleted(sender, instance, **kwargs):
    _item_changed(instance)


def connect():
    from django.db.models.signals import post_delete, post_save

    from shop.orders.models import Order, OrderItem

    post_save.connect(on_order_saved, sender=Order, dispatch_uid="orders-list-cache-order-saved")
    post_delete.connect(on_order_deleted, sender=Order, dispatch_uid="orders-list-cache-order-deleted")
    post_save.connect(on_item_saved, sender=OrderItem, dispatch_uid="orders-list-cache-item-saved")
    post_delete.connect(on_item_deleted, sender=OrderItem, dispatch_uid="orders-list-cache-item-deleted")
