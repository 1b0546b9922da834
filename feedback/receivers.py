"""Receivers of lower-app events (connected in ``FeedbackConfig.ready``): order milestones and
catalog price drops / restocks become in-app notifications (plus e-mail / push per preference)."""

import logging

from feedback import services
from feedback.models import NotificationPriority, NotificationType
from skincare import deferred, events

logger = logging.getLogger(__name__)

ORDER_MESSAGES = {
    "confirmed": ("Order {number} confirmed", "We have confirmed your order {number}."),
    "processing": ("Order {number} is being prepared", "Your order {number} is being prepared."),
    "shipped": ("Order {number} shipped", "Your order {number} is on its way.{tracking}"),
    "delivered": (
        "Order {number} delivered",
        "Your order {number} was delivered. Tell other shoppers with your skin type how it works for you.",
    ),
    "cancelled": ("Order {number} cancelled", "Your order {number} was cancelled."),
    "refunded": ("Order {number} refunded", "Your order {number} was refunded."),
}


def _order_notify(order, title, message, priority=NotificationPriority.NORMAL, *, kind=""):
    """Queue the notice (the order events are sent after their commit, so it can go right away).
    Within one operation (``skincare.deferred.batch``: a checkout's order, payment and confirmation)
    the notices go as one task that writes them in one INSERT, a checkout's as one notice
    (``_one_per_checkout``). ``kind``: the milestone ("placed", "paid" or the new status)."""
    if order.user_id is None:
        return
    notice = {
        "user_id": order.user_id,
        "order_id": order.pk,
        "order_number": order.order_number,
        "title": title,
        "message": message,
        "priority": str(priority),
    }
    deferred.defer("feedback.order_notices", (kind, notice), flush=_queue_order_notices)


PLACED_AND = {  # a checkout's one notice, by what followed the placing in the same operation
    "paid": ("Order {number} placed and paid", "Thank you! We received your order {number} and your payment."),
    "confirmed": ("Order {number} confirmed", "Thank you! We received and confirmed your order {number}."),
}


def _one_per_checkout(items):
    """``[(kind, notice)]`` as notices, an order placed in the operation told once: its "placed" notice says
    what followed in the same operation (paid, or confirmed: cash on delivery), and those are not told again."""
    kinds = {}
    for kind, notice in items:
        kinds.setdefault(notice["order_id"], set()).add(kind)
    notices = []
    for kind, notice in items:
        told = kinds[notice["order_id"]]
        if "placed" in told and kind in PLACED_AND:
            continue
        if kind == "placed":
            following = next((name for name in PLACED_AND if name in told), None)
            if following is not None:
                title, message = (part.format(number=notice["order_number"]) for part in PLACED_AND[following])
                notice = {**notice, "title": title, "message": message}
        notices.append(notice)
    return notices


def _queue_order_notices(items):
    from feedback.tasks import order_notices

    notices = _one_per_checkout(items)
    try:
        deferred.publish(order_notices, kwargs={"notices": notices})
    except Exception:  # noqa: BLE001 - a notification must never break the order flow
        logger.exception("Order notifications for %s failed", sorted({n["order_id"] for n in notices}))


def on_order_placed(sender, order, **kwargs):
    _order_notify(
        order,
        f"Order {order.order_number} placed",
        f"Thank you! We received your order {order.order_number}.",
        kind="placed",
    )


def on_order_paid(sender, order, **kwargs):
    _order_notify(order, f"Payment received for {order.order_number}", "Your payment was received.", kind="paid")


def on_order_status_changed(sender, order, old_status, new_status, **kwargs):
    template = ORDER_MESSAGES.get(str(new_status))
    if template is None or old_status == new_status:
        return
    tracking = f" Tracking number: {order.tracking_number}." if getattr(order, "tracking_number", "") else ""
    title, message = (part.format(number=order.order_number, tracking=tracking) for part in template)
    priority = NotificationPriority.HIGH if new_status in ("shipped", "delivered") else NotificationPriority.NORMAL
    _order_notify(order, title, message, priority, kind=str(new_status))


def on_order_refunded(sender, order, amount=None, **kwargs):
    amount_text = f" ({amount} {order.currency})" if amount is not None else ""
    _order_notify(
        order, f"Refund for {order.order_number}", f"A refund{amount_text} was issued for your order.", kind="refunded"
    )


def on_price_dropped(sender, product, old_price, new_price, **kwargs):
    try:
        services.wishlist_notify(
            product=product,
            kind="sale",
            title=f"{product.name} is on sale",
            message=f"{product.name} from your wishlist dropped from {old_price} to {new_price}.",
        )
    except Exception:  # noqa: BLE001 - never break the catalog write
        logger.exception("Wishlist sale notices for product %s failed", product.pk)


def on_back_in_stock(sender, product, **kwargs):
    try:
        services.wishlist_notify(
            product=product,
            kind="restock",
            title=f"{product.name} is back in stock",
            message=f"{product.name} from your wishlist is available again.",
        )
    except Exception:  # noqa: BLE001
        logger.exception("Wishlist restock notices for product %s failed", product.pk)


def on_replenishment_due(sender, user_id, product, order_number, runs_out_on, **kwargs):
    """A "running low?" notice with a one-tap reorder of the order it came from."""
    try:
        services.notification_create(
            user=user_id,
            type=NotificationType.REPLENISHMENT,
            title=f"Running low on {product.name}?",
            message=f"By our estimate your {product.name} runs out around {runs_out_on.isoformat()}.",
            action_url=f"/account/orders/{order_number}/",
            related_type="order",
            related_key=order_number,
            action_buttons=[
                {"label": "Reorder", "method": "POST", "url": f"/api/v1/orders/{order_number}/reorder"},
                {
                    "label": "Stop these reminders",
                    "method": "POST",
                    "url": "/api/v1/replenishment/opt-outs",
                    "body": {"product_id": product.pk},
                },
            ],  # fmt: skip
        )
    except Exception:  # noqa: BLE001 - a notification must never break the reminder run
        logger.exception("Replenishment notice for %s failed", order_number)


def connect():
    events.order_placed.connect(on_order_placed, dispatch_uid="feedback-order-placed")
    events.order_paid.connect(on_order_paid, dispatch_uid="feedback-order-paid")
    events.order_status_changed.connect(on_order_status_changed, dispatch_uid="feedback-order-status")
    events.order_refunded.connect(on_order_refunded, dispatch_uid="feedback-order-refunded")
    events.product_price_dropped.connect(on_price_dropped, dispatch_uid="feedback-price-dropped")
    events.product_back_in_stock.connect(on_back_in_stock, dispatch_uid="feedback-back-in-stock")
    events.replenishment_due.connect(on_replenishment_due, dispatch_uid="feedback-replenishment-due")
