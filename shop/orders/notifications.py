"""E-mails and in-app events for order milestones, queued after the transaction commits."""

from django.conf import settings
from django.db import transaction

from shop.cart.shipping import method_name
from shop.orders.models import Order
from skincare import events
from skincare.mail import templated_email_enqueue

EMAIL_EVENTS = ("placed", "paid", "shipped", "delivered", "cancelled", "refunded")


def order_email_context(order, **extra):
    items = [
        {
            "name": item.product_name + (f" ({item.variant_name})" if item.variant_name else ""),  # as bought
            "quantity": item.quantity,
            "unit_price": str(item.unit_price),
            "total_price": str(item.total_price),
        }
        for item in order.items.all()
    ]
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
        "items": items,
        "order_url": f"{settings.FRONTEND_URL.rstrip('/')}/orders/{order.order_number}",
        **{key: str(value) for key, value in extra.items()},
    }


def order_email(order, event, **extra):
    if event not in EMAIL_EVENTS or not order.customer_email:
        return
    templated_email_enqueue(
        to=order.customer_email, template=f"emails/orders/{event}", context=order_email_context(order, **extra)
    )


def send_on_commit(signal, **kwargs):
    transaction.on_commit(lambda: signal.send(sender=Order, **kwargs))


def notify_placed(order):
    order_email(order, "placed")
    send_on_commit(events.order_placed, order=order)


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
