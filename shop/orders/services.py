"""Checkout, the order status machine, payments and refunds.

``order_place`` turns a cart into an order in one transaction: it locks the cart, then
the products / variants of its lines in pk order (``lock_objects``), re-prices with the
cart's pricing code, checks and takes stock, redeems the coupon under its row lock and
records everything. Charging a card happens after that transaction commits so no lock is
held while a provider answers.
"""

import hashlib
import itertools
import logging
from contextlib import nullcontext
from contextvars import ContextVar
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext

from shop.accounts.models import Address
from shop.cart.pricing import INSUFFICIENT_STOCK, OUT_OF_STOCK, price_lines, stock_is_limited
from shop.cart.selectors import cart_fresh_since
from shop.cart.services import cart_for_user
from shop.cart.shipping import shipping_method as shipping_method_get
from shop.catalog.cache import invalidate_products
from shop.catalog.error_codes import CatalogErrorCode
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.coupons.calculations import ZERO, money
from shop.coupons.models import CouponType
from shop.coupons.services import coupon_redeem, coupon_release, coupon_usage_record
from shop.orders import error_codes, notifications
from shop.orders.fetch import checkout_fetch
from shop.orders.lock_objects import (
    PaymentNotMatched,
    compiled_instances,
    guest_orders_lock,
    order_lock,
    order_paid_if,
    payment_lock,
    payments_lock,
    products_lock,
    row_update_if,
    variants_lock,
)
from shop.orders.models import (
    FulfillmentStatus,
    Order,
    OrderEvent,
    OrderEventType,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentRecordStatus,
    PaymentRefund,
    PaymentRefundLine,
    PaymentStatus,
    RefundStatus,
    ReplenishmentOptOut,
)
from shop.orders.numbers import order_number_draw
from shop.orders.payments import provider_by_name, provider_for_method
from shop.orders.payments.base import (
    ChargeResult,
    RefundResult,
    charge_idempotency_key,
    refund_idempotency_key,
)
from shop.orders.replenishment import order_runs_out_estimate
from skincare import deferred, events
from skincare.api import bulk
from skincare.errors import ApplicationError
from skincare.prepared import prepared_statements, rows_insert, rows_insert_under

logger = logging.getLogger(__name__)

TRANSITIONS = {
    OrderStatus.PENDING: {OrderStatus.CONFIRMED, OrderStatus.CANCELLED},
    OrderStatus.CONFIRMED: {OrderStatus.PROCESSING, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.PROCESSING: {OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED, OrderStatus.REFUNDED},
    OrderStatus.DELIVERED: {OrderStatus.REFUNDED},
    OrderStatus.CANCELLED: set(),
    OrderStatus.REFUNDED: set(),
}
CUSTOMER_CANCELLABLE = {OrderStatus.PENDING, OrderStatus.CONFIRMED}
STAFF_CANCELLABLE = {OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PROCESSING}
ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
)


def _actor(by):
    return by if by is not None and by.is_authenticated else None


# The events a checkout writes (``_order_place``), kept for its answer: it need not read them again.
_written_events = ContextVar("orders_written_events", default=None)


def _written(*events):
    kept = _written_events.get()
    if kept is not None:
        kept.extend(events)


def _event(order, type_, *, by=None, **data):
    (event,) = rows_insert(OrderEvent, [OrderEvent(order=order, type=type_, user=_actor(by), data=data)], signals=True)
    _written(event)
    return event


def _not_found():
    return ApplicationError(error_codes.ORDER_NOT_FOUND, gettext("Order not found."))


# --- Checkout -----------------------------------------------------------------------------


def address_snapshot(*, user, address_id=None, address=None):
    """The shipping address copied into the order. A guest (``user`` None) must type one."""
    if user is None:
        if address:
            return {name: address.get(name, "") for name in ADDRESS_FIELDS}
        raise ApplicationError(
            error_codes.ADDRESS_REQUIRED,
            gettext("A shipping address is required."),
            errors={"shipping_address": [gettext("Give the shipping address.")]},
        )
    user_key = Address._meta.get_field("user")
    if address_id is not None:
        found = compiled_instances(
            "address",
            lambda keys: Address.objects.filter(user_id=keys[0], pk=keys[1]).order_by("pk")[:1],
            Address,
            [user.pk, address_id],
            key_fields=[user_key, Address._meta.pk],
        )
        found = found[0] if found else None
        if found is None:
            raise ApplicationError(
                error_codes.ADDRESS_NOT_FOUND,
                gettext("Address not found."),
                errors={"address_id": [gettext("Address not found.")]},
            )
        return {name: getattr(found, name) for name in ADDRESS_FIELDS}
    if address:
        return {name: address.get(name, "") for name in ADDRESS_FIELDS}
    default = compiled_instances(
        "address:default",
        lambda keys: Address.objects.filter(user_id=keys[0]).order_by("-is_default", "-created_at")[:1],
        Address,
        [user.pk],
        key_fields=[user_key],
    )
    default = default[0] if default else None
    if default is None:
        raise ApplicationError(
            error_codes.ADDRESS_REQUIRED,
            gettext("A shipping address is required."),
            errors={"shipping_address": [gettext("Give address_id or shipping_address.")]},
        )
    return {name: getattr(default, name) for name in ADDRESS_FIELDS}


def _existing(user, idempotency_key):
    """The order placed with this key (by this user; a guest's key is bound to its cart), or None.
    Run on every keyed checkout, so compiled once (``compiled_instances``)."""
    if not idempotency_key:
        return None
    key_field = Order._meta.get_field("idempotency_key")
    if user is None:
        found = compiled_instances(
            "existing:guest",
            lambda keys: Order.objects.filter(user=None, idempotency_key=keys[0]).order_by("pk")[:1],
            Order,
            [idempotency_key],
            key_fields=[key_field],
        )
    else:
        found = compiled_instances(
            "existing",
            lambda keys: Order.objects.filter(user_id=keys[0], idempotency_key=keys[1]).order_by("pk")[:1],
            Order,
            [user.pk, idempotency_key],
            key_fields=[Order._meta.get_field("user"), key_field],
        )
    return found[0] if found else None


def guest_idempotency_key(*, cart, key):
    """A guest's key bound to their cart token, so no other client can replay it into this order."""
    if not key:
        return ""
    return hashlib.sha256(f"{cart.token}:{key}".encode()).hexdigest()


def _shipping_method(code):
    method = shipping_method_get(code)
    if method is None:
        raise ApplicationError(
            error_codes.SHIPPING_METHOD_UNAVAILABLE,
            gettext("This shipping method is not offered."),
            errors={"shipping_method": [gettext("Not offered.")]},
        )
    return method


def _check_lines(prices):
    problems = prices.problems
    if not problems:
        return
    errors = {}
    stock_only = True
    for line in problems:
        if line.problem in (OUT_OF_STOCK, INSUFFICIENT_STOCK):
            message = (
                gettext("%(product)s: only %(available)s left.")
                % {"product": line.product.name, "available": line.available_quantity}
                if line.available_quantity
                else gettext("%(product)s is out of stock.") % {"product": line.product.name}
            )
        else:
            stock_only = False
            message = gettext("%(product)s is no longer available.") % {"product": line.product.name}
        errors[str(line.id)] = [message]
    if stock_only:
        raise ApplicationError(
            error_codes.OUT_OF_STOCK,
            gettext("Some items are out of stock."),
            errors={"items": errors},
        )
    raise ApplicationError(
        error_codes.CART_UNAVAILABLE_ITEMS,
        gettext("Some items are no longer available."),
        errors={"items": errors},
    )


def _rows_add(model, amounts):
    """One ``UPDATE`` of ``model``'s rows that adds to each column of ``amounts`` (``{field name: {pk: n}}``)
    its row's n (0 for a row another column lists); the caller holds their locks. The statement the ORM gives
    for ``F(name) + Case(When(pk=.., then=n), default=0)``, written out: building and compiling those
    expressions cost a checkout about a tenth of its CPU in the web process."""
    amounts = {name: per_row for name, per_row in amounts.items() if per_row}
    ids = sorted({row for per_row in amounts.values() for row in per_row})
    if not ids:
        return
    meta, quote = model._meta, connection.ops.quote_name
    pk = quote(meta.pk.column)
    sets, params = [], []
    for name, per_row in amounts.items():
        column = quote(meta.get_field(name).column)
        cases = " ".join(["WHEN %s THEN %s"] * len(per_row))
        sets.append(f"{column} = {column} + CASE {pk} {cases} ELSE 0 END")
        params += [value for row in per_row.items() for value in row]
    marks = ", ".join(["%s"] * len(ids))
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {pk} IN ({marks})"  # noqa: S608 - model names
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])


