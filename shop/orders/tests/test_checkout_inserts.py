"""A checkout's rows are inserted as the ORM inserts them, through statements prepared once per PostgreSQL
connection with ``DB_PREPARED_STATEMENTS`` (``skincare.prepared.rows_insert``), or the ORM's own calls."""

import re

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from shop.cart.tests.factories import ProductFactory, VariantFactory
from shop.orders.models import Order, OrderEvent, OrderItem, Payment
from shop.orders.tests.helpers import checkout, fill_cart
from skincare.prepared import rows_insert

pytestmark = pytest.mark.django_db
# an INSERT of an orders table, as the ORM writes it or as ``rows_insert`` runs its prepared statement
_INSERT = re.compile(r'(INSERT INTO|EXECUTE) (?:"(orders_\w+)"|insert_(orders_\w+)_[0-9a-f]{16}\()')


def _columns(instance):
    """Every concrete column of ``instance`` as it holds it (the primary key included)."""
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def _prepared(settings, prepared):
    if prepared and connection.vendor != "postgresql":
        pytest.skip("statements are prepared on PostgreSQL only")
    settings.DB_PREPARED_STATEMENTS = prepared


@pytest.mark.parametrize("payment_method", ["card", "cash_on_delivery"])
@pytest.mark.parametrize("prepared", [False, True])
def test_a_checkouts_rows_hold_what_its_instances_hold(api_client, user, settings, prepared, payment_method):
    """The order, its two lines (one of a variant), its payment and its events, read back, are column for
    column the instances the checkout kept for its answer; prepared, each INSERT is an ``EXECUTE``."""
    _prepared(settings, prepared)
    product = ProductFactory(stock_quantity=5)
    variant = VariantFactory(stock_quantity=5)
    fill_cart(user, (product, 2), (variant.product, 1, variant))
    api_client.force_authenticate(user)

    with CaptureQueriesContext(connection) as queries:
        response = checkout(api_client, user, key="inserts", payment_method=payment_method)

    assert response.status_code == 201, response.json()
    order = Order.objects.get(order_number=response.json()["data"]["order_number"])
    items = list(OrderItem.objects.filter(order=order).order_by("pk"))
    events = list(OrderEvent.objects.filter(order=order).order_by("created_at", "pk"))
    assert [(item.product_id, item.variant_id, item.quantity) for item in items] == [
        (product.pk, None, 2),
        (variant.product_id, variant.pk, 1),
    ]
    expected_events = ["placed", "paid", "status_changed"] if payment_method == "card" else ["placed", "status_changed"]
    assert [event.type for event in events] == expected_events
    assert events[0].user_id == user.pk and events[0].data == {"total": str(order.total), "coupon": ""}
    assert model_to_dict(Payment.objects.get(order=order))["amount"] == order.total
    written = [
        (found[1], found[2] or found[3])
        for query in queries.captured_queries
        if (
            found := re.match(
                r'(INSERT INTO|EXECUTE) (?:"(orders_\w+)"|insert_(orders_\w+)_[0-9a-f]{16}\()', query["sql"]
            )
        )
    ]
    if prepared:  # the order, its lines, payment and events in one (``rows_insert_under``); the verdict's events
        # in the verdict's one statement (``order_paid_if``)
        assert written == [("EXECUTE", "orders_order_under")]
    else:
        tables = ["orders_order", "orders_orderitem", "orders_payment", "orders_orderevent"]
        if payment_method == "card":
            tables.append("orders_orderevent")  # the verdict's PAID and STATUS_CHANGED
        assert written == [("INSERT INTO", table) for table in tables]


