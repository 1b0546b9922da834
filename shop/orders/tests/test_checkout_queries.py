"""Checkout runs the same number of statements whatever the number of lines, and the stock it
takes in one UPDATE per table is exactly each row's quantity."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.forms.models import model_to_dict

from shop.accounts.tests.factories import AddressFactory
from shop.cart.models import Cart
from shop.cart.tests.factories import ProductFactory, VariantFactory
from shop.catalog.models import Product, ProductVariant
from shop.orders import error_codes
from shop.orders.models import Order, OrderEvent, OrderStatus
from shop.orders.services import order_place
from shop.orders.tests.helpers import OK_CARD, checkout, fill_cart
from skincare.errors import ApplicationError
from skincare.prepared import prepared_statements

pytestmark = pytest.mark.django_db

# Request, both transactions (order; payment) and the work queued after their commits (eager
# Celery: e-mails, notifications, analytics), with the signed-in shopper's answer.
# 37 before session 7 (the premium check and the answer's events use what checkout wrote); 35 before session 8
# (the cart locked by its UPDATE, its lines read and deleted by one ``DELETE ... RETURNING``; the notices task
# delivers the rows it wrote: no read back with their users); 32 before session 11 (the approval of a pending
# order: its order and payment updated by two conditional ``UPDATE ... RETURNING``, no locking reads before them);
# 30 before session 12 (the signed-in shopper's cart found by the UPDATE that locks it: no read of it before)
CHECKOUT_QUERIES = 29


def _prepared_spared(*, variants=False):
    """Statements fewer where they are prepared (``DB_PREPARED_STATEMENTS``, PostgreSQL; session 14): the
    order's INSERT, its lines', its payment's and its PLACED event's are one statement (``rows_insert_under``,
    3 fewer), and so is the card's approval, its order's and payment's UPDATEs and its two events
    (``order_paid_if``, 2 fewer). Session 16: the customer's counters and the products' stock (and the
    variants', ``variants``) are written by the order's statement too (2 fewer, 3 with variants), and the
    cart's lines are deleted by the statement that locks the cart (1 fewer, ``cart_lock_touched_lines_taken``)."""
    if not prepared_statements(connection):
        return 0
    return 9 if variants else 8


def _cart_of(user, size, *, variants=0):
    lines = []
    for i in range(size):
        product = ProductFactory(price=Decimal("10.00"), stock_quantity=50, name=f"Toner {i}")
        if i < variants:
            lines.append((product, i + 1, VariantFactory(product=product, stock_quantity=30)))
        else:
            lines.append((product, i + 1))
    fill_cart(user, *lines)
    return lines


@pytest.mark.parametrize("size", [1, 20])
def test_checkout_statements_do_not_grow_with_lines(auth_client, user, size, django_assert_num_queries):
    AddressFactory(user=user, is_default=True)
    lines = _cart_of(user, size)
    ProductFactory(stock_quantity=7)  # a product not in the cart keeps its stock

    with django_assert_num_queries(CHECKOUT_QUERIES - _prepared_spared()):
        response = checkout(auth_client, user)

    assert response.status_code == 201, response.json()
    assert response.json()["data"]["status"] == OrderStatus.CONFIRMED
    stock = dict(Product.objects.values_list("name", "stock_quantity"))
    sales = dict(Product.objects.values_list("name", "sales_count"))
    assert {product.name: stock[product.name] for product, *_ in lines} == {
        f"Toner {i}": 50 - (i + 1) for i in range(size)
    }
    assert {product.name: sales[product.name] for product, *_ in lines} == {f"Toner {i}": i + 1 for i in range(size)}
    assert sorted(stock.values())[0] == min(7, 50 - size)


@pytest.mark.parametrize("size", [2, 20])
def test_checkout_with_variants_adds_one_update_whatever_the_lines(auth_client, user, size, django_assert_num_queries):
    """Variant lines: one more lock and one more UPDATE (the variants'), still constant."""
    AddressFactory(user=user, is_default=True)
    lines = _cart_of(user, size, variants=size // 2)

    with django_assert_num_queries(CHECKOUT_QUERIES + 2 - _prepared_spared(variants=True)):
        response = checkout(auth_client, user)

    assert response.status_code == 201, response.json()
    variant_stock = dict(ProductVariant.objects.values_list("pk", "stock_quantity"))
    product_stock = dict(Product.objects.values_list("pk", "stock_quantity"))
    for product, quantity, *variant in lines:
        if variant:
            assert variant_stock[variant[0].pk] == 30 - quantity
            assert product_stock[product.pk] == 50  # the variant's stock was taken, not the product's
        else:
            assert product_stock[product.pk] == 50 - quantity
    assert dict(Product.objects.filter(pk__in=[p.pk for p, *_ in lines]).values_list("pk", "sales_count")) == {
        product.pk: quantity for product, quantity, *_ in lines
    }


def test_paid_and_confirmed_are_two_events_in_order(auth_client, user):
    _cart_of(user, 2)
    response = checkout(auth_client, user)

    number = response.json()["data"]["order_number"]
    events = list(OrderEvent.objects.filter(order__order_number=number).order_by("pk").values_list("type", "data"))
    assert [event_type for event_type, _ in events] == ["placed", "paid", "status_changed"]
    assert events[2][1] == {"old": "pending", "new": "confirmed"}
    assert events[1][1]["provider"] == "test"


def test_order_e_mails_list_the_lines_read_after_commit(auth_client, user):
    _cart_of(user, 3)
    mail.outbox.clear()

    checkout(auth_client, user)

    number = Order.objects.get().order_number
    [placed] = mail.outbox  # the payment, approved in the same checkout, is said by the "placed" e-mail
    assert placed.subject == f"Order {number} received"
    assert all(f"Toner {i}" in placed.body for i in range(3))


@pytest.mark.parametrize(
    ("card", "payment_method", "payment_status"),
    [
        ("4242424242424242", "card", "paid"),
        ("4000000000000002", "card", "failed"),
        ("", "cash_on_delivery", "pending"),
    ],
)
def test_the_placed_order_is_returned_as_stored(user, card, payment_method, payment_status):
    """``order_place`` takes the order's state after the charge from the instance the payment's
    record locked and saved, not from another SELECT: every column equals the stored row."""
    AddressFactory(user=user, is_default=True)
    _cart_of(user, 2)
    cart = Cart.objects.get(user=user)
    order, created, _charge = order_place(
        user=user, cart=cart, payment_method=payment_method, payment_data={"card_number": card}
    )

    assert created
    assert order.payment_status == payment_status
    stored = Order.objects.get(pk=order.pk)
    columns = [field.attname for field in Order._meta.concrete_fields]
    assert {c: getattr(order, c) for c in columns} == {c: getattr(stored, c) for c in columns}
    assert model_to_dict(order) == model_to_dict(stored)


# A signed-in API checkout as the apps send it: a JWT (``request.user`` carries only the
# authentication columns, ``shop.accounts.authentication``) and an ``Idempotency-Key``.
# 38 before session 7, 36 before session 8, 33 before session 11 (see CHECKOUT_QUERIES; and the key is not
# looked up before the order's transaction: the unique index on (user, key) refuses a replay's second order);
# 30 before session 12 (see CHECKOUT_QUERIES)
JWT_CHECKOUT_QUERIES = 29


def _jwt_client(user):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def test_a_jwt_checkout_with_a_key_reads_neither_the_whole_user_nor_the_key_twice(user, django_assert_num_queries):
    """The customer's names come back from the UPDATE of their counters, and the key is looked up only
    when the checkout cannot go on (a replay: its cart emptied by the first order)."""
    user.first_name, user.last_name = "Sokha", "Chan"
    user.save()
    AddressFactory(user=user, is_default=True)
    _cart_of(user, 2)
    client = _jwt_client(user)
    client.get("/api/v1/cart")  # the authentication entry is cached, as after a shopper's first request

    with django_assert_num_queries(JWT_CHECKOUT_QUERIES - _prepared_spared()):
        response = checkout(client, user, key="jwt-checkout-1")

    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert (order.customer_name, order.customer_email) == ("Sokha Chan", user.email)
    user.refresh_from_db()
    assert (user.total_orders, user.total_spent) == (1, order.total)


def test_a_key_replayed_after_the_cart_was_filled_again_returns_the_first_order(user):
    """A signed-in shopper's key is not looked up before the order's transaction, and the cart has lines
    again: the unique index on (user, key) refuses a second order, the first is answered and nothing of
    the second is kept."""
    AddressFactory(user=user, is_default=True)
    (product, _), *_ = _cart_of(user, 1)
    first, created, _ = order_place(user=user, cart=Cart.objects.get(user=user), idempotency_key="k-1")
    assert created
    fill_cart(user, (product, 3))

    again, created, charge = order_place(user=user, cart=Cart.objects.get(user=user), idempotency_key="k-1")

    assert (again.pk, created, charge) == (first.pk, False, None)
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_quantity == 50 - 1
    assert Cart.objects.get(user=user).lines.get().quantity == 3
    user.refresh_from_db()
    assert user.total_orders == 1


def test_a_replayed_key_whose_checkout_cannot_go_on_returns_the_first_order(user):
    """A replay with an item out of stock in the cart again, then with its address deleted: the checkout
    fails before or inside the order's transaction, and the key's first order is the answer."""
    address = AddressFactory(user=user, is_default=True)
    (product, _), *_ = _cart_of(user, 1)
    first, created, _ = order_place(
        user=user, cart=Cart.objects.get(user=user), idempotency_key="k-1", address_id=address.pk
    )
    assert created
    fill_cart(user, (ProductFactory(stock_quantity=0, name="Gone"), 1))

    again, created, charge = order_place(
        user=user, cart=Cart.objects.get(user=user), idempotency_key="k-1", address_id=address.pk
    )
    assert (again.pk, created, charge) == (first.pk, False, None)
    address.delete()
    again, created, charge = order_place(
        user=user, cart=Cart.objects.get(user=user), idempotency_key="k-1", address_id=address.pk
    )
    assert (again.pk, created, charge) == (first.pk, False, None)

    assert Order.objects.count() == 1
    assert Cart.objects.get(user=user).lines.get().product.name == "Gone"
    with pytest.raises(ApplicationError) as raised:  # another key: the cart's own error
        order_place(
            user=user, cart=Cart.objects.get(user=user), idempotency_key="k-2", shipping_address=first.shipping_address
        )
    assert raised.value.code == error_codes.OUT_OF_STOCK


@pytest.mark.parametrize(
    ("card", "payment_method"),
    [("4242424242424242", "card"), ("4000000000000002", "card"), ("", "cash_on_delivery")],
)
def test_the_checkout_answer_equals_the_order_read_again(auth_client, user, card, payment_method):
    """The answer is built from the lines and the payment checkout wrote (with their image files
    and the events read): it equals the order's detail read afterwards, lines with and without a
    primary image and a variant line included."""
    from shop.catalog.models import ProductMedia
    from shop.files.tests.factories import UploadedFileFactory

    AddressFactory(user=user, is_default=True)
    lines = _cart_of(user, 3, variants=1)
    for n, (product, *_) in enumerate(lines[1:]):
        file = UploadedFileFactory(
            context="product",
            is_public=True,
            file=f"uploads/products/p{n}.jpg",
            thumbnails={"small": f"uploads/products/p{n}-small.jpg"},
        )
        ProductMedia.objects.create(product=product, file=file, is_primary=True)

    response = checkout(auth_client, user, payment_method=payment_method, card_number=card)

    assert response.status_code == 201, response.json()
    answer = response.json()["data"]
    answer.pop("payment_error", None)
    again = auth_client.get(f"/api/v1/orders/{answer['order_number']}").json()["data"]
    assert answer == again
    # in the same order: the answer is built without the serializer (``serializers.placed_order_data``)
    assert list(answer) == list(again)
    for key in ("items", "payments", "events"):
        assert [list(row) for row in answer[key]] == [list(row) for row in again[key]]
    assert [list(item["image"] or {}) for item in answer["items"]] == [
        list(item["image"] or {}) for item in again["items"]
    ]
    assert [item["image"] is None for item in answer["items"]] == [True, False, False]
    assert len(answer["payments"]) == 1


def _statement_head(sql):
    """A statement's first three words; a prepared insert (``skincare.prepared.rows_insert``) as the INSERT it runs."""
    prepared = re.match(r"EXECUTE insert_(\w+)_[0-9a-f]{16}\(", sql)
    return f'INSERT INTO "{prepared[1]}"' if prepared else " ".join(sql.split()[:3])


def _prepared_text(sql):
    """The statement a compiled read runs where statements are prepared (``EXECUTE compiled_…``), as PostgreSQL
    holds it; any other statement as it is."""
    from django.db import connection

    name = re.match(r"EXECUTE (compiled_\w+)\(", sql)
    if name is None:
        return sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [name[1]])
        return cursor.fetchone()[0].split(" AS ", 1)[1]


def test_the_products_stay_locked_for_the_order_writes_only(user):
    """The lock window: after the products' ``FOR UPDATE`` the order transaction runs only the
    writes that need the locked values (the cart was emptied before it, under the cart's lock)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    AddressFactory(user=user, is_default=True)
    _cart_of(user, 2)
    cart = Cart.objects.get(user=user)

    with CaptureQueriesContext(connection) as captured:
        order_place(user=user, cart=cart, idempotency_key="lock-window", payment_method="cash_on_delivery")

    statements = [_prepared_text(query["sql"]) for query in captured.captured_queries]
    locked = next(i for i, sql in enumerate(statements) if sql.startswith("SELECT") and 'FROM "catalog_product"' in sql)
    assert ("FOR UPDATE" in statements[locked]) == (connection.vendor == "postgresql")  # SQLite serialises writes
    inserts = [
        'INSERT INTO "orders_order"',
        'INSERT INTO "orders_orderitem"',
        'INSERT INTO "orders_payment"',
        'INSERT INTO "orders_orderevent"',  # cash on delivery: inserted confirmed, PLACED and STATUS_CHANGED
    ]
    updates = ['UPDATE "accounts_user" SET', 'UPDATE "catalog_product" SET']
    if prepared_statements(connection):  # the counters, the stock, the order, its lines, payment and events: one
        updates, inserts = [], ['INSERT INTO "orders_order_under"']
    window = [_statement_head(sql) for sql in statements[locked + 1 : locked + 1 + len(updates) + len(inserts)]]
    assert window == [*updates, *inserts]
    assert not Cart.objects.get(pk=cart.pk).lines.exists()


def test_the_lines_are_taken_in_the_carts_order_and_deleted(user):
    """The order's items follow ``CartLine.Meta.ordering`` (when added, then id), not the ids, and the
    statement that read the lines deleted them."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shop.cart.models import CartLine

    AddressFactory(user=user, is_default=True)
    first, second, third = (ProductFactory(name=name, stock_quantity=5) for name in ("Serum A", "Serum B", "Serum C"))
    cart = fill_cart(user, (first, 1), (second, 2), (third, 3))
    now = timezone.now()
    for product, minutes in ((first, 3), (second, 1), (third, 2)):  # added: A, then C, then B (ids: A, B, C)
        CartLine.objects.filter(cart=cart, product=product).update(created_at=now - timedelta(minutes=minutes))

    with CaptureQueriesContext(connection) as captured:
        order, created, _ = order_place(
            user=user,
            cart=cart,
            idempotency_key="taken",
            payment_method="card",
            payment_data={"card_number": "4242424242424242"},
        )

    assert created
    assert list(order.items.order_by("pk").values_list("product_name", "quantity")) == [
        ("Serum A", 1),
        ("Serum C", 3),
        ("Serum B", 2),
    ]
    assert not CartLine.objects.filter(cart=cart).exists()
    statements = [query["sql"] for query in captured.captured_queries]
    assert not any(sql.startswith('SELECT "cart_cartline"') for sql in statements)
    taking = "EXECUTE shop_cart_take_" if prepared_statements(connection) else 'DELETE FROM "cart_cartline"'
    assert sum(sql.startswith(taking) for sql in statements) == 1


def test_the_stock_write_changes_no_indexed_column():
    """Checkout's UPDATE of the products writes ``stock_quantity`` and ``sales_count`` in every order: no index
    holds either, so PostgreSQL can keep the new row version off every index of the table (a HOT update)."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Product._meta.db_table)
    indexed = {column for index in found.values() if index["index"] for column in index["columns"] if column}
    assert "price" in indexed  # the list's own indexes are read
    assert not indexed & {"stock_quantity", "sales_count"}


def test_a_signed_in_checkout_finds_the_cart_with_the_statement_that_locks_it(user, django_assert_num_queries):
    """No read of the cart before the order's transaction: its first statement on ``cart_cart`` is the
    UPDATE that locks the shopper's cart, found by its user."""
    AddressFactory(user=user, is_default=True)
    _cart_of(user, 1)
    client = _jwt_client(user)
    client.get("/api/v1/cart")

    with django_assert_num_queries(JWT_CHECKOUT_QUERIES - _prepared_spared()) as captured:
        response = checkout(client, user, key="locked-by-user")

    assert response.status_code == 201, response.json()
    statements = [q["sql"] for q in captured.captured_queries]
    if prepared_statements(connection):  # the cart found by its user, locked and emptied: one prepared statement
        assert not any('"cart_cart"' in sql or sql.startswith("EXECUTE shop_cart_take_0_") for sql in statements)
        assert sum(sql.startswith("EXECUTE shop_cart_take_1_") for sql in statements) == 1
    else:
        cart_statements = [sql for sql in statements if '"cart_cart"' in sql]
        assert cart_statements[0].startswith('UPDATE "cart_cart"'), cart_statements
        assert '"user_id" = ' in cart_statements[0]
    assert not Cart.objects.get(user=user).lines.exists()


def test_a_signed_in_checkout_without_a_cart_answers_as_before_and_leaves_one(user):
    """No cart row at all: the checkout creates it as the cart's reads do and answers that it is empty."""
    AddressFactory(user=user, is_default=True)
    assert not Cart.objects.filter(user=user).exists()

    response = checkout(_jwt_client(user), user, key="no-cart")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == error_codes.CART_EMPTY
    assert Cart.objects.filter(user=user).count() == 1
    assert not Order.objects.exists()


def test_a_signed_in_checkout_of_an_expired_cart_empties_it_and_answers_empty(user, settings):
    """A cart last touched more than ``CART_TTL_DAYS`` ago is emptied (lines and coupon) as the cart's reads
    empty it, and the checkout answers that it is empty: nothing is sold."""
    from datetime import timedelta

    from django.utils import timezone

    from shop.coupons.tests.factories import CouponFactory

    AddressFactory(user=user, is_default=True)
    (product, _), *_ = _cart_of(user, 1)
    cart = Cart.objects.get(user=user)
    stale = timezone.now() - timedelta(days=settings.CART_TTL_DAYS, minutes=1)
    Cart.objects.filter(pk=cart.pk).update(updated_at=stale, coupon=CouponFactory())

    response = checkout(_jwt_client(user), user, key="expired")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == error_codes.CART_EMPTY
    cart.refresh_from_db()
    assert (cart.lines.count(), cart.coupon_id) == (0, None)
    assert cart.updated_at > stale
    assert Product.objects.get(pk=product.pk).stock_quantity == 50
    assert not Order.objects.exists()


def test_the_placed_orders_answer_builds_no_queryset(user, monkeypatch):
    """The answer of an order just placed is built from what checkout wrote (``placed_*``): once the image
    files' statement is compiled, reading them and building the answer make no ``QuerySet`` (no related
    manager's prefetched querysets either)."""
    from django.db.models.query import QuerySet

    from shop.orders.selectors import order_detail_prefetch
    from shop.orders.serializers import checkout_output

    AddressFactory(user=user, is_default=True)
    _cart_of(user, 2)
    first, _, charge = order_place(user=user, idempotency_key="answer-1", payment_data={"card_number": OK_CARD})
    checkout_output(order_detail_prefetch(order=first), charge)  # compiles the files' statement once
    _cart_of(user, 2)
    order, _, charge = order_place(user=user, idempotency_key="answer-2", payment_data={"card_number": OK_CARD})
    made = []
    init = QuerySet.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "__init__", counting)

    data = checkout_output(order_detail_prefetch(order=order), charge)

    assert made == []
    assert [event["type"] for event in data["events"]] == ["placed", "paid", "status_changed"]
    assert len(data["items"]) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements are prepared on PostgreSQL only")