def _rows_adding(model, amounts):
    """``_rows_add``'s UPDATE as ``(sql, types, params)`` for the order's statement (``rows_insert_under``'s
    ``also``; PostgreSQL): the rows' keys and each column's amounts are arrays (``UNNEST``), so that its text
    is the same whatever the rows (one prepared statement). The same rows and sums as ``_rows_add``: a column
    adds 0 to a row another column lists; no rows, no row written."""
    meta, quote = model._meta, connection.ops.quote_name
    table, pk = quote(meta.db_table), meta.pk
    fields = [meta.get_field(name) for name in amounts]
    ids = sorted({row for per_row in amounts.values() for row in per_row})
    types = [f"{field.db_type(connection)}[]" for field in (pk, *fields)]
    sets = ", ".join(f"{quote(f.column)} = {table}.{quote(f.column)} + d.v{i}" for i, f in enumerate(fields))
    sql = (
        f"UPDATE {table} SET {sets} FROM UNNEST({', '.join(f'%s::{db_type}' for db_type in types)}) "  # noqa: S608 - model names
        f"AS d(pk, {', '.join(f'v{i}' for i in range(len(fields)))}) WHERE {table}.{quote(pk.column)} = d.pk"
    )
    return sql, types, [ids, *([per_row.get(row, 0) for row in ids] for per_row in amounts.values())]


def _take_stock(lines, *, folded):
    """Decrement stock (tracked products only) and bump sales counters in one UPDATE of the
    products and one of the variants, whatever the number of lines. The rows are already
    locked (``checkout_fetch``, pk order) and ``_check_stock_held`` refused any oversell against
    them, so the values seen under the lock are the values before the UPDATE. ``folded``: the
    UPDATEs are returned for the order's statement (``_rows_adding``), not run."""
    per_product, per_variant, sold = {}, {}, {}
    for line in lines:
        sold[line.product.pk] = sold.get(line.product.pk, 0) + line.quantity
        if not line.product.track_inventory:
            continue
        if line.variant is not None:
            per_variant[line.variant.pk] = per_variant.get(line.variant.pk, 0) - line.quantity
        else:
            per_product[line.product.pk] = per_product.get(line.product.pk, 0) - line.quantity
    products, variants = {"sales_count": sold, "stock_quantity": per_product}, {"stock_quantity": per_variant}
    writes = []
    if folded:
        writes = [_rows_adding(Product, products), _rows_adding(ProductVariant, variants)]
    else:
        _rows_add(Product, products)
        _rows_add(ProductVariant, variants)
    # Details show stock; list pages only change when a product sells out (read from the locked rows).
    locked = {line.product.pk: line.product.stock_quantity for line in lines}
    sold_out = any(locked[pk] + taken <= 0 for pk, taken in per_product.items())
    invalidate_products(sorted(sold), lists=sold_out)
    return writes


def _check_stock_held(lines):
    """Sum quantities per stock row (two lines may share one) and check the locked rows hold them."""
    needed = {}
    for line in lines:
        if not stock_is_limited(line.product):
            continue
        row = line.variant or line.product
        key = (type(row).__name__, row.pk)
        needed[key] = (row, needed.get(key, (row, 0))[1] + line.quantity, line)
    errors = {}
    for row, quantity, line in needed.values():
        if row.stock_quantity < quantity:
            errors[str(line.id)] = [f"{line.product.name}: only {max(0, row.stock_quantity)} left."]
    if errors:
        raise ApplicationError(
            error_codes.OUT_OF_STOCK,
            gettext("Some items are out of stock."),
            errors={"items": errors},
        )


def order_place(
    *,
    user,
    cart=None,
    idempotency_key="",
    payment_method=PaymentMethod.CARD,
    payment_data=None,
    address_id=None,
    shipping_address=None,
    billing_address=None,
    notes="",
    shipping_method="",
    email="",
    customer_name="",
):
    """Returns ``(order, created, charge)``; a repeated ``idempotency_key`` returns the first order.

    ``user`` None is a guest checkout: ``email`` (required) and ``customer_name`` go on the order,
    the address is typed, and the key is bound to the guest's cart (``guest_idempotency_key``).
    ``cart`` None (signed in only): the user's cart, found by the statement that locks it in the
    order's transaction (``fetch.checkout_fetch``) instead of read before it.

    The work that follows the order's and the payment's commits is deferred to the end of the
    checkout (``skincare.deferred.batch``), so receivers can hand it on once (e.g. one task for
    the order's three notices).
    """
    with deferred.batch():
        return _order_place(
            user=user,
            cart=cart,
            idempotency_key=idempotency_key,
            payment_method=payment_method,
            payment_data=payment_data,
            address_id=address_id,
            shipping_address=shipping_address,
            billing_address=billing_address,
            notes=notes,
            shipping_method=shipping_method,
            email=email,
            customer_name=customer_name,
        )


def _order_place(
    *,
    user,
    cart,
    idempotency_key,
    payment_method,
    payment_data,
    address_id,
    shipping_address,
    billing_address,
    notes,
    shipping_method,
    email,
    customer_name,
):
    if user is not None and not user.is_authenticated:
        user = None
    if user is None:
        if not email:
            raise ApplicationError(
                error_codes.EMAIL_REQUIRED,
                gettext("An e-mail address is required to check out as a guest."),
                errors={"email": [gettext("Required for a guest checkout.")]},
            )
        idempotency_key = guest_idempotency_key(cart=cart, key=idempotency_key)
        # A guest's key has no unique index to refuse a second order (no user): looked up first.
        existing = _existing(None, idempotency_key)
        if existing is not None:
            return existing, False, _charge_answer_ask_again(order=existing, data=payment_data or {})
    written = _written_events.set([])
    try:
        try:
            provider = provider_for_method(payment_method)
            method = _shipping_method(shipping_method)
            address = address_snapshot(user=user, address_id=address_id, address=shipping_address)
            order, payment = _order_created(
                user=user,
                guest={"email": email.strip().lower(), "name": customer_name.strip()},
                shipping_method=method,
                cart_id=None if cart is None else cart.pk,
                idempotency_key=idempotency_key,
                payment_method=payment_method,
                provider=provider,
                address=address,
                billing_address=billing_address or address,
                notes=notes,
            )
        except ApplicationError:
            # A replayed key is looked up only when the checkout cannot go on (its cart emptied by the
            # first order, an item gone since): the first order is the answer.
            order, payment = _existing(user, idempotency_key), None
            if order is None:
                raise
        if payment is None:  # the key's first order
            return order, False, _charge_answer_ask_again(order=order, data=payment_data or {})
        charge, recorded = _payment_charge(
            payment=payment, provider=provider, data=payment_data or {}, placed_items=order.placed_items
        )
        _order_refresh(order, locked=getattr(recorded, "locked_order", None))
        order.placed_payment = recorded  # the order's one payment, as recorded (``selectors.order_detail_prefetch``)
        # its events as written by this checkout, in the order the detail reads them
        order.placed_events = sorted(_written_events.get(), key=lambda event: (event.created_at, event.pk))
        return order, True, charge
    finally:
        _written_events.reset(written)


def _order_created(*, user, idempotency_key, **order):
    """``(order, payment)`` committed by ``_order_create`` under a fresh order number, or ``(the key's
    first order, None)``: a signed-in shopper's key is not looked up before (one statement less per
    checkout), the unique index on (user, key) refuses a second order and its transaction rolls back."""
    for attempt in itertools.count(1):
        number = order_number_draw()
        _written_events.get().clear()  # a rolled-back attempt's events are gone
        try:
            return _order_create(user=user, idempotency_key=idempotency_key, order_number=number, **order)
        except _NoFreshCart:
            # No cart, or an expired one: as the cart's own reads leave it (created, or emptied), then locked
            # by its id; the checkout then answers as it always did for an empty cart.
            order["cart_id"] = cart_for_user(user=user).pk
        except IntegrityError:
            existing = _existing(user, idempotency_key)
            if existing is not None:
                return existing, None
            if attempt < ORDER_NUMBER_ATTEMPTS and Order.objects.filter(order_number=number).exists():
                continue  # 40 random bits clash now and then: the whole transaction rolled back, draw again
            raise


class _NoFreshCart(Exception):  # noqa: N818 - a signal between two functions, not an error
    """The signed-in shopper has no cart touched within ``CART_TTL_DAYS``: nothing was written."""


def _charge_answer_ask_again(*, order, data):
    """A retry of a checkout whose charge answer was lost (``_charges_lost``): ask the provider
    again with the attempt's own key (it repeats its first answer, so nothing is charged twice),
    record the answer and return it, ``order`` updated. None when there is nothing to ask.
    ``data``: the retried checkout's card details; None (``order_pay``, whose card is for a new
    attempt) asks through ``charge_again``, which has none."""
    if (order.status, order.payment_status, order.payment_method) != (
        OrderStatus.PENDING,
        PaymentStatus.PENDING,
        PaymentMethod.CARD,
    ):
        return None
    payment = _charges_lost(now=timezone.now()).filter(order=order).first()
    if payment is None:
        return None
    charge, recorded = _payment_charge(payment=payment, provider=provider_by_name(payment.payment_provider), data=data)
    _order_refresh(order, locked=getattr(recorded, "locked_order", None))
    return charge


def _order_refresh(order, *, locked):
    """``order`` as it is now: copied from the instance the payment's record locked, saved and
    committed (``locked``), or read again when there is none (a refund on record may change it
    through other statements)."""
    if locked is None or locked.pk != order.pk:
        order.refresh_from_db()
        return
    for field in Order._meta.concrete_fields:
        setattr(order, field.attname, getattr(locked, field.attname))


