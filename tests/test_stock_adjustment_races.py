"""Stock adjustments racing checkouts and each other on PostgreSQL: every unit is accounted for.

Lives here, not in the catalog app: it places orders (a higher app than the catalog)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from shop.accounts.tests.factories import AddressFactory, StaffFactory, UserFactory
from shop.catalog import services
from shop.catalog.models import Product, StockAdjustment
from shop.catalog.tests.factories import ProductFactory
from shop.orders.models import OrderItem
from shop.orders.services import order_place
from shop.orders.tests.helpers import fill_cart
from skincare.errors import ApplicationError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def run_together(jobs):
    """Release every job at once, one thread (and connection) each; [(ok, error code)] in job order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            job()
            results[index] = (True, None)
        except ApplicationError as exc:
            results[index] = (False, exc.error_code)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            results[index] = (False, repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _checkout(product):
    user = UserFactory()
    AddressFactory(user=user, is_default=True)
    cart = fill_cart(user, (product, 1))
    return lambda: order_place(user=user, cart=cart, idempotency_key="", payment_method="cash_on_delivery")


def test_write_offs_and_checkouts_never_oversell_and_every_unit_is_recorded():
    product = ProductFactory(stock_quantity=10, price=Decimal("5.00"))
    admin = StaffFactory()
    checkouts = [_checkout(product) for _ in range(8)]
    write_offs = [
        (lambda: services.stock_adjust(product=product, delta=-2, reason="damaged", by=admin)) for _ in range(4)
    ]

    results = run_together(checkouts + write_offs)

    sold = OrderItem.objects.filter(product=product).count()
    written_off = -sum(StockAdjustment.objects.filter(product=product).values_list("delta", flat=True))
    final = Product.objects.get(pk=product.pk).stock_quantity
    assert final >= 0
    assert sold + written_off + final == 10  # no unit sold twice, written off twice or lost
    assert sold == sum(ok for ok, _ in results[:8])
    assert written_off == 2 * sum(ok for ok, _ in results[8:])
    refusals = {code for ok, code in results if not ok}
    assert refusals <= {"OUT_OF_STOCK", "STOCK_WOULD_GO_NEGATIVE"}, refusals
    # each adjustment row saw the exact stock around it, in the order the locks granted them
    rows = list(StockAdjustment.objects.filter(product=product).order_by("pk"))
    assert all(row.quantity_after == row.quantity_before - 2 for row in rows)


def test_parallel_restocks_all_land():
    product = ProductFactory(stock_quantity=0, price=Decimal("5.00"))
    admin = StaffFactory()

    results = run_together(
        [(lambda: services.stock_adjust(product=product, delta=3, reason="received", by=admin)) for _ in range(10)]
    )

    assert results == [(True, None)] * 10
    assert Product.objects.get(pk=product.pk).stock_quantity == 30
    befores = sorted(StockAdjustment.objects.filter(product=product).values_list("quantity_before", flat=True))
    assert befores == [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]  # serialised by the row lock, none lost
