"""Order events that buy premium or take it back (connected in ``SubscriptionsConfig.ready``)."""

import logging

from shop.subscriptions import services
from skincare import events

logger = logging.getLogger(__name__)


def on_order_paid(sender, order, **kwargs):
    services.premium_grant_for_order(order=order)


def on_order_refunded(sender, order, **kwargs):
    services.premium_revoke_for_order(order=order)


def connect():
    events.order_paid.connect(on_order_paid, dispatch_uid="subscriptions-order-paid")
    events.order_refunded.connect(on_order_refunded, dispatch_uid="subscriptions-order-refunded")
