"""Real concurrency on PostgreSQL: threads, each with its own connection, check out at once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from shop.accounts.tests.factories import AddressFactory, UserFactory
from shop.cart.tests.factories import ProductFactory
from shop.coupons.models import CouponUsage
from shop.coupons.tests.factories import CouponFactory
from shop.orders.models import Order
from shop.orders.services import order_place
from shop.orders.tests.helpers import fill_cart
from skincare.errors import ApplicationError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises every write)"
    ),
]


MAX_CONNECTIONS = 30  # stay well under PostgreSQL's max_connections (other test runs share it)


def run_parallel(jobs):
    """Run every job from up to MAX_CONNECTIONS threads released at the same moment.

    Returns [(result or None, error code or None)] in job order.
    """
    workers = min(len(jobs), MAX_CONNECTIONS)
    barrier = threading.Barrier(workers)
    results = [None] * len(jobs)
    pending = list(enumerate(jobs))
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait()
            while True:
                with lock:
                    if not pending:
                        return
                    index, job = pending.pop()
                try:
                    results[index] = (job(), None)
                except ApplicationError as exc:
                    results[index] = (None, exc.error_code)
                except Exception as exc:  # noqa: BLE001 - reported by the assertion
                    results[index] = (None, repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def shopper_with_cart(*lines, coupon=None):
    user = UserFactory()
    AddressFactory(user=user, is_default=True)
    cart = fill_cart(user, *lines, coupon=coupon)
    return user, cart


def cod_checkout(user, cart, key=""):
    return lambda: order_place(user=user, cart=cart, idempotency_key=key, payment_method="cash_on_delivery")[0].pk


def test_hundred_shoppers_last_ten_units():
    product = ProductFactory(stock_quantity=10, price=Decimal("5.00"))
    shoppers = [shopper_with_cart((product, 1)) for _ in range(100)]
    results = run_parallel([cod_checkout(user, cart) for user, cart in shoppers])
    errors = [error for _, error in results if error]
    assert sum(1 for pk, _ in results if pk) == 10
    assert set(errors) == {"OUT_OF_STOCK"}
    product.refresh_from_db()
    assert (product.stock_quantity, product.sales_count) == (0, 10)
    assert Order.objects.count() == 10


def test_overlapping_carts_do_not_deadlock():
    a, b, c = (ProductFactory(stock_quantity=1000) for _ in range(3))
    orders = [(a, b, c), (c, b, a), (b, a, c), (c, a, b)] * 5
    shoppers = [shopper_with_cart(*((p, 1) for p in products)) for products in orders]
    results = run_parallel([cod_checkout(user, cart) for user, cart in shoppers])
    assert [error for _, error in results if error] == []
    for product in (a, b, c):
        product.refresh_from_db()
        assert product.stock_quantity == 1000 - len(orders)


def test_coupon_total_limit_holds():
    coupon = CouponFactory(code="RUSH", usage_limit=5, usage_limit_per_user=None)
    product = ProductFactory(stock_quantity=1000)
    shoppers = [shopper_with_cart((product, 1), coupon=coupon) for _ in range(30)]
    results = run_parallel([cod_checkout(user, cart) for user, cart in shoppers])
    assert sum(1 for pk, _ in results if pk) == 5
    assert {error for _, error in results if error} == {"COUPON_USAGE_LIMIT_REACHED"}
    coupon.refresh_from_db()
    assert coupon.used_count == 5
    assert CouponUsage.objects.count() == 5


def test_idempotent_retries_make_one_order():
    product = ProductFactory(stock_quantity=100)
    user, cart = shopper_with_cart((product, 2))
    results = run_parallel([cod_checkout(user, cart, key="double-tap") for _ in range(10)])
    assert [error for _, error in results if error] == []
    assert len({pk for pk, _ in results}) == 1
    product.refresh_from_db()
    user.refresh_from_db()
    assert (product.stock_quantity, user.total_orders, Order.objects.count()) == (98, 1, 1)


def test_concurrent_cancel_and_refund_are_exclusive():
    from shop.orders.services import order_cancel

    product = ProductFactory(stock_quantity=10)
    user, cart = shopper_with_cart((product, 3))
    order_id = cod_checkout(user, cart)()
    order = Order.objects.get(pk=order_id)
    results = run_parallel([lambda: order_cancel(order=order, by=user).pk for _ in range(5)])
    assert sum(1 for pk, _ in results if pk) == 1
    assert {error for _, error in results if error} == {"ORDER_NOT_CANCELLABLE"}
    product.refresh_from_db()
    user.refresh_from_db()
    assert (product.stock_quantity, user.total_orders) == (10, 0)


def test_multi_line_carts_take_each_rows_own_quantity_in_one_update():
    """Scarce stock, carts of several lines with different quantities (variants too), all at once:
    the one stock UPDATE per table takes exactly each row's units, no row goes below zero, and the
    sales counters match the order lines."""
    from django.db.models import Sum

    from shop.cart.tests.factories import VariantFactory
    from shop.catalog.models import Product, ProductVariant
    from shop.orders.models import OrderItem

    products = [ProductFactory(stock_quantity=9, price=Decimal("4.00")) for _ in range(4)]
    variant = VariantFactory(product=products[3], stock_quantity=6)
    carts = [
        ((products[0], 2), (products[1], 1), (products[2], 3)),
        ((products[2], 1), (products[0], 1)),
        ((products[1], 2), (products[3], 1, variant), (products[0], 1)),
        ((products[3], 2, variant), (products[2], 2)),
    ] * 6
    shoppers = [shopper_with_cart(*lines) for lines in carts]

    results = run_parallel([cod_checkout(user, cart) for user, cart in shoppers])

    assert {error for _, error in results if error} <= {"OUT_OF_STOCK"}
    placed = [pk for pk, _ in results if pk]
    assert placed  # some carts fit
    sold = dict(
        OrderItem.objects.filter(order_id__in=placed, variant__isnull=True)
        .values_list("product_id")
        .annotate(n=Sum("quantity"))
    )
    sold_variant = OrderItem.objects.filter(order_id__in=placed, variant=variant).aggregate(n=Sum("quantity"))["n"] or 0
    sales = dict(OrderItem.objects.filter(order_id__in=placed).values_list("product_id").annotate(n=Sum("quantity")))
    for product in products[:3]:
        row = Product.objects.get(pk=product.pk)
        assert row.stock_quantity == 9 - sold.get(product.pk, 0) >= 0
        assert row.sales_count == sales.get(product.pk, 0)
    assert ProductVariant.objects.get(pk=variant.pk).stock_quantity == 6 - sold_variant >= 0
    assert Product.objects.get(pk=products[3].pk).stock_quantity == 9  # variant lines take the variant's stock
    assert Product.objects.get(pk=products[3].pk).sales_count == sales.get(products[3].pk, 0)


@pytest.mark.parametrize("prepared", [False, True])
@pytest.mark.parametrize("lock", ["select_for_update", "touch"])
def test_a_line_committed_while_the_checkout_waits_on_the_cart_is_ordered(settings, lock, prepared):
    """The lines are read (and deleted) by a statement that starts after the cart's lock is granted:
    a line another transaction added under that lock (a lock alone, or the cart's touch as the cart's
    changes take it) is in the order, and nothing is left in the cart. Prepared, the statement that
    locks the cart and takes its lines finds the row busy and leaves it to the two statements."""
    import time

    from django.db import transaction

    from shop.cart.lock_objects import cart_lock_touch
    from shop.cart.models import Cart, CartLine

    settings.DB_PREPARED_STATEMENTS = prepared

    first, late = ProductFactory(stock_quantity=10), ProductFactory(stock_quantity=10)
    user, cart = shopper_with_cart((first, 1))
    holding, placed = threading.Event(), {}

    def hold_the_cart_and_add():
        try:
            with transaction.atomic():
                if lock == "touch":
                    cart_lock_touch(cart_id=cart.pk)
                else:
                    Cart.objects.select_for_update().get(pk=cart.pk)
                holding.set()
                time.sleep(0.5)  # the checkout is waiting on the cart now
                CartLine.objects.create(cart=cart, product=late, quantity=2)
        finally:
            connections.close_all()

    def check_out():
        try:
            holding.wait(5)
            placed["order"] = cod_checkout(user, cart, key="late-line")()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hold_the_cart_and_add), threading.Thread(target=check_out)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    order = Order.objects.get(pk=placed["order"])
    assert sorted(order.items.values_list("product_id", "quantity")) == sorted([(first.pk, 1), (late.pk, 2)])
    assert not CartLine.objects.filter(cart=cart).exists()
    late.refresh_from_db()
    assert late.stock_quantity == 8
