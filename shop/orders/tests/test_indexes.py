"""The orders' look-ups by shopper, product and provider charge keep an index after migration 0006 dropped the
single-column ones (the composite indexes that begin with the same column serve them), and the indexes every
checkout maintained for nothing are gone."""

import pytest
from django.db import connection

from shop.catalog.models import Product
from shop.orders.models import Order, OrderItem, Payment

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plans and catalog"),
]


def _plan(queryset):
    """The plan of ``queryset`` with sequential scans priced out (the test tables are tiny)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: Order.objects.filter(user_id=1), "orders_orde_user_id_0ae59f_idx"),
        (lambda: Order.objects.filter(user_id=1).order_by("-created_at")[:20], "orders_orde_user_id_0ae59f_idx"),
        (lambda: OrderItem.objects.filter(product_id=1), "orders_orde_product_d9c1ab_idx"),
        (lambda: Product.objects.filter(order_items__isnull=False, pk=1), "orders_orde_product_d9c1ab_idx"),
        (
            lambda: Payment.objects.filter(provider_transaction_id="pi_1", payment_provider="stripe"),
            "orders_payment_provider_transaction_id_df718e8a",
        ),
        (lambda: Order.objects.filter(order_number="SK-1"), "orders_order_order_number_key"),
    ],
)
def test_lookups_keep_an_index(queryset, index):
    assert index in _plan(queryset())


def test_the_unused_indexes_are_gone():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('orders_order', 'orders_orderitem', 'orders_payment')"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert not names & {
        "orders_order_user_id_e9b59eb1",
        "orders_orderitem_product_id_afe4254a",
        "orders_payment_transaction_id_cab9f919",
        "orders_payment_transaction_id_cab9f919_like",
        "orders_order_order_number_4e985f70_like",
        "orders_payment_provider_transaction_id_df718e8a_like",
    }
    kept = {"orders_orde_user_id_0ae59f_idx", "orders_orde_product_d9c1ab_idx", "orders_order_order_number_key"}
    assert kept <= names
