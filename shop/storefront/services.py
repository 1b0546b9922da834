"""Page actions that compose several shop services."""

from shop.orders.services import order_reorder as _order_reorder


def order_reorder(*, cart, order):
    """The orders service, with each refusal as (item name, reason) for the page's messages."""
    added, problems = _order_reorder(cart=cart, order=order)
    return added, [(item.product_name, exc.message) for item, exc in problems]