@pytest.mark.parametrize("prepared", [True, False])
def test_the_compiled_reads_are_prepared_where_statements_are(user, settings, prepared):
    """The address, the products' and variants' locks (``lock_objects.compiled_instances``) run as ``EXECUTE``s
    of statements PostgreSQL parsed and planned once per connection, with the same rows as the ORM's."""
    from django.test.utils import CaptureQueriesContext

    settings.DB_PREPARED_STATEMENTS = prepared
    AddressFactory(user=user, is_default=True, city="Kampot")
    _cart_of(user, 2, variants=1)
    cart = Cart.objects.get(user=user)

    with CaptureQueriesContext(connection) as captured:
        order, created, _ = order_place(
            user=user, cart=cart, idempotency_key="compiled", payment_method="cash_on_delivery"
        )

    names = [re.match(r"EXECUTE (compiled_[a-z_]+)_[0-9a-f]{16}\(", query["sql"]) for query in captured]
    executed = [name[1] for name in names if name]
    reads = ["compiled_accounts_address", "compiled_catalog_product", "compiled_catalog_productvariant"]
    assert executed[:3] == (reads if prepared else [])
    texts = [_prepared_text(query["sql"]) for query in captured]
    locks = [sql for sql in texts if sql.startswith("SELECT") and "FOR UPDATE OF" in sql]
    locked = [re.search(r'FOR UPDATE OF "(\w+)"', sql)[1] for sql in locks]
    assert locked[:2] == ["catalog_product", "catalog_productvariant"]  # then the order's and the payment's
    assert created
    order.refresh_from_db()
    assert order.shipping_address["city"] == "Kampot"
    assert sorted((item.product_name, item.quantity) for item in order.items.all()) == [("Toner 0", 1), ("Toner 1", 2)]
    assert order.items.exclude(variant=None).count() == 1
    assert Product.objects.get(name="Toner 1").stock_quantity == 48
    assert ProductVariant.objects.get(product__name="Toner 0").stock_quantity == 29