ORDER_NUMBER_ATTEMPTS = 10


def _user_order_counting_sql():
    """The order counts for its customer: ``total_orders`` + 1, ``total_spent`` + the total (the first
    parameter), atomic in SQL, of the user whose key is the second."""
    user = get_user_model()
    table, quote = user._meta.db_table, connection.ops.quote_name
    column = {name: quote(user._meta.get_field(name).column) for name in ("total_orders", "total_spent")}
    return (
        f"UPDATE {quote(table)} SET {column['total_orders']} = {column['total_orders']} + 1, "  # noqa: S608 - model names
        f"{column['total_spent']} = {column['total_spent']} + %s WHERE {quote(user._meta.pk.column)} = %s"
    )


def _user_order_counted(user, *, total):
    """``_user_order_counting_sql``, and ``user`` gets the names the order copies, read by the same
    statement: a signed-in API user carries only its authentication columns and would otherwise load
    its whole row for them."""
    quote, meta = connection.ops.quote_name, get_user_model()._meta
    names = ", ".join(quote(meta.get_field(name).column) for name in ("first_name", "last_name"))
    with connection.cursor() as cursor:
        cursor.execute(f"{_user_order_counting_sql()} RETURNING {names}", [total, user.pk])
        row = cursor.fetchone()
    if row is not None:  # None: the account is gone, and the order's insert refuses it
        user.first_name, user.last_name = row


def _user_order_counting(user, *, total):
    """``_user_order_counting_sql`` as ``(sql, types, params)`` for the order's statement (``rows_insert_under``'s
    ``also``): the names the order copies were read by the cart's lock (``checkout_fetch``'s ``user_names``)."""
    meta = get_user_model()._meta
    types = [meta.get_field("total_spent").db_type(connection), meta.pk.db_type(connection)]
    return _user_order_counting_sql(), types, [total, user.pk]


@transaction.atomic
def _order_create(
    *,
    user,
    guest,
    shipping_method,
    cart_id,
    idempotency_key,
    payment_method,
    provider,
    address,
    billing_address,
    notes,
    order_number,
):
    # Where statements are prepared, the customer's counters and the stock are written by the order's own
    # statement (``rows_insert_under``'s ``also``: two or three round trips fewer), the names the order
    # copies read by the cart's lock.
    folded = prepared_statements(connection)
    info = checkout_fetch(
        cart_id=cart_id,
        user_id=None if cart_id is not None else user.pk,
        fresh_since=None if cart_id is not None else cart_fresh_since(),
        take_lines=True,
        user_names=folded and user is not None,
    )
    if info is None:
        raise _NoFreshCart
    if not info.lines:
        # A replay, or the same key in parallel: the first request committed (and emptied the cart) while
        # we waited on the cart; ``_order_place`` answers with its order. Lines added again meanwhile: the
        # key's unique index refuses the second order.
        raise ApplicationError(error_codes.CART_EMPTY, gettext("Your cart is empty."))
    prices = price_lines(lines=info.lines, shipping_method=shipping_method)
    _check_lines(prices)
    _check_stock_held(info.lines)
    coupon = None
    if info.cart.coupon_id:
        coupon = coupon_redeem(coupon_id=info.cart.coupon_id, user=user, prices=prices)
        prices = price_lines(lines=info.lines, coupon=coupon, shipping_method=shipping_method)

    writes = []
    if user is not None:
        names = info.cart.user_names if folded and info.cart.user_id == user.pk else None
        if names is None:  # not read with the cart (or the account is gone: the order's insert refuses it)
            _user_order_counted(user, total=prices.total)
        else:
            user.first_name, user.last_name = names
            writes.append(_user_order_counting(user, total=prices.total))
        customer_name = user.get_full_name() if user.get_full_name() != user.email else ""
        customer_email = user.email
    else:
        customer_name = guest["name"] or " ".join(filter(None, (address.get("first_name"), address.get("last_name"))))
        customer_email = guest["email"]
    order = Order(
        order_number=order_number,
        user=user,
        customer_name=customer_name,
        customer_email=customer_email,
        shipping_method=shipping_method.code,
        currency=settings.CURRENCY,
        subtotal=prices.subtotal,
        tax_amount=prices.tax,
        shipping_amount=prices.shipping,
        discount_amount=prices.discount,
        total=prices.total,
        payment_method=payment_method,
        payment_provider=provider.name,
        # cash on delivery is confirmed as placed (its events below); a card's order waits for its charge
        status=OrderStatus.CONFIRMED if payment_method == PaymentMethod.CASH_ON_DELIVERY else OrderStatus.PENDING,
        coupon=coupon,
        coupon_code=coupon.code if coupon else "",
        shipping_address=address,
        billing_address=billing_address,
        notes=notes,
        idempotency_key=idempotency_key or "",
    )
    items = [
        OrderItem(
            order=order,
            product=line.product,
            variant=line.variant,
            product_name=line.product.name,
            variant_name=line.variant.name if line.variant else "",
            variant_kind=line.variant.kind if line.variant else "",
            image_file_id=line.product.primary_file_id,  # read with the locked row (checkout_fetch)
            product_sku=line.variant.sku if line.variant else line.product.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            total_price=line.line_total,
        )
        for line in prices.lines
    ]
    writes += _take_stock(info.lines, folded=folded)
    payment = Payment(
        order=order,
        payment_method=payment_method,
        payment_provider=provider.name,
        amount=prices.total,
        currency=order.currency,
        status=PaymentRecordStatus.PROCESSING,  # claimed: charged right after commit
    )
    placed = OrderEvent(
        order=order,
        type=OrderEventType.PLACED,
        user=_actor(user),
        data={"total": str(order.total), "coupon": order.coupon_code},
    )
    cash = payment_method == PaymentMethod.CASH_ON_DELIVERY
    # cash on delivery: PLACED and the confirmation's STATUS_CHANGED in one INSERT (``_status_changed``'s, no
    # signals), and no UPDATE of the order after its own; a card: PLACED as ``_event`` inserts it
    events = [placed, *_status_events(None, OrderStatus.PENDING, OrderStatus.CONFIRMED, by=None)] if cash else [placed]
    for event in events:
        event.order = order
    # The order, its lines (no signals: the order's ``post_save`` drops its user's list, ``list_cache``), its
    # payment and its events (``_event``'s or ``_status_changed``'s signals), in one
    # statement where statements are prepared (the lines', payment's and events' key to the order read from
    # the order's INSERT), with the ``writes`` above.
    rows_insert_under(order, [(items, False), ([payment], True), (events, not cash)], also=writes)
    order.placed_items = items  # as inserted, with their locked products (``selectors.order_detail_prefetch``)
    _written(*events)
    if cash:
        notifications.notify_status(order, OrderStatus.PENDING, OrderStatus.CONFIRMED, None)
    if coupon is not None:
        coupon_usage_record(coupon=coupon, user=user, order=order, discount_amount=prices.discount)
    notifications.notify_placed(order, items=items)
    return order, payment


# --- Payments -----------------------------------------------------------------------------
#
# A charge attempt is a Payment row. It is claimed under the order lock in state
# ``processing`` (a partial unique constraint allows one per order), the provider is called
# with no lock held and the idempotency key ``charge-<payment id>``, and the answer is
# recorded under the order lock again. An approval is never dropped: when it lands on an
# order cancelled (or paid by another payment) meanwhile, it is recorded and refunded.

SETTLED = (PaymentRecordStatus.COMPLETED, PaymentRecordStatus.REFUNDED)
PAYMENT_UNSETTLED = (
    PaymentRecordStatus.PENDING,
    PaymentRecordStatus.PROCESSING,
    PaymentRecordStatus.FAILED,
    PaymentRecordStatus.CANCELLED,
)
REFUNDED_CANCELLED = "The order was cancelled while the card was charged; the charge was refunded."
REFUNDED_ALREADY_PAID = "The order was already paid; this charge was refunded."


def _payment_claim(order, *, payment_method, provider):
    """Under the order lock: this order's one charge attempt in flight, or 409."""
    if order.payments.filter(status=PaymentRecordStatus.PROCESSING).exists():
        raise _payment_in_progress()
    order.payments.filter(status=PaymentRecordStatus.PENDING).update(
        status=PaymentRecordStatus.CANCELLED, updated_at=timezone.now()
    )
    try:
        with transaction.atomic():
            return Payment.objects.create(
                order=order,
                payment_method=payment_method,
                payment_provider=provider.name,
                amount=order.total,
                currency=order.currency,
                status=PaymentRecordStatus.PROCESSING,
            )
    except IntegrityError as exc:  # orders_payment_one_in_flight
        raise _payment_in_progress() from exc


def _payment_in_progress():
    return ApplicationError(
        error_codes.PAYMENT_IN_PROGRESS,
        gettext("A payment for this order is already in progress."),
    )