@pytest.mark.parametrize("prepared", [False, True])
def test_rows_insert_is_the_orms_insert(user, settings, prepared):
    """``signals=True`` is ``save(force_insert=True)`` of each row (``pre_save`` then ``post_save`` with
    ``created``); ``signals=False`` is ``bulk_create`` (none). Either way the rows get their database-made ids in
    order, ``auto_now_add`` set, their state saved, and read back hold what the instances hold."""
    _prepared(settings, prepared)
    order = Order(order_number="SK-INSERT-1", user=user, customer_email=user.email, subtotal=10, total=10)
    sent = []

    def record(signal):
        return lambda sender, instance, **kwargs: sent.append((signal, sender, instance, kwargs.get("created")))

    on_pre, on_post = record("pre"), record("post")
    pre_save.connect(on_pre, sender=Order, weak=False)
    post_save.connect(on_post, sender=Order, weak=False)
    try:
        assert rows_insert(Order, [order], signals=True) == [order]
    finally:
        pre_save.disconnect(on_pre, sender=Order)
        post_save.disconnect(on_post, sender=Order)

    assert sent == [("pre", Order, order, None), ("post", Order, order, True)]
    assert order.pk is not None and not order._state.adding and order._state.db == "default"
    assert order.created_at is not None
    assert _columns(Order.objects.get(pk=order.pk)) == _columns(order)
    events = [
        OrderEvent(order=order, type="note", user=user, data={"message": "one"}),
        OrderEvent(order=order, type="note", data={}),
        OrderEvent(order=order, type="note", user=None, data={"n": [1, 2]}),
    ]
    assert rows_insert(OrderEvent, events, signals=False) == events
    assert [event.pk for event in events] == sorted(event.pk for event in events)
    read = {event.pk: _columns(event) for event in OrderEvent.objects.filter(order=order)}
    assert [read[event.pk] for event in events] == [_columns(event) for event in events]
    payment = Payment(order=order, payment_method="card", payment_provider="test", amount=10, currency="USD")
    primary_key = payment.pk  # made by the model (uuid4), not by the database
    rows_insert(Payment, [payment], signals=True)
    assert payment.pk == primary_key and _columns(Payment.objects.get(pk=primary_key)) == _columns(payment)


@pytest.mark.parametrize("prepared", [False, True])
def test_rows_insert_under_is_the_rows_inserts_of_the_parent_then_its_children(user, settings, prepared):
    """The parent (its ``save`` signals), then each group with its own (``signals``), as ``rows_insert`` of each:
    the children's keys to the parent its database-made key, their related instance the parent itself, their
    own keys made in order (or kept: the payment's uuid), and read back they hold what the instances hold;
    prepared, one statement."""
    from skincare.prepared import rows_insert_under

    _prepared(settings, prepared)
    product = ProductFactory(stock_quantity=5)
    order = Order(order_number="SK-UNDER-1", user=user, customer_email=user.email, subtotal=10, total=10)
    items = [
        OrderItem(order=order, product=product, product_name=f"line {n}", quantity=n, unit_price=5, total_price=5 * n)
        for n in (1, 2)
    ]
    payment = Payment(order=order, payment_method="card", payment_provider="test", amount=10, currency="USD")
    primary_key = payment.pk
    events = [OrderEvent(order=order, type="note", user=user, data={"n": 1}), OrderEvent(order=order, type="paid")]
    sent = []

    def record(signal):
        return lambda sender, instance, **kwargs: sent.append((signal, sender, instance, kwargs.get("created")))

    on_pre, on_post = record("pre"), record("post")
    for model in (Order, OrderItem, Payment, OrderEvent):
        pre_save.connect(on_pre, sender=model, weak=False)
        post_save.connect(on_post, sender=model, weak=False)
    try:
        with CaptureQueriesContext(connection) as queries:
            assert rows_insert_under(order, [(items, False), ([payment], True), (events, False)]) is order
    finally:
        for model in (Order, OrderItem, Payment, OrderEvent):
            pre_save.disconnect(on_pre, sender=model)
            post_save.disconnect(on_post, sender=model)

    assert len(queries.captured_queries) == (1 if prepared else 4)
    assert {(signal, sender, created) for signal, sender, _, created in sent} == {
        ("pre", Order, None),
        ("post", Order, True),
        ("pre", Payment, None),
        ("post", Payment, True),
    }
    assert order.pk is not None and payment.pk == primary_key
    for row in (*items, payment, *events):
        assert row.order_id == order.pk and row.order is order and not row._state.adding
        assert _columns(type(row).objects.get(pk=row.pk)) == _columns(row)
    assert _columns(Order.objects.get(pk=order.pk)) == _columns(order)
    assert [item.pk for item in items] == sorted(item.pk for item in items)
    assert [event.pk for event in events] == sorted(event.pk for event in events)


