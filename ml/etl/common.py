from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from shop.orders.models import OrderStatus

CENT = Decimal("0.01")
# Orders that count as sales: placed and not cancelled or refunded.
SOLD = [OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED]
# Orders that count as purchases for the training data (seed: 'confirmed' and 'delivered', and
# the states between them).
PURCHASED = [OrderStatus.CONFIRMED, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED]


def day_bounds(day):
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def yesterday():
    return datetime.now(UTC).date() - timedelta(days=1)


def parse_day(value):
    return value if isinstance(value, date) else date.fromisoformat(value)


def money(value):
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(part, whole, places=4):
    """``part / whole`` rounded half-up, as a float; None when ``whole`` is 0."""
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def mean(values, places=2):
    values = [v for v in values if v is not None]
    return ratio(sum(values), len(values), places) if values else None
