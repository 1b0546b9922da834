"""Orders' answers to account events (connected in ``OrdersConfig.ready``)."""

from shop.orders.services import guest_orders_claim


def on_email_verified(sender, user, **kwargs):
    """A verified address owns the guest orders placed with it."""
    guest_orders_claim(user=user)