@pytest.mark.parametrize("prepared", [False, True])
def test_rows_insert_under_also_writes_other_rows_in_its_statement(user, settings, prepared):
    """``also``: statements that write other rows run in the inserts' one statement where statements are
    prepared (data-modifying ``WITH`` queries), elsewhere each by itself before the inserts."""
    from shop.catalog.models import Product
    from skincare.prepared import rows_insert_under

    _prepared(settings, prepared)
    product = ProductFactory(stock_quantity=5)
    order = Order(order_number="SK-UNDER-2", user=user, customer_email=user.email, subtotal=10, total=10)
    item = OrderItem(order=order, product=product, product_name="line", quantity=2, unit_price=5, total_price=10)
    take = 'UPDATE "catalog_product" SET "stock_quantity" = "stock_quantity" - %s WHERE "id" = %s'

    with CaptureQueriesContext(connection) as queries:
        rows_insert_under(order, [([item], False)], also=[(take, ["integer", "bigint"], [2, product.pk])])

    assert len(queries.captured_queries) == (1 if prepared else 3)
    assert Product.objects.get(pk=product.pk).stock_quantity == 3
    assert OrderItem.objects.get(order=order).quantity == 2


@pytest.mark.parametrize("prepared", [False, True])
def test_rows_insert_refuses_an_unsaved_related_row(user, settings, prepared):
    _prepared(settings, prepared)
    unsaved = Order(order_number="SK-UNSAVED", user=user, customer_email=user.email)
    with pytest.raises(ValueError, match="unsaved related object"):
        rows_insert(OrderEvent, [OrderEvent(order=unsaved, type="note")], signals=True)
    assert not OrderEvent.objects.exists()


# the verdict's conditional UPDATEs (``lock_objects.row_update_if``), as written or prepared
_UPDATE = re.compile(r'(UPDATE|EXECUTE) (?:"(orders_\w+)"|update_(orders_\w+)_[0-9a-f]{16}\()')


@pytest.mark.parametrize("prepared", [False, True])
def test_the_card_verdict_updates_the_order_then_the_payment_prepared_or_not(api_client, user, settings, prepared):
    """The approval's two conditional UPDATEs (order, then payment) are, where statements are prepared, one
    prepared statement with its two events, and leave the same rows: the order confirmed and paid when the
    payment was processed."""
    _prepared(settings, prepared)
    fill_cart(user, (ProductFactory(stock_quantity=5), 1))
    api_client.force_authenticate(user)

    with CaptureQueriesContext(connection) as queries:
        response = checkout(api_client, user, key="verdict")

    assert response.status_code == 201, response.json()
    updates = [
        (found[1], found[2] or found[3]) for query in queries.captured_queries if (found := _UPDATE.match(query["sql"]))
    ]
    if prepared:  # one statement: both UPDATEs and the two events (``order_paid_if``)
        assert updates == [("EXECUTE", "orders_paid")]
    else:
        assert updates == [("UPDATE", table) for table in ("orders_order", "orders_payment")]
    order = Order.objects.get(order_number=response.json()["data"]["order_number"])
    payment = Payment.objects.get(order=order)
    assert (order.status, order.payment_status, payment.status) == ("confirmed", "paid", "completed")
    assert order.paid_at == order.updated_at == payment.processed_at == payment.updated_at
    assert payment.transaction_id and payment.transaction_id == payment.provider_transaction_id
    assert response.json()["data"]["status"] == "confirmed"


