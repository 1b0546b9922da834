"""E-mails and in-app events for order milestones, queued after the transaction commits."""

from django.conf import settings
from django.db import transaction

from shop.cart.shipping import method_name
from shop.orders.models import Order, OrderItem
from skincare import deferred, events

EMAIL_EVENTS = ("placed", "paid", "shipped", "delivered", "cancelled", "refunded")


def _email_item(name, variant_name, quantity, unit_price, total_price):
    return {
        "name": name + (f" ({variant_name})" if variant_name else ""),
        "quantity": quantity,
        "unit_price": str(unit_price),
        "total_price": str(total_price),
    }


def order_email_items(order_id):
    """The lines as bought, read when the e-mail is rendered (they never change after checkout)."""
    rows = OrderItem.objects.filter(order_id=order_id).order_by("pk")
    return [
        _email_item(*row)
        for row in rows.values_list("product_name", "variant_name", "quantity", "unit_price", "total_price")
    ]


def order_email_context(order, **extra):
    """What the e-mail says about the order at the event, without a query (items come later)."""
    return {
        "order_number": order.order_number,
        "customer_name": order.customer_name or order.customer_email,
        "currency": order.currency,
        "subtotal": str(order.subtotal),
        "discount_amount": str(order.discount_amount),
        "shipping_amount": str(order.shipping_amount),
        "shipping_method": str(method_name(order.shipping_method)),
        "tax_amount": str(order.tax_amount),
        "total": str(order.total),
        "status": order.status,
        "payment_method": order.get_payment_method_display(),
        "tracking_number": order.tracking_number,
        "order_url": f"{settings.FRONTEND_URL.rstrip('/')}/orders/{order.order_number}",
        **{key: str(value) for key, value in extra.items()},
    }


def order_email(order, event, *, items=None, **extra):
    """Queue the e-mail after commit (``_emails_publish``): the task renders it (and reads the lines, unless ``items``,
    the ``OrderItem`` rows as just created, already says what they are), so neither the rendering
    nor a line query runs inside the checkout's lock window (nor in the request, with a broker)."""
    if event not in EMAIL_EVENTS or not order.customer_email:
        return
    kwargs = {
        "order_id": order.pk,
        "to": order.customer_email,
        "template": f"emails/orders/{event}",
        "context": order_email_context(order, **extra),
    }
    if items is not None:
        kwargs["items"] = [
            _email_item(item.product_name, item.variant_name, item.quantity, item.unit_price, item.total_price)
            for item in items
        ]
    transaction.on_commit(lambda: deferred.defer(EMAILS, (event, kwargs), flush=_emails_publish))


EMAILS = "orders.emails"  # the deferred key of the order e-mails of one operation (``_emails_publish``)


def _emails_publish(emails):
    """Hand on ``[(event, order_email_send's kwargs)]``, one task each, except that an order's "placed" and
    "paid" e-mails of one operation (a checkout whose card was approved at once) are one e-mail: the "placed"
    one, with the order as the payment left it and ``paid`` set (it then says the payment was received).
    Outside a ``skincare.deferred.batch`` each e-mail comes alone, as when the payment follows later."""
    from shop.orders.tasks import order_email_send

    paid = {kwargs["order_id"]: kwargs for event, kwargs in emails if event == "paid"}
    placed = {kwargs["order_id"] for event, kwargs in emails if event == "placed"}
    for event, kwargs in emails:
        order_id = kwargs["order_id"]
        if event == "paid" and order_id in placed:
            continue  # said by the order's "placed" e-mail
        if event == "placed" and order_id in paid:
            kwargs = {**kwargs, "context": {**paid[order_id]["context"], "paid": True}}
        deferred.publish(order_email_send, kwargs=kwargs)


def send_on_commit(signal, **kwargs):
    transaction.on_commit(lambda: signal.send(sender=Order, **kwargs))


def notify_placed(order, *, items=None):
    """``items``: the order's ``OrderItem`` rows as just created (the e-mail and the receivers of
    ``order_placed`` then need not read them again)."""
    order_email(order, "placed", items=items)
    if items is None:
        send_on_commit(events.order_placed, order=order)
    else:
        send_on_commit(events.order_placed, order=order, items=list(items))


def notify_paid(order, payment):
    order_email(order, "paid")
    send_on_commit(events.order_paid, order=order, payment=payment)


def notify_status(order, old_status, new_status, by):
    if new_status in ("shipped", "delivered", "cancelled"):
        order_email(order, new_status)
    send_on_commit(events.order_status_changed, order=order, old_status=old_status, new_status=new_status, by=by)


def notify_refunded(order, refund):
    order_email(order, "refunded", refund_amount=refund.amount)
    send_on_commit(events.order_refunded, order=order, refund=refund, amount=refund.amount)
