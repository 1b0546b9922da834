"""Page actions that compose several shop services."""

from shop.cart import services as cart_services
from skincare.errors import ApplicationError


def order_reorder(*, cart, order):
    """Put an order's items back in the cart, each through ``cart_add_line`` (stock and limits
    checked there). Returns (items added, [(item name, reason)] for the ones that could not be)."""
    added, problems = 0, []
    for item in order.items.all():
        try:
            cart_services.cart_add_line(
                cart=cart, product_id=item.product_id, variant_id=item.variant_id, quantity=item.quantity
            )
        except ApplicationError as exc:
            problems.append((item.product_name, exc.message))
        else:
            added += 1
    return added, problems