@pytest.mark.parametrize("prepared", [False, True])
def test_row_update_if_leaves_a_row_in_another_state_alone(user, settings, prepared):
    """``where`` not met: nothing written, None; met: the row as written, as an instance."""
    from shop.orders.lock_objects import row_update_if

    _prepared(settings, prepared)
    order = Order.objects.create(
        order_number="SK-VERDICT", user=user, customer_email=user.email, subtotal=5, total=5, status="cancelled"
    )
    values = {"status": "confirmed", "payment_status": "paid"}

    assert row_update_if(Order, pk=order.pk, values=values, where={"status": "pending"}) is None
    assert Order.objects.filter(pk=order.pk).values_list("status", "payment_status").get() == ("cancelled", "pending")
    written = row_update_if(Order, pk=order.pk, values=values, where={"status": ("pending", "cancelled")})
    assert (written.pk, written.status, written.payment_status, written.shipping_address) == (
        order.pk,
        "confirmed",
        "paid",
        {},
    )
    assert _columns(Order.objects.get(pk=order.pk)) == _columns(written)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepared", [False, True])
def test_an_approval_of_a_payment_with_a_reference_writes_nothing_before_the_general_way(user, settings, prepared):
    """The order pending, its payment holding a reference already (not checkout's claimed attempt): in
    autocommit, prepared, the one statement fails as a whole (had it kept the order's change, the general
    way would find the order paid and refund the approval), then the general way records the approval:
    the same rows either way, the first reference kept."""
    from shop.orders.services import payment_record_result

    _prepared(settings, prepared)
    order = Order.objects.create(order_number="SK-REFERENCE", user=user, customer_email=user.email, subtotal=5, total=5)
    payment = Payment.objects.create(
        order=order, payment_method="card", payment_provider="test", amount=5, status="processing", transaction_id="1st"
    )

    with CaptureQueriesContext(connection) as queries:
        recorded = payment_record_result(
            payment_id=payment.pk, order_id=order.pk, status_="completed", transaction_id="second"
        )

    tried = [query for query in queries.captured_queries if query["sql"].startswith("EXECUTE update_orders_paid_")]
    assert len(tried) == (1 if prepared else 0)
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    assert (payment.status, payment.transaction_id, payment.provider_transaction_id) == ("completed", "1st", "second")
    assert not payment.refunds.exists() and recorded.refunded_on_record is False
    events = OrderEvent.objects.filter(order=order).order_by("pk")
    assert [(event.type, event.data) for event in events] == [
        ("paid", {"amount": "5.00", "provider": "test"}),
        ("status_changed", {"old": "pending", "new": "confirmed"}),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepared", [False, True])
def test_the_approval_in_one_statement_writes_what_the_two_updates_write(user, settings, prepared):
    """Checkout's case in autocommit: the order confirmed and paid, the payment completed, the PAID event with
    the payment's amount and provider then STATUS_CHANGED; the instances returned are the rows."""
    from shop.orders.services import payment_record_result

    _prepared(settings, prepared)
    order = Order.objects.create(order_number="SK-ONCE", user=user, customer_email=user.email, subtotal=7, total=7)
    payment = Payment.objects.create(
        order=order, payment_method="card", payment_provider="test", amount=7, status="processing"
    )

    recorded = payment_record_result(
        payment_id=payment.pk, order_id=order.pk, status_="completed", transaction_id="txn", response={"ok": True}
    )

    assert _columns(Payment.objects.get(pk=payment.pk)) == _columns(recorded)
    assert _columns(Order.objects.get(pk=order.pk)) == _columns(recorded.locked_order)
    assert (recorded.status, recorded.transaction_id, recorded.provider_response) == ("completed", "txn", {"ok": True})
    assert recorded.locked_order.status == "confirmed" and recorded.locked_order.payment_status == "paid"
    events = OrderEvent.objects.filter(order=order).order_by("pk")
    assert [(event.type, event.data, event.user_id) for event in events] == [
        ("paid", {"amount": "7.00", "provider": "test"}, None),
        ("status_changed", {"old": "pending", "new": "confirmed"}, None),
    ]
