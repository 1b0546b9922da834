from decimal import Decimal

from django.utils import timezone

from shop.accounts.tests.factories import UserFactory
from shop.orders.models import Order, OrderItem, OrderStatus

_counter = iter(range(1, 10**9))


def deliver(user, *products, status=OrderStatus.DELIVERED):
    """A delivered order of ``products`` for ``user`` (makes their reviews verified purchases)."""
    order = Order.objects.create(
        order_number=f"T-{next(_counter):08d}",
        user=user,
        customer_email=user.email,
        currency="USD",
        subtotal=Decimal("10.00") * len(products),
        total=Decimal("10.00") * len(products),
        status=status,
        delivered_at=timezone.now() if status == OrderStatus.DELIVERED else None,
    )
    for product in products:
        OrderItem.objects.create(
            order=order,
            product=product,
            product_name=product.name,
            quantity=1,
            unit_price=Decimal("10.00"),
            total_price=Decimal("10.00"),
        )
    return order


def review_payload(**overrides):
    return {
        "rating": 5,
        "title": "Calmer skin",
        "review_text": "My skin feels smoother and the redness faded after three weeks.",
        "visible_results": True,
        "would_recommend": True,
        "effectiveness_rating": 5,
        "texture_rating": 4,
        **overrides,
    }


def reviewers(n, **kwargs):
    return [UserFactory(**kwargs) for _ in range(n)]