def payment_charge(*, payment, provider, data):
    """Ask the provider (no lock held), then record its answer. Returns the ``ChargeResult``,
    its ``failure_message`` saying so when an approved charge had to be refunded."""
    return _payment_charge(payment=payment, provider=provider, data=data)[0]


def _payment_charge(*, payment, provider, data, placed_items=None):
    """``payment_charge``, with the payment as recorded (see ``payment_record_result``). ``data``
    None: a lost answer asked again through ``charge_again`` (no card details)."""
    key = charge_idempotency_key(payment)
    if data is None:  # a lost answer asked again without card details; a provider failure leaves it lost
        result = provider.charge_again(payment=payment, idempotency_key=key)
        return _payment_charge_recorded(payment=payment, result=result, placed_items=placed_items)
    try:
        result = provider.charge(payment=payment, data=data, idempotency_key=key)
    except Exception:  # noqa: BLE001 - a provider failure must leave a failed payment, not a 500
        logger.exception("payment provider %s failed for %s", provider.name, payment.pk)
        result = ChargeResult(status=PaymentRecordStatus.FAILED, failure_message="The payment could not be processed.")
    return _payment_charge_recorded(payment=payment, result=result, placed_items=placed_items)


def _payment_charge_recorded(*, payment, result, placed_items):
    recorded = _payment_record_charge(payment=payment, result=result, placed_items=placed_items)
    # ``refunded_on_record``: whether recording this answer refunded it (set when it was recorded
    # now; a payment settled before, e.g. by a webhook, is asked).
    refunded = getattr(recorded, "refunded_on_record", None)
    if result.status == PaymentRecordStatus.COMPLETED and refunded is None:
        refunded = recorded.refunds.exists()
    if result.status == PaymentRecordStatus.COMPLETED and refunded:
        order = recorded.order
        message = REFUNDED_CANCELLED if order.status == OrderStatus.CANCELLED else REFUNDED_ALREADY_PAID
        result = replace(result, failure_message=message)
    return result, recorded


def _payment_record_charge(*, payment, result, placed_items=None):
    """``payment_record_result`` for a provider's ``ChargeResult`` on ``payment``."""
    return payment_record_result(
        placed_items=placed_items,
        payment_id=payment.pk,
        order_id=payment.order_id,
        status_=result.status,
        transaction_id=result.transaction_id,
        response=result.response,
        failure_message=result.failure_message,
    )


def payment_record_result(
    *, payment_id, status_, transaction_id="", response=None, failure_message="", order_id=None, placed_items=None
):
    """Apply a provider's verdict under the order lock. Idempotent: a settled payment is not
    changed again (webhooks repeat). An approval is always kept: recorded, and refunded at
    once when the order was cancelled or paid by another payment meanwhile. ``order_id`` (a
    payment never moves to another order) spares the look-up when the caller has it;
    ``placed_items`` (checkout: the order's lines as it inserted them, with their products) go
    with the order to the receivers of ``order_paid``, which then need not read them.

    An approval is first tried as the common case, a payable pending order confirmed
    (``_payment_approved_of_pending``; where statements are prepared, ``_payment_approved_at_once``, one
    statement); a payment found in another state there rolls that transaction (or statement) back and the
    verdict is applied again the general way."""
    if order_id is None:
        order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).first()
    verdict = {
        "payment_id": payment_id,
        "order_id": order_id,
        "status_": status_,
        "transaction_id": transaction_id,
        "response": response,
        "failure_message": failure_message,
        "placed_items": placed_items,
    }
    approved = status_ == PaymentRecordStatus.COMPLETED
    if approved and prepared_statements(connection):  # the common case in one statement, else the general way
        common = {name: value for name, value in verdict.items() if name != "status_"}
        return _payment_approved_at_once(**common) or _payment_record(**verdict, common_case=False)
    try:
        return _payment_record(**verdict, common_case=approved)
    except _NotCommonCase:
        return _payment_record(**verdict, common_case=False)


class _NotCommonCase(Exception):  # noqa: N818 - a signal between two functions, not an error
    """The approved payment was not in the common case's state (settled, or with a reference already): its
    transaction must not keep the order's change."""


@transaction.atomic
def _payment_record(
    *, payment_id, order_id, status_, transaction_id, response, failure_message, placed_items, common_case
):
    if common_case:
        payment = _payment_approved_of_pending(
            payment_id=payment_id,
            order_id=order_id,
            transaction_id=transaction_id,
            response=response,
            failure_message=failure_message,
            placed_items=placed_items,
        )
        if payment is not None:
            return payment
    order = order_lock(order_id=order_id)
    if placed_items is not None:
        order.placed_items = placed_items
    payment = payment_lock(payment_id=payment_id)
    # The order as this transaction leaves it (every change below is saved through it), for a
    # caller that would read it again; None where a refund may change it through other statements.
    payment.locked_order = order
    if payment.status in SETTLED:
        return payment
    approved = status_ == PaymentRecordStatus.COMPLETED
    if payment.status in (PaymentRecordStatus.FAILED, PaymentRecordStatus.CANCELLED) and not approved:
        return payment
    payment.status = status_
    # Only the columns this verdict sets are written (the row is locked; the rest is as read).
    fields = ["status", "provider_response", "failure_message", "updated_at"]
    if transaction_id:
        payment.transaction_id = payment.transaction_id or transaction_id
        payment.provider_transaction_id = transaction_id
        fields += ["transaction_id", "provider_transaction_id"]
    payment.provider_response = response or payment.provider_response
    payment.failure_message = failure_message[:255]
    if status_ in (PaymentRecordStatus.COMPLETED, PaymentRecordStatus.FAILED):
        payment.processed_at = timezone.now()
        fields.append("processed_at")
    if status_ == PaymentRecordStatus.PENDING and order.status == OrderStatus.CANCELLED:
        payment.status = PaymentRecordStatus.CANCELLED  # cash to collect on an order that is gone
    payment.save(update_fields=fields)
    if approved:
        already_paid = order.payment_status not in (PaymentStatus.PENDING, PaymentStatus.FAILED)
        if order.status == OrderStatus.CANCELLED or already_paid:
            _event(order, OrderEventType.PAID, amount=str(payment.amount), provider=payment.payment_provider)
            surplus = already_paid and order.status != OrderStatus.CANCELLED
            refund = _refund_locked(
                order=order,
                payment=payment,
                amount=payment.amount,
                reason=REFUNDED_CANCELLED if order.status == OrderStatus.CANCELLED else REFUNDED_ALREADY_PAID,
                by=None,
                surplus=surplus,
            )
            if refund.status == RefundStatus.FAILED and not surplus:
                # The money is held: say so, and leave the payment refundable by staff.
                order.payment_status = PaymentStatus.PAID
                order.save(update_fields=["payment_status", "updated_at"])
            payment.refresh_from_db()
            payment.refunded_on_record = True
            payment.locked_order = None
        else:
            _mark_paid(order, payment)
            payment.refunded_on_record = False
    elif status_ == PaymentRecordStatus.FAILED and order.payment_status == PaymentStatus.PENDING:
        order.payment_status = PaymentStatus.FAILED
        order.save(update_fields=["payment_status", "updated_at"])
        _event(order, OrderEventType.PAYMENT_FAILED, reason=payment.failure_message)
    return payment


PAYABLE = (PaymentStatus.PENDING, PaymentStatus.FAILED)


def _approval(*, transaction_id, response, failure_message):
    """The approval of a pending, payable order as two conditional ``UPDATE``s (``row_update_if``): the
    order's ``values`` and ``where``, then the payment's (the first reference kept: a payment with none yet,
    checkout's claimed attempt)."""
    now = timezone.now()
    order = {
        "values": {
            "status": OrderStatus.CONFIRMED,
            "payment_status": PaymentStatus.PAID,
            "paid_at": now,
            "updated_at": now,
        },
        "where": {"status": OrderStatus.PENDING, "payment_status": PAYABLE},
    }
    values = {
        "status": PaymentRecordStatus.COMPLETED,
        "failure_message": failure_message[:255],
        "processed_at": now,
        "updated_at": now,
    }
    if transaction_id:
        values["transaction_id"] = values["provider_transaction_id"] = transaction_id
    if response:
        values["provider_response"] = response
    return order, {"values": values, "where": {"status": PAYMENT_UNSETTLED, "transaction_id": ""}}


def _approved(order, payment, *, placed_items):
    """After the approval's writes: what ``save(update_fields=...)`` would have told the receivers (the
    order list's version), the notices of ``payment_record_result``'s general path with ``_mark_paid``."""
    if placed_items is not None:
        order.placed_items = placed_items
    post_save.send(
        sender=Order,
        instance=order,
        created=False,
        update_fields=frozenset({"status", "payment_status", "paid_at", "updated_at"}),
        raw=False,
        using=DEFAULT_DB_ALIAS,
    )


def _payment_approved_of_pending(*, payment_id, order_id, transaction_id, response, failure_message, placed_items):
    """An approval of a pending, payable order (checkout's charge), in two conditional UPDATEs instead of
    two locking reads and two saves: the order first (the lock order), confirmed and paid while it is
    still ``pending`` and payable, then the payment, completed unless settled. None when the order was
    not in that state (nothing written: the caller goes the general way in the same transaction); a
    payment settled (or with a reference already) raises ``_NotCommonCase``: the order's change is rolled back. The same
    columns, events and notices as ``payment_record_result``'s general path with ``_mark_paid``."""
    order_update, payment_update = _approval(
        transaction_id=transaction_id, response=response, failure_message=failure_message
    )
    order = row_update_if(Order, pk=order_id, **order_update)
    if order is None:
        return None
    payment = row_update_if(Payment, pk=payment_id, **payment_update)
    if payment is None:
        raise _NotCommonCase
    _approved(order, payment, placed_items=placed_items)
    paid = {"amount": str(payment.amount), "provider": payment.payment_provider}
    _status_changed(order, OrderStatus.PENDING, OrderStatus.CONFIRMED, by=None, paid=paid)
    notifications.notify_paid(order, payment)
    payment.locked_order = order
    payment.refunded_on_record = False
    return payment


def _payment_approved_at_once(*, payment_id, order_id, transaction_id, response, failure_message, placed_items):
    """``_payment_approved_of_pending`` where statements are prepared: its two ``UPDATE``s and its two events
    in one statement (``order_paid_if``), a transaction by itself (in a caller's transaction, in a
    savepoint). None when the order or the payment was not in its state: nothing written, the caller goes
    the general way. The same rows, events and notices."""
    order_update, payment_update = _approval(
        transaction_id=transaction_id, response=response, failure_message=failure_message
    )
    events = [
        OrderEvent(order_id=order_id, type=OrderEventType.PAID, data={}),  # the payment's amount and provider
        *_status_events(order_id, OrderStatus.PENDING, OrderStatus.CONFIRMED, by=None),
    ]
    kept = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with kept:
            written = order_paid_if(
                order_id=order_id,
                order_values=order_update["values"],
                order_where=order_update["where"],
                payment_id=payment_id,
                payment_values=payment_update["values"],
                payment_where=payment_update["where"],
                events=events,
            )
    except PaymentNotMatched:
        return None
    if written is None:
        return None
    order, payment, events = written
    _approved(order, payment, placed_items=placed_items)
    _written(*events)
    notifications.notify_status(order, OrderStatus.PENDING, OrderStatus.CONFIRMED, None)
    notifications.notify_paid(order, payment)
    payment.locked_order = order
    payment.refunded_on_record = False
    return payment


def _mark_paid(order, payment):
    """Paid, and a pending order confirmed, in one UPDATE of the order."""
    order.payment_status = PaymentStatus.PAID
    order.paid_at = timezone.now()
    paid = {"amount": str(payment.amount), "provider": payment.payment_provider}
    fields = ["payment_status", "paid_at"]
    if order.status == OrderStatus.PENDING:
        _set_status(order, OrderStatus.CONFIRMED, by=None, also=(fields, paid))
    else:
        order.save(update_fields=[*fields, "updated_at"])
        _event(order, OrderEventType.PAID, **paid)
    notifications.notify_paid(order, payment)


def order_pay(*, order, payment_method, payment_data):
    """Pay again after a declined card (or switch to cash on delivery). 409 while another
    attempt of this order is in flight; the provider is only called for a claimed attempt.
    An attempt whose answer was lost is asked again first (``_charge_answer_ask_again``): approved,
    the order is answered paid and nothing new is charged; declined, the new attempt goes on."""
    provider = provider_for_method(payment_method)
    try:
        lost = _charge_answer_ask_again(order=order, data=None)
    except Exception:  # noqa: BLE001 - no answer: the attempt stays lost (409 below, asked again later)
        logger.exception("Asking again for the lost charge answer of order %s failed", order.pk)
        lost = None
    if lost is not None and order.payment_status == PaymentStatus.PAID:
        return order, lost
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        if order.status != OrderStatus.PENDING or order.payment_status not in (
            PaymentStatus.PENDING,
            PaymentStatus.FAILED,
        ):
            raise ApplicationError(
                error_codes.PAYMENT_NOT_ALLOWED,
                gettext("This order cannot be paid now."),
            )
        payment = _payment_claim(order, payment_method=payment_method, provider=provider)
        order.payment_method = payment_method
        order.payment_provider = provider.name
        order.payment_status = PaymentStatus.PENDING
        order.save(update_fields=["payment_method", "payment_provider", "payment_status", "updated_at"])
        if payment_method == PaymentMethod.CASH_ON_DELIVERY:
            _set_status(order, OrderStatus.CONFIRMED, by=order.user)
    charge = payment_charge(payment=payment, provider=provider, data=payment_data or {})
    order.refresh_from_db()
    return order, charge


def _complete_pending_payment(order, *, reference=""):
    """Cash collected (delivery or staff marking it paid): settle the pending payment."""
    payment = order.payments.filter(status=PaymentRecordStatus.PENDING).first()
    if payment is None:
        payment = Payment.objects.create(
            order=order,
            payment_method=order.payment_method,
            payment_provider=order.payment_provider or "manual",
            amount=order.total,
            currency=order.currency,
        )
    payment = payment_lock(payment_id=payment.pk)
    payment.status = PaymentRecordStatus.COMPLETED
    payment.processed_at = timezone.now()
    fields = ["status", "processed_at", "updated_at"]
    if reference:
        payment.transaction_id = reference
        fields.append("transaction_id")
    payment.save(update_fields=fields)
    _mark_paid(order, payment)


# --- Status machine -----------------------------------------------------------------------


def _set_status(order, new_status, *, by, also=None, **data):
    """``also`` = (fields, paid event data): fields set by the caller saved in the same UPDATE,
    and the PAID event recorded before the status change (one insert for both)."""
    old = order.status
    if new_status not in TRANSITIONS.get(old, set()):
        raise ApplicationError(
            error_codes.INVALID_STATUS_TRANSITION,
            gettext("An order cannot go from %(old)s to %(new)s.") % {"old": old, "new": new_status},
            errors={
                "status": [
                    gettext("Allowed from %(old)s: %(allowed)s.")
                    % {"old": old, "allowed": ", ".join(sorted(TRANSITIONS[old])) or "none"}
                ]
            },
        )
    now = timezone.now()
    order.status = new_status
    fields = ["status", "updated_at"]
    if new_status == OrderStatus.SHIPPED:
        order.shipped_at = now
        order.fulfillment_status = FulfillmentStatus.SHIPPED
        fields += ["shipped_at", "fulfillment_status"]
    elif new_status == OrderStatus.DELIVERED:
        order.delivered_at = now
        order.fulfillment_status = FulfillmentStatus.DELIVERED
        fields += ["delivered_at", "fulfillment_status"]
    elif new_status == OrderStatus.CANCELLED:
        order.cancelled_at = now
        fields.append("cancelled_at")
    if also is None:
        order.save(update_fields=fields)
        _status_changed(order, old, new_status, by=by, **data)
    else:
        also_fields, paid = also
        order.save(update_fields=[*also_fields, *fields])
        _status_changed(order, old, new_status, by=by, paid=paid, **data)
    if new_status == OrderStatus.DELIVERED and order.payment_status == PaymentStatus.PENDING:
        _complete_pending_payment(order)
    if new_status == OrderStatus.DELIVERED:
        order_runs_out_estimate(order=order)


def _status_events(order_id, old, new_status, *, by, **data):
    """The event of a status change of the order ``order_id``, unsaved."""
    return [
        OrderEvent(
            order_id=order_id,
            type=OrderEventType.STATUS_CHANGED,
            user=_actor(by),
            data={"old": old, "new": new_status, **data},
        )
    ]


def _status_changed(order, old, new_status, *, by, paid=None, **data):
    """The events of a status change saved on ``order`` (``paid``: the PAID event's data, recorded before it
    in the same insert), and its notices."""
    (changed,) = _status_events(order.pk, old, new_status, by=by, **data)
    changed.order = order
    if paid is None:
        _written(*rows_insert(OrderEvent, [changed], signals=True))
    else:
        _written(
            *rows_insert(
                OrderEvent, [OrderEvent(order=order, type=OrderEventType.PAID, data=paid), changed], signals=False
            )
        )
    notifications.notify_status(order, old, new_status, by)


def _restocked_quantities(order):
    """{item id: quantity already put back} by earlier line refunds."""
    rows = (
        PaymentRefundLine.objects.filter(order_item__order=order, restocked=True)
        .values_list("order_item_id")
        .annotate(total=Sum("quantity"))
    )
    return dict(rows)


def _restock(order, quantities=None):
    """Put items back in stock: ``quantities`` {item id: quantity}, or every quantity not put back yet."""
    if quantities is None:
        done = _restocked_quantities(order)
        quantities = {item.pk: item.quantity - done.get(item.pk, 0) for item in order.items.all()}
    items = []
    for item in order.items.filter(pk__in=[pk for pk, quantity in quantities.items() if quantity > 0]):
        item.quantity = quantities[item.pk]  # in memory only: the quantity to put back
        items.append(item)
    if not items:
        return
    product_ids = {item.product_id for item in items}
    variant_ids = {item.variant_id for item in items if item.variant_id}
    products = products_lock(product_ids=product_ids)
    variants = variants_lock(variant_ids=variant_ids)
    back_product, back_variant, sold = {}, {}, {}
    for item in items:
        sold[item.product_id] = sold.get(item.product_id, 0) + item.quantity
        if not products[item.product_id].track_inventory:
            continue
        if item.variant_id:
            back_variant[item.variant_id] = back_variant.get(item.variant_id, 0) + item.quantity
        else:
            back_product[item.product_id] = back_product.get(item.product_id, 0) + item.quantity
    for product_id in sorted(sold):
        current = products[product_id].sales_count
        updates = {"sales_count": F("sales_count") - min(current, sold[product_id])}
        if product_id in back_product:
            updates["stock_quantity"] = F("stock_quantity") + back_product[product_id]
        Product.objects.filter(pk=product_id).update(**updates)
    for variant_id in sorted(back_variant):
        ProductVariant.objects.filter(pk=variant_id).update(
            stock_quantity=F("stock_quantity") + back_variant[variant_id]
        )
    # A stock row that was sold out (<= 0, read under its lock) and now holds stock again.
    came_back = {
        pk
        for pk, quantity in back_product.items()
        if products[pk].stock_quantity <= 0 < products[pk].stock_quantity + quantity
    }
    came_back |= {
        variants[pk].product_id
        for pk, quantity in back_variant.items()
        if variants[pk].stock_quantity <= 0 < variants[pk].stock_quantity + quantity
    }
    invalidate_products(sorted(sold), lists=bool(came_back))
    _announce_back_in_stock(sorted(came_back))


def _announce_back_in_stock(product_ids):
    """After commit, the same ``product_back_in_stock`` signal the catalog sends on an edit
    (wishlist notices), for active products whose stock came back through an order."""
    if not product_ids:
        return

    def send():
        for product in Product.objects.filter(pk__in=product_ids, status=ProductStatus.ACTIVE).order_by("pk"):
            events.product_back_in_stock.send(sender=Product, product=product)

    transaction.on_commit(send)


def _refunded_total(order):
    return sum((p.refunded_amount for p in order.payments.all()), ZERO)


def order_cancel(*, order, by, reason="", staff=False):
    """Cancel, put stock back, release the coupon use, fix the customer's counters and refund
    what was paid, all under the order lock (so a refund or a payment result waits for it).
    A charge in flight stays ``processing``: if it is approved, recording it refunds it."""
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        allowed = STAFF_CANCELLABLE if staff else CUSTOMER_CANCELLABLE
        if order.status not in allowed:
            raise ApplicationError(
                error_codes.ORDER_NOT_CANCELLABLE,
                gettext("A %(status)s order cannot be cancelled.") % {"status": order.status},
            )
        _cancel_locked(order, by=by, reason=reason)
    order.refresh_from_db()
    return order


def guest_order_cancel(*, order, reason=""):
    """A guest cancels their own order: the caller checked their proof (number and e-mail, or a
    browser that found the order with them). The shoppers' cancel, with nobody signed in."""
    if order.user_id is not None:  # claimed by an account meanwhile: cancelled from the account only
        raise ApplicationError(error_codes.ORDER_NOT_FOUND, gettext("Order not found."))
    return order_cancel(order=order, by=None, reason=reason)


def _cancel_locked(order, *, by, reason, **data):
    """Cancel an order whose lock the caller holds (its status already checked)."""
    _restock(order)
    coupon_release(order=order)
    if order.user_id:
        get_user_model().objects.filter(pk=order.user_id).update(
            total_orders=F("total_orders") - 1,
            total_spent=F("total_spent") - (order.total - _refunded_total(order)),
        )
    order.payments.filter(status=PaymentRecordStatus.PENDING).update(
        status=PaymentRecordStatus.CANCELLED, updated_at=timezone.now()
    )
    _set_status(order, OrderStatus.CANCELLED, by=by, reason=reason, **data)
    for payment in payments_lock(order_id=order.pk):
        if payment.refundable_amount > ZERO:
            _refund_locked(
                order=order, payment=payment, amount=payment.refundable_amount, reason="Order cancelled", by=by
            )


# --- Lost charge answers ---------------------------------------------------------------------
#
# A charge attempt whose provider answer was never recorded: its request died between the claim
# and the record, or the database went away after the order committed (that checkout answered
# 503). It stays ``processing``, so ``/pay`` answers 409 and the expiry would never see it. Once it
# is older than any request can take, it is asked again with its own key: the provider repeats its
# first answer (an approval is recorded: the order is paid; a key it never saw is refused, nothing
# was charged), and the order goes on from there like any other.

CHARGE_ANSWER_LOST_AFTER = timedelta(minutes=2)  # far above a charge's own timeout (Stripe: 15 s)


def _charges_lost(*, now):
    """``processing`` with no transaction id: no provider answer was ever recorded for it."""
    return Payment.objects.filter(
        status=PaymentRecordStatus.PROCESSING,
        provider_transaction_id="",
        created_at__lt=now - CHARGE_ANSWER_LOST_AFTER,
    ).select_related("order")


def payments_lost_recover(*, now=None):
    """Record the answer of every lost charge attempt, asked again (``charge_again``) with its own
    key. A provider that fails to answer is left for the next run. Returns the payment ids recorded."""
    recorded = []
    for payment in _charges_lost(now=now or timezone.now()).order_by("created_at"):
        try:
            provider = provider_by_name(payment.payment_provider)
            if not provider.is_configured():
                continue
            result = provider.charge_again(payment=payment, idempotency_key=charge_idempotency_key(payment))
        except Exception:  # noqa: BLE001 - one provider failure must not stop the others or the expiry
            logger.exception("Asking again for the lost charge answer of payment %s failed", payment.pk)
            continue
        logger.warning(
            "Charge answer of payment %s (order %s) was lost; asked again: %s",
            payment.pk,
            payment.order.order_number,
            result.status,
        )
        try:
            _payment_record_charge(payment=payment, result=result)
        except ApplicationError:  # e.g. a refund refused on record: the others and the expiry go on
            logger.exception("Recording the lost charge answer of payment %s failed", payment.pk)
            continue
        recorded.append(payment.pk)
    return recorded


# --- Unpaid card orders expire ---------------------------------------------------------------

EXPIRABLE_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.FAILED)


def _unpaid_expired(cutoff):
    """Pending card orders with nothing paid, no charge in flight and no charge attempt since
    ``cutoff`` (an order placed or retried after it is left alone)."""
    payments = Payment.objects.filter(order=OuterRef("pk"))
    return (
        Order.objects.filter(
            status=OrderStatus.PENDING,
            payment_method=PaymentMethod.CARD,
            payment_status__in=EXPIRABLE_PAYMENT_STATUSES,
            created_at__lt=cutoff,
        )
        .exclude(Exists(payments.filter(status__in=(PaymentRecordStatus.PROCESSING, *SETTLED))))
        .exclude(Exists(payments.filter(created_at__gte=cutoff)))
    )


def order_expire_unpaid(*, order, now=None):
    """Cancel one unpaid card order that has waited more than ``ORDER_UNPAID_TIMEOUT_MINUTES``.

    Re-checked under the order lock, so a payment claimed meanwhile (``processing``) or
    settled wins and the order is left alone; returns whether it was cancelled. Cancelling
    returns its stock and coupon use like any cancellation, with the reason in its history.
    """
    minutes = settings.ORDER_UNPAID_TIMEOUT_MINUTES
    cutoff = (now or timezone.now()) - timedelta(minutes=minutes)
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        if not _unpaid_expired(cutoff).filter(pk=order.pk).exists():
            return False
        _cancel_locked(
            order,
            by=None,
            reason=f"Not paid within {minutes} minutes.",
            expired="unpaid_timeout",
        )
    return True


def orders_expire_unpaid(*, now=None):
    """Cancel every expired unpaid card order (the beat task and the management command);
    idempotent: a second run finds nothing. Returns the cancelled order numbers.

    Lost charge answers are recorded first (``payments_lost_recover``): until then such an order is
    neither known paid nor known unpaid."""
    now = now or timezone.now()
    payments_lost_recover(now=now)
    cutoff = now - timedelta(minutes=settings.ORDER_UNPAID_TIMEOUT_MINUTES)
    expired = []
    for order in _unpaid_expired(cutoff).order_by("pk").only("pk", "order_number"):
        try:
            if order_expire_unpaid(order=order, now=now):
                expired.append(order.order_number)
        except ApplicationError:
            logger.exception("Expiring unpaid order %s failed", order.order_number)
    return expired


def order_status_update(*, order, new_status, by):
    """Staff moves an order along the status machine (with the side effects of each step)."""
    if new_status == OrderStatus.CANCELLED:
        return order_cancel(order=order, by=by, staff=True)
    if new_status == OrderStatus.REFUNDED:
        return order_refund(order=order, amount=None, reason="Order refunded", by=by)[0]
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        if new_status == OrderStatus.SHIPPED and not order.tracking_number:
            raise ApplicationError(
                error_codes.TRACKING_NUMBER_REQUIRED,
                gettext("Ship the order with a tracking number."),
                errors={"tracking_number": [gettext("Required to ship.")]},
            )
        _set_status(order, new_status, by=by)
    return order


def order_ship(*, order, tracking_number, by):
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        order.tracking_number = tracking_number
        order.save(update_fields=["tracking_number", "updated_at"])
        if order.status == OrderStatus.CONFIRMED:
            _set_status(order, OrderStatus.PROCESSING, by=by)
        _set_status(order, OrderStatus.SHIPPED, by=by, tracking_number=tracking_number)
    return order


def order_fulfillment_update(*, order, fulfillment_status, by):
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        old = order.fulfillment_status
        order.fulfillment_status = fulfillment_status
        order.save(update_fields=["fulfillment_status", "updated_at"])
        _event(order, OrderEventType.FULFILLMENT_STATUS_CHANGED, by=by, old=old, new=fulfillment_status)
    return order


MANUAL_PAYMENT_STATUSES = {
    PaymentStatus.PENDING,
    PaymentStatus.PAID,
    PaymentStatus.PARTIALLY_PAID,
    PaymentStatus.FAILED,
}


def order_payment_status_update(*, order, payment_status, by, reference=""):
    """Staff records an offline payment state. Refund states only come from real refunds."""
    if payment_status not in MANUAL_PAYMENT_STATUSES:
        raise ApplicationError(
            error_codes.INVALID_STATUS_TRANSITION,
            gettext("Use the refund endpoint to refund an order."),
            errors={"payment_status": [gettext("Refund states are set by refunds.")]},
        )
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        if order.payment_status in (PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED):
            raise ApplicationError(
                error_codes.INVALID_STATUS_TRANSITION,
                gettext("A refunded order's payment status cannot change."),
            )
        if payment_status == PaymentStatus.PAID and order.payment_status != PaymentStatus.PAID:
            if order.status == OrderStatus.CANCELLED:
                raise ApplicationError(
                    error_codes.INVALID_STATUS_TRANSITION,
                    gettext("A cancelled order cannot be marked paid."),
                )
            _complete_pending_payment(order, reference=reference)
        elif payment_status != order.payment_status:
            old = order.payment_status
            order.payment_status = payment_status
            order.save(update_fields=["payment_status", "updated_at"])
            _event(order, OrderEventType.PAYMENT_STATUS_CHANGED, by=by, old=old, new=payment_status)
    return order


STAFF_TEXT_FIELDS = ("tracking_number", "notes", "admin_notes")


def order_staff_update(
    *,
    order,
    by,
    status_=None,
    payment_status=None,
    payment_reference="",
    fulfillment_status=None,
    tracking_number=None,
    notes=None,
    admin_notes=None,
):
    """A staff edit of an order as one transaction: all of it, or (on any refusal) nothing.

    Text fields first (shipping needs the tracking number), then the payment status, the status
    (which may refund through the provider, so nothing after it can refuse) and the fulfilment.
    """
    texts = {"tracking_number": tracking_number, "notes": notes, "admin_notes": admin_notes}
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        changed = [name for name, value in texts.items() if value is not None and getattr(order, name) != value]
        if changed:
            for name in changed:
                setattr(order, name, texts[name])
            order.save(update_fields=[*changed, "updated_at"])
            if "tracking_number" in changed:
                _event(order, OrderEventType.NOTE, by=by, tracking_number=order.tracking_number)
        if payment_status and payment_status != order.payment_status:
            order_payment_status_update(order=order, payment_status=payment_status, by=by, reference=payment_reference)
            order.refresh_from_db()
        if status_ and status_ != order.status:
            order_status_update(order=order, new_status=status_, by=by)
            order.refresh_from_db()
        if fulfillment_status and fulfillment_status != order.fulfillment_status:
            order_fulfillment_update(order=order, fulfillment_status=fulfillment_status, by=by)
    order.refresh_from_db()
    return order


def orders_bulk_update(*, order_numbers, by, status_=None, fulfillment_status=None):
    """Apply one change to many orders; each order succeeds or fails on its own. Returns
    ``(done, skipped)``: the order numbers changed and ``[{"id", "code", "message"}]`` for the others
    (``skincare.api.bulk``), both in the order asked."""
    numbers = list(dict.fromkeys(order_numbers))
    orders = {order.order_number: order for order in Order.objects.filter(order_number__in=numbers)}
    done, skipped = [], []
    for number in numbers:
        order = orders.get(number)
        if order is None:
            skipped.append(bulk.not_found(number))
            continue
        try:
            order_staff_update(order=order, by=by, status_=status_, fulfillment_status=fulfillment_status)
        except ApplicationError as exc:
            skipped.append(bulk.skipped(number, exc.error_code, exc.message))
            continue
        done.append(number)
    return done, skipped


# --- Refunds ------------------------------------------------------------------------------


def order_refund(*, order, amount, reason, by, payment_id=None):
    """Refund ``amount`` (all that is left when None) of the order's settled payment.

    Never more than was paid: checked under the order and payment locks and enforced by a
    database constraint on ``Payment.refunded_amount``.
    """
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        candidates = order.payments.filter(status__in=SETTLED)
        if payment_id is not None:
            candidates = candidates.filter(pk=payment_id)
        payment = next((p for p in candidates.order_by("created_at") if p.refundable_amount > ZERO), None)
        if payment is None:
            raise ApplicationError(
                error_codes.REFUND_NOT_ALLOWED,
                gettext("There is no payment left to refund on this order."),
            )
        payment = payment_lock(payment_id=payment.pk)
        refundable = payment.refundable_amount
        amount = refundable if amount is None else amount
        if amount <= ZERO or amount > refundable:
            raise ApplicationError(
                error_codes.REFUND_EXCEEDS_PAID,
                gettext("At most %(amount)s can be refunded.") % {"amount": refundable},
                errors={"amount": [gettext("Must be more than 0 and at most %(amount)s.") % {"amount": refundable}]},
            )
        refund = _refund_locked(order=order, payment=payment, amount=amount, reason=reason, by=by)
        if refund.status == RefundStatus.FAILED:
            raise ApplicationError(
                error_codes.PAYMENT_PROVIDER_ERROR,
                refund.failure_message or gettext("The refund failed."),
            )
    return order, refund


def _goods_paid(order):
    """What the shopper paid for the goods: subtotal - goods discount + tax (shipping aside)."""
    free_shipping = order.coupon is not None and order.coupon.type == CouponType.FREE_SHIPPING
    shipping_paid = ZERO if free_shipping else order.shipping_amount
    return order.total - shipping_paid, shipping_paid


def _refund_line_amounts(order, items, wanted, refunded):
    """The money of ``wanted`` {item: quantity}: each line's share of what was paid for the goods
    (discount and tax spread by line value); the refund that returns the last units gets what is
    left, so line refunds of a whole order add up to the goods paid to the cent."""
    goods_paid, _ = _goods_paid(order)
    amounts = {}
    for item, quantity in wanted.items():
        share = item.unit_price * quantity / order.subtotal if order.subtotal else ZERO
        amounts[item.pk] = money(goods_paid * share)
    left = {item.pk: item.quantity - refunded.get(item.pk, 0) - wanted.get(item, 0) for item in items}
    if not any(left.values()):
        already = PaymentRefundLine.objects.filter(order_item__order=order).aggregate(total=Sum("amount"))["total"]
        last = max(wanted, key=lambda item: item.pk)
        amounts[last.pk] = money(
            goods_paid - (already or ZERO) - sum((value for pk, value in amounts.items() if pk != last.pk), ZERO)
        )
    return amounts


def _refunded_quantities(order):
    return dict(
        PaymentRefundLine.objects.filter(order_item__order=order)
        .values_list("order_item_id")
        .annotate(total=Sum("quantity"))
    )


def _refund_remaining_lines(order, refund, *, restocked):
    """A refund that leaves nothing to refund covers every unit no earlier refund returned: record them."""
    items = list(order.items.all())
    refunded = _refunded_quantities(order)
    remaining = {item: item.quantity - refunded.get(item.pk, 0) for item in items}
    remaining = {item: quantity for item, quantity in remaining.items() if quantity > 0}
    if not remaining:
        return
    amounts = _refund_line_amounts(order, items, remaining, refunded)
    PaymentRefundLine.objects.bulk_create(
        [
            PaymentRefundLine(
                refund=refund,
                order_item=item,
                quantity=quantity,
                amount=max(amounts[item.pk], ZERO),
                restocked=restocked,
            )
            for item, quantity in remaining.items()
        ]
    )


def order_refund_lines(*, order, lines, reason, by, include_shipping=False):
    """Refund chosen lines: ``lines`` is ``[(item id, quantity)]``. The amount comes from the lines
    (``_refund_line_amounts``, plus the shipping paid when ``include_shipping``); units not shipped
    go back to stock when ``ORDER_RESTOCK_ON_REFUND``; the refund row records its lines.

    Never more of a line than was bought minus what earlier refunds returned: counted under the
    order lock, which every refund of the order takes first, so parallel refunds wait in turn.
    """
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        items = list(order.items.all())
        by_id = {item.pk: item for item in items}
        refunded = _refunded_quantities(order)
        wanted, errors = {}, {}
        for item_id, quantity in lines:
            item = by_id.get(item_id)
            if item is None:
                errors[str(item_id)] = ["Not a line of this order."]
                continue
            wanted[item] = wanted.get(item, 0) + quantity
        for item, quantity in wanted.items():
            left = item.quantity - refunded.get(item.pk, 0)
            if quantity <= 0 or quantity > left:
                errors[str(item.pk)] = [f"At most {left} of {item.product_name} can be refunded."]
        if errors or not wanted:
            raise ApplicationError(
                error_codes.REFUND_LINES_INVALID,
                gettext("Some lines cannot be refunded."),
                errors={"lines": errors or {"": [gettext("Choose at least one line.")]}},
            )
        amounts = _refund_line_amounts(order, items, wanted, refunded)
        amount = sum(amounts.values(), ZERO)
        if include_shipping:
            already_shipping = order.events.filter(type=OrderEventType.REFUNDED, data__shipping=True).exists()
            if not already_shipping:
                amount += _goods_paid(order)[1]
        payment = next(
            (
                p
                for p in order.payments.filter(status__in=SETTLED).order_by("created_at")
                if p.refundable_amount >= amount
            ),
            None,
        )
        if payment is None or amount <= ZERO:
            refundable = sum((p.refundable_amount for p in order.payments.all()), ZERO)
            raise ApplicationError(
                error_codes.REFUND_EXCEEDS_PAID if refundable > ZERO else error_codes.REFUND_NOT_ALLOWED,
                gettext("These lines come to %(amount)s; at most %(refundable)s can be refunded.")
                % {"amount": amount, "refundable": refundable},
            )
        payment = payment_lock(payment_id=payment.pk)
        restock = settings.ORDER_RESTOCK_ON_REFUND and order.status in (OrderStatus.CONFIRMED, OrderStatus.PROCESSING)
        refund = _refund_locked(
            order=order,
            payment=payment,
            amount=amount,
            reason=reason,
            by=by,
            lines=[(item, quantity, amounts[item.pk]) for item, quantity in wanted.items()],
            shipping=include_shipping,
        )
        if refund.status == RefundStatus.FAILED:
            raise ApplicationError(
                error_codes.PAYMENT_PROVIDER_ERROR,
                refund.failure_message or "The refund failed.",
            )
        if restock:
            # A refund that left nothing to refund already put back every unit not put back yet.
            if order.status != OrderStatus.REFUNDED:
                _restock(order, {item.pk: quantity for item, quantity in wanted.items()})
            refund.lines.update(restocked=True)
    return order, refund


def _refund_locked(*, order, payment, amount, reason, by, surplus=False, lines=(), shipping=False):
    """Return ``amount`` of ``payment`` through its provider; the caller holds the order lock.

    ``surplus``: the payment was never the order's (it landed after another one paid it), so
    the order's payment status and the customer's counters stay as they are.
    A failed refund is returned unsaved (status ``failed``) and changes nothing.
    """
    provider = provider_by_name(payment.payment_provider)
    try:
        result = provider.refund(
            payment=payment, amount=amount, idempotency_key=refund_idempotency_key(payment, amount)
        )
    except Exception:  # noqa: BLE001 - a provider failure is a failed refund, not a 500
        logger.exception("refund by %s failed for %s", provider.name, payment.pk)
        result = RefundResult(status=RefundStatus.FAILED, failure_message="The refund could not be processed.")
    if result.status == RefundStatus.FAILED:
        logger.error("refund of %s on payment %s failed: %s", amount, payment.pk, result.failure_message)
        refund = PaymentRefund(payment=payment, amount=amount, reason=reason, status=RefundStatus.FAILED)
        refund.failure_message = result.failure_message
        return refund
    refund = PaymentRefund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason,
        status=result.status,
        provider_refund_id=result.provider_refund_id,
        created_by=by if by is not None and by.is_authenticated else None,
        processed_at=timezone.now() if result.status == RefundStatus.COMPLETED else None,
    )
    PaymentRefundLine.objects.bulk_create(
        [
            PaymentRefundLine(refund=refund, order_item=item, quantity=quantity, amount=line_amount)
            for item, quantity, line_amount in lines
        ]
    )
    Payment.objects.filter(pk=payment.pk).update(refunded_amount=F("refunded_amount") + amount)
    payment.refresh_from_db()
    if payment.refunded_amount == payment.amount:
        payment.status = PaymentRecordStatus.REFUNDED
        payment.save(update_fields=["status", "updated_at"])
    fully = False
    if not surplus:
        fully = all(p.refundable_amount == ZERO for p in order.payments.all())
        order.payment_status = PaymentStatus.REFUNDED if fully else PaymentStatus.PARTIALLY_REFUNDED
        order.save(update_fields=["payment_status", "updated_at"])
        if order.status != OrderStatus.CANCELLED and order.user_id:
            get_user_model().objects.filter(pk=order.user_id).update(total_spent=F("total_spent") - amount)
    line_data = {"lines": {str(item.pk): quantity for item, quantity, _ in lines}} if lines else {}
    if shipping:
        line_data["shipping"] = True
    _event(order, OrderEventType.REFUNDED, by=by, amount=str(amount), reason=reason, refund=str(refund.pk), **line_data)
    if fully and order.status in TRANSITIONS and OrderStatus.REFUNDED in TRANSITIONS[order.status]:
        unshipped = order.status in (OrderStatus.CONFIRMED, OrderStatus.PROCESSING)
        if unshipped and settings.ORDER_RESTOCK_ON_REFUND:
            _restock(order)
        _refund_remaining_lines(order, refund, restocked=unshipped and settings.ORDER_RESTOCK_ON_REFUND)
        _set_status(order, OrderStatus.REFUNDED, by=by, restocked=unshipped and settings.ORDER_RESTOCK_ON_REFUND)
    notifications.notify_refunded(order, refund)
    return refund


# --- Staff: messages ----------------------------------------------------------------------


def order_confirmation_resend(*, order, by):
    """E-mail the order confirmation again (after the commit) and note it in the order's history."""
    with transaction.atomic():
        order = order_lock(order_id=order.pk)
        _event(order, OrderEventType.NOTE, by=by, message="Order confirmation e-mailed again.")
        notifications.order_email(order, "placed")
    return order


# --- Guest orders ---------------------------------------------------------------------------


def guest_orders_claim(*, user):
    """Attach the guest orders placed with ``user``'s e-mail once that address is verified (never
    before: anyone can register any address). Their counters follow the orders' rule: live orders
    count, refunds come off what was spent. Returns the order numbers claimed."""
    if not user.email_verified:
        return []
    with transaction.atomic():
        orders = guest_orders_lock(email=user.email)
        if not orders:
            return []
        live = [order for order in orders if order.status != OrderStatus.CANCELLED]
        refunded = (
            PaymentRefund.objects.filter(payment__order__in=live)
            .exclude(reason=REFUNDED_ALREADY_PAID)
            .aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        Order.objects.filter(pk__in=[order.pk for order in orders]).update(user=user, updated_at=timezone.now())
        get_user_model().objects.filter(pk=user.pk).update(
            total_orders=F("total_orders") + len(live),
            total_spent=F("total_spent") + sum((order.total for order in live), ZERO) - refunded,
        )
        for order in orders:
            _event(order, OrderEventType.NOTE, by=user, message="Guest order added to the customer's account.")
    return [order.order_number for order in orders]


# --- Reorder ----------------------------------------------------------------------------------


def order_reorder(*, cart, order):
    """Put an order's items back in the cart, each through ``cart_add_line`` (stock and limits
    checked there). Returns (lines added, [(order item, error)] for the ones that could not be)."""
    from shop.cart.error_codes import CartErrorCode
    from shop.cart.services import cart_add_line

    added, problems = 0, []
    for item in order.items.select_related("product", "variant"):
        variant_gone = item.variant_id is not None and (item.variant is None or not item.variant.is_active)
        if item.product.status != ProductStatus.ACTIVE or variant_gone:
            message = f"{item.product_name} is no longer available."
            problems.append((item, ApplicationError(CartErrorCode.PRODUCT_UNAVAILABLE, message)))
            continue
        try:
            cart_add_line(cart=cart, product_id=item.product_id, variant_id=item.variant_id, quantity=item.quantity)
        except ApplicationError as exc:
            problems.append((item, exc))
        else:
            added += 1
    return added, problems


def replenishment_opt_out(*, user, product_id, enabled):
    """Turn running-low reminders for one product off (``enabled`` False: returns the opt-out) or back on."""
    if not Product.objects.filter(pk=product_id).exists():
        raise ApplicationError(CatalogErrorCode.PRODUCT_NOT_FOUND, gettext("Product not found."))
    if enabled:
        ReplenishmentOptOut.objects.filter(user=user, product_id=product_id).delete()
        return None
    return ReplenishmentOptOut.objects.get_or_create(user=user, product_id=product_id)[0]
