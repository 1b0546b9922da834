"""Every row lock the cart app takes. A cart is locked before any stock or coupon row;
two carts (a merge) are locked in pk order."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from shop.cart import error_codes
from shop.cart.models import Cart, CartLine
from shop.catalog.models import Product, ProductStatus, ProductVariant
from skincare.errors import ApplicationError
from skincare.prepared import Prepared, prepared_statements


def cart_lock(*, cart_id):
    """The locked cart; a cart deleted meanwhile (expiry clean-up) is a clear 404, not a 500."""
    cart = Cart.objects.select_for_update(of=("self",)).filter(pk=cart_id).first()
    if cart is None:
        raise ApplicationError(error_codes.CART_NOT_FOUND, gettext("This cart no longer exists."))
    return cart


def cart_lock_touched(*, cart_id, user_names=False):
    """The cart locked by writing its ``updated_at`` (checkout: one UPDATE, the lock every change of
    the cart's lines takes, ``cart_lock_touch``), read by the same statement: a ``Cart`` with ``id``,
    ``user_id``, ``coupon_id`` and the new ``updated_at`` (the other columns load when read).
    ``user_names`` (PostgreSQL): it also carries ``user_names``, ``[first_name, last_name]`` of its user
    (None without one), read by the same statement: checkout copies them onto the order."""
    cart = _touched(_TOUCH_SQL, cart_id, user_names=user_names)
    if cart is None:
        raise ApplicationError(error_codes.CART_NOT_FOUND, gettext("This cart no longer exists."))
    return cart


def cart_of_user_lock_touched(*, user_id, fresh_since, user_names=False):
    """The signed-in shopper's cart locked as ``cart_lock_touched`` locks it (``user_names`` too), found by
    its user in the same statement (checkout then reads nothing of the cart before its transaction). None
    when the user has no cart, or only one last touched before ``fresh_since`` (expired: ``cart_for_user``
    empties it), without touching anything."""
    fresh_since = connection.ops.adapt_datetimefield_value(fresh_since)
    return _touched(_TOUCH_BY_USER_SQL, user_id, fresh_since, user_names=user_names)


def _touched(sql, *params, user_names):
    """The cart ``sql`` (an UPDATE of ``updated_at`` to now, then ``params``) touched, or None."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql + (_TOUCHED_RETURNING_NAMES if user_names else _TOUCHED_RETURNING), [now, *params])
        row = cursor.fetchone()
    if row is None:
        return None
    cart = Cart.from_db(connection.alias, ["id", "user_id", "coupon_id"], row[:3])
    cart.updated_at = now
    if user_names:
        cart.user_names = row[3]
    return cart


_TOUCH_SQL = "UPDATE {table} SET {updated_at} = %s WHERE {table}.{pk} = %s".format(  # noqa: S608 - constants
    table=connection.ops.quote_name(Cart._meta.db_table),
    updated_at=connection.ops.quote_name(Cart._meta.get_field("updated_at").column),
    pk=connection.ops.quote_name(Cart._meta.pk.column),
)


# The one cart of a user (a unique constraint), unless it expired (``selectors.cart_is_expired``).
_TOUCH_BY_USER_SQL = "UPDATE {table} SET {updated_at} = %s WHERE {user} = %s AND {updated_at} >= %s".format(  # noqa: S608 - constants
    table=connection.ops.quote_name(Cart._meta.db_table),
    updated_at=connection.ops.quote_name(Cart._meta.get_field("updated_at").column),
    user=connection.ops.quote_name(Cart._meta.get_field("user").column),
)


_TOUCHED_RETURNING = " RETURNING " + ", ".join(
    connection.ops.quote_name(Cart._meta.get_field(name).column) for name in ("id", "user", "coupon")
)
_USER = get_user_model()._meta
# The names of the cart's user (``user_names``; PostgreSQL: an array), for ``RETURNING``.
_USER_NAMES = "(SELECT ARRAY[{first}, {last}] FROM {users} WHERE {pk} = {cart}.{user})".format(  # noqa: S608 - constants
    first=connection.ops.quote_name(_USER.get_field("first_name").column),
    last=connection.ops.quote_name(_USER.get_field("last_name").column),
    users=connection.ops.quote_name(_USER.db_table),
    pk=connection.ops.quote_name(_USER.pk.column),
    cart=connection.ops.quote_name(Cart._meta.db_table),
    user=connection.ops.quote_name(Cart._meta.get_field("user").column),
)
_TOUCHED_RETURNING_NAMES = f"{_TOUCHED_RETURNING}, {_USER_NAMES}"


def _taking_sql(by_user):
    """PostgreSQL: the statement of ``cart_lock_touched_lines_taken``, with named parameters."""
    quote = connection.ops.quote_name
    cart, line = quote(Cart._meta.db_table), quote(CartLine._meta.db_table)
    user, coupon, updated_at = (quote(Cart._meta.get_field(name).column) for name in ("user", "coupon", "updated_at"))
    where = f"{user} = %(user)s AND {updated_at} >= %(fresh)s" if by_user else "id = %(cart)s"
    columns = ", ".join(f"{line}.{quote(column)}" for column in TAKEN_COLUMNS)
    return (
        f"WITH seen AS (SELECT id, xmin FROM {cart} WHERE {where}), "  # noqa: S608 - constants
        f"touched AS (UPDATE {cart} SET {updated_at} = %(now)s FROM seen WHERE {cart}.id = seen.id "
        f"AND {cart}.xmin = seen.xmin AND {cart}.xmax IN ('0', {cart}.xmin) "
        f"RETURNING {cart}.id, {cart}.{user}, {cart}.{coupon}, {_USER_NAMES} AS names), "
        f"taken AS (DELETE FROM {line} USING touched WHERE {line}.{quote(CartLine._meta.get_field('cart').column)} "
        f"= touched.id RETURNING {columns}) "
        "SELECT touched.id, touched.user_id, touched.coupon_id, touched.names, taken.* "
        "FROM seen LEFT JOIN touched ON TRUE LEFT JOIN taken ON TRUE"
    )


# What a taken line returns: ``(id, product_id, variant_id, quantity)``, then its ``CartLine.Meta.ordering``.
TAKEN_COLUMNS = tuple(
    CartLine._meta.get_field(name).column for name in ("id", "product", "variant", "quantity", *CartLine._meta.ordering)
)
_TAKING_TYPES = {
    False: {"cart": "bigint", "now": "timestamptz"},
    True: {"user": "bigint", "fresh": "timestamptz", "now": "timestamptz"},
}
_TAKING = {
    by_user: Prepared(
        f"shop_cart_take_{int(by_user)}",
        _taking_sql(by_user) % {name: f"${n}" for n, name in enumerate(_TAKING_TYPES[by_user], 1)},
        list(_TAKING_TYPES[by_user].values()),
    )
    for by_user in (False, True)
}


def cart_lock_touched_lines_taken(*, cart_id=None, user_id=None, fresh_since=None):
    """Where statements are prepared (PostgreSQL): ``cart_lock_touched`` (``cart_id``) or
    ``cart_of_user_lock_touched`` (``user_id``, ``fresh_since``), with ``user_names``, and the cart's lines
    deleted by the same statement, which returns them (checkout: one round trip less). Returns ``(the cart,
    its lines as TAKEN_COLUMNS)``, ``(None, [])`` when the user has no fresh cart (nothing changed; a cart
    ``cart_id`` gone is a 404), or None when the two statements must be run instead (nothing changed either).

    The lines' ``DELETE`` reads the statement's snapshot, taken before the cart's lock is granted: it would
    miss a line committed while the statement waited for the lock. So the cart is touched only when its row
    is quiet: the version the snapshot saw (its ``xmin``; a row updated and committed meanwhile is re-read
    after the wait and fails it), and locked or updated by no transaction but the one that wrote it (its
    ``xmax``: none, or that one's own lock, as ``cart_line_add_checked`` leaves it; a lock in progress, or
    one taken since the last write, fails it without waiting). Otherwise nothing is written and None tells
    the caller to lock the cart first, then take the lines by a statement of their own (a snapshot taken
    after the lock), as before. Every change of a cart's lines writes the cart's row in its transaction
    (``cart_lock_touch``; a merge, an expiry: their UPDATEs of it), which the first check catches however
    late it takes the lock; the second catches a change under a lock alone."""
    by_user = cart_id is None
    now = timezone.now()
    if by_user:
        params = [user_id, connection.ops.adapt_datetimefield_value(fresh_since), now]
    else:
        params = [cart_id, now]
    with connection.cursor() as cursor:
        _TAKING[by_user].run(cursor, params)
        rows = cursor.fetchall()
    if not rows:
        if not by_user:
            raise ApplicationError(error_codes.CART_NOT_FOUND, gettext("This cart no longer exists."))
        return None, []
    if rows[0][0] is None:  # seen, not touched: busy, or changed since the snapshot
        return None
    cart = Cart.from_db(connection.alias, ["id", "user_id", "coupon_id"], rows[0][:3])
    cart.updated_at, cart.user_names = now, rows[0][3]
    return cart, [row[4:] for row in rows if row[4] is not None]


def cart_lock_touch(*, cart_id):
    """Lock the cart by writing its ``updated_at``: one UPDATE instead of ``SELECT ... FOR UPDATE``
    then an UPDATE, for changes that touch the cart anyway. Returns the new ``updated_at``."""
    now = timezone.now()
    with connection.cursor() as cursor:  # the ORM's UPDATE, without building and compiling it per request
        cursor.execute(_TOUCH_SQL, [now, cart_id])
        touched = cursor.rowcount
    if not touched:
        raise ApplicationError(error_codes.CART_NOT_FOUND, gettext("This cart no longer exists."))
    return now


def _upsert_sql(variant_id, source):
    """``INSERT … ON CONFLICT DO UPDATE`` of a cart line from the one-row ``source`` (a ``SELECT`` of the
    values cart id, product id, variant id, quantity, created_at, updated_at): the quantity is added to
    the line's, unless the sum would pass the limit (the last parameter); returns the line's id and
    new quantity (no row: nothing written)."""
    table = connection.ops.quote_name(CartLine._meta.db_table)
    if variant_id is None:
        target = "(cart_id, product_id) WHERE variant_id IS NULL"  # the partial unique constraints
    else:
        target = "(cart_id, variant_id) WHERE variant_id IS NOT NULL"
    return (
        f"INSERT INTO {table} (cart_id, product_id, variant_id, quantity, created_at, updated_at) {source} "  # noqa: S608 - constants
        f"ON CONFLICT {target} DO UPDATE SET quantity = {table}.quantity + EXCLUDED.quantity, "
        f"updated_at = EXCLUDED.updated_at WHERE {table}.quantity + EXCLUDED.quantity <= %s RETURNING id, quantity"
    )


_TOUCH_RETURNING_SQL = f"{_TOUCH_SQL} RETURNING {connection.ops.quote_name(Cart._meta.pk.column)}"


def cart_lock_touch_line_add(*, cart_id, product_id, variant_id, quantity, max_quantity):
    """``cart_lock_touch``, then add ``quantity`` to the cart's line of this product / variant (created
    when missing) unless ``quantity`` or the line's new total passes ``max_quantity``.

    Returns ``(updated_at, (line id, new quantity) or None)``; None: nothing added (a limit passed).
    On PostgreSQL this is one statement: the line's ``INSERT`` takes its only row from the cart's
    ``UPDATE … RETURNING``, so the cart row is locked (waiting for a parallel change of the cart to
    commit, then re-read) before the line is inserted or its row locked by ``ON CONFLICT``, the lock
    order of two statements, and ``ON CONFLICT DO UPDATE`` adds to the line's latest committed quantity.
    Elsewhere (SQLite serialises writes) the touch and the upsert are two statements.
    Call it inside a transaction: the caller's checks of the new total may still refuse the addition.
    """
    if connection.vendor != "postgresql":
        now = cart_lock_touch(cart_id=cart_id)
        if quantity > max_quantity:
            return now, None
        sql = _upsert_sql(variant_id, "VALUES (%s, %s, %s, %s, %s, %s)")
        with connection.cursor() as cursor:
            cursor.execute(sql, [cart_id, product_id, variant_id, quantity, now, now, max_quantity])
            return now, cursor.fetchone()
    now = timezone.now()
    sql = (
        f"WITH touched AS ({_TOUCH_RETURNING_SQL}), "  # noqa: S608 - constants
        f"added AS ({_upsert_sql(variant_id, 'SELECT %s, %s, %s, %s, %s, %s FROM touched WHERE %s <= %s')}) "
        "SELECT touched.id, added.id, added.quantity FROM touched LEFT JOIN added ON TRUE"
    )
    params = [now, cart_id, cart_id, product_id, variant_id, quantity, now, now, quantity, max_quantity, max_quantity]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # no cart row to touch: deleted meanwhile (expiry clean-up)
        raise ApplicationError(error_codes.CART_NOT_FOUND, gettext("This cart no longer exists."))
    return now, (row[1], row[2]) if row[1] is not None else None


def _checked_add_sql(with_variant, by_user=False):
    """PostgreSQL: the statement of ``cart_line_add_checked`` (``by_user``: of ``user_cart_line_add_checked``),
    with named parameters."""
    quote = connection.ops.quote_name
    product, variant = quote(Product._meta.db_table), quote(ProductVariant._meta.db_table)
    cart, line = quote(Cart._meta.db_table), quote(CartLine._meta.db_table)
    if with_variant:
        variant_join = f"JOIN {variant} v ON v.id = %(variant)s AND v.product_id = p.id AND v.is_active"
        stock, target = "v.stock_quantity", "(cart_id, variant_id) WHERE variant_id IS NOT NULL"
    else:
        variant_join, stock, target = "", "p.stock_quantity", "(cart_id, product_id) WHERE variant_id IS NULL"
    if by_user:  # the user's cart, found and locked here; its columns come back with the line
        locked, cart_id = _locked_by_user_sql(cart), "(SELECT id FROM locked)"
        answer = "added.id, added.quantity, " + ", ".join(f"locked.{quote(c)}" for c in CART_COLUMNS)
        answer += " FROM added, locked"
    else:
        locked, cart_id, answer = f"SELECT id FROM {cart} WHERE id = %(cart)s", "%(cart)s", "id, quantity FROM added"  # noqa: S608 - constants
    # ``most``: what the line may hold, the limit and, when the product's stock is limited (tracked,
    # no backorders: ``pricing.line_problem``), the stock (the variant's, if any; below 0 counts as 0).
    return (
        f"WITH item AS (SELECT LEAST(%(limit)s, CASE WHEN p.track_inventory AND NOT p.allow_backorders "  # noqa: S608 - constants
        f"THEN GREATEST(0, {stock}) ELSE %(limit)s END) AS most FROM {product} p {variant_join} "
        f"WHERE p.id = %(product)s AND p.status = '{ProductStatus.ACTIVE.value}'), "
        f"locked AS ({locked} FOR NO KEY UPDATE), "
        f"added AS (INSERT INTO {line} (cart_id, product_id, variant_id, quantity, created_at, updated_at) "
        "SELECT locked.id, %(product)s, %(variant)s, %(quantity)s, %(now)s, %(now)s FROM locked, item "
        f"WHERE %(quantity)s <= item.most ON CONFLICT {target} DO UPDATE "
        f"SET quantity = {line}.quantity + EXCLUDED.quantity, updated_at = EXCLUDED.updated_at "
        f"WHERE {line}.quantity + EXCLUDED.quantity <= (SELECT most FROM item) RETURNING id, quantity), "
        f"touched AS (UPDATE {cart} SET updated_at = %(now)s WHERE id = {cart_id} AND EXISTS (SELECT FROM added)) "
        f"SELECT {answer}"
    )


# The cart's columns, in the model's field order (``Model.from_db`` takes them so).
CART_COLUMNS = tuple(f.column for f in Cart._meta.concrete_fields)


def _locked_by_user_sql(cart):
    # ``selectors.cart_is_expired``: an expired cart is emptied before anything is added (the checked way).
    columns = ", ".join(connection.ops.quote_name(c) for c in CART_COLUMNS)
    return (
        f"SELECT {columns} FROM {cart} WHERE user_id = %(user)s "  # noqa: S608 - constants
        "AND (updated_at IS NULL OR updated_at >= %(fresh)s)"
    )


_CHECKED_ADD_SQL = {
    (with_variant, by_user): _checked_add_sql(with_variant, by_user)
    for with_variant in (False, True)
    for by_user in (False, True)
}
# The parameters of ``_checked_add_sql`` and their types, as prepared (``prepared.Prepared``).
_CHECKED_ADD_TYPES = {
    by_user: {"limit": "integer", "product": "bigint", "variant": "bigint", "quantity": "integer", "now": "timestamptz"}
    | where
    for by_user, where in ((False, {"cart": "bigint"}), (True, {"user": "bigint", "fresh": "timestamptz"}))
}
_CHECKED_ADD_PREPARED = {
    key: Prepared(
        f"shop_cart_add_{int(key[0])}{int(key[1])}",
        sql % {name: f"${n}" for n, name in enumerate(_CHECKED_ADD_TYPES[key[1]], 1)},
        list(_CHECKED_ADD_TYPES[key[1]].values()),
    )
    for key, sql in _CHECKED_ADD_SQL.items()
}


def _checked_add(*, by_user, product_id, variant_id, quantity, limit, **where):
    """``(now, the row)`` of the statement ``_checked_add_sql(variant_id is not None, by_user)`` run with these
    values and ``where`` (``cart``, or ``user`` and ``fresh``); the row is None when nothing was written."""
    now = timezone.now()
    params = {"limit": limit, "product": product_id, "variant": variant_id, "quantity": quantity, "now": now, **where}
    key = variant_id is not None, by_user
    with connection.cursor() as cursor:
        if prepared_statements(connection):
            _CHECKED_ADD_PREPARED[key].run(cursor, [params[name] for name in _CHECKED_ADD_TYPES[by_user]])
        else:
            cursor.execute(_CHECKED_ADD_SQL[key], params)
        return now, cursor.fetchone()


def cart_line_add_checked(*, cart_id, product_id, variant_id, quantity, max_quantity):
    """PostgreSQL only: the whole addition in one statement, for the common case that passes every check.

    Adds ``quantity`` to the cart's line of this product / variant (created when missing) and touches the
    cart, if the product is active (and the variant active and its own), and the line's new total stays
    within ``max_quantity`` and the stock when it is limited. Returns ``(updated_at, (line id, new
    quantity))``, or None when nothing was written: then ``cart_lock_touch_line_add`` with the checks in
    Python tells why (their order, their messages).

    The line's ``INSERT`` takes its only row from the cart locked ``FOR NO KEY UPDATE`` (the touch's lock;
    after a parallel change of the cart committed, re-read), so the cart is locked before the line is
    inserted or its row locked by ``ON CONFLICT``, the lock order of every cart change, and ``ON CONFLICT
    DO UPDATE`` judges the line's latest committed quantity. The product and variant are read from the
    statement's snapshot, as the checks read them before the lock in Python. The cart's touch waits for
    the line's ``RETURNING``: a refusal writes nothing. One statement: atomic in autocommit, no ``BEGIN`` /
    ``COMMIT``.
    """
    now, row = _checked_add(
        by_user=False, product_id=product_id, variant_id=variant_id, quantity=quantity, limit=max_quantity, cart=cart_id
    )
    return (now, row) if row is not None else None


def user_cart_line_add_checked(*, user_id, fresh_since, product_id, variant_id, quantity, max_quantity):
    """PostgreSQL only: ``cart_line_add_checked`` on the cart of ``user_id``, found in the same statement.

    The user's cart (one per user) is the one locked, if it exists and was touched at ``fresh_since`` or later
    (not expired; its latest committed version, re-read after the lock). Returns ``(updated_at, (line id, new
    quantity), the cart's columns (``CART_COLUMNS``) as locked)``, or None when nothing was written: no cart,
    an expired one, or a refusal; then the cart is found the usual way and ``cart_line_add_checked`` or the
    checked way adds or refuses as before.
    """
    now, row = _checked_add(
        by_user=True,
        product_id=product_id,
        variant_id=variant_id,
        quantity=quantity,
        limit=max_quantity,
        user=user_id,
        fresh=fresh_since,
    )
    return (now, row[:2], row[2:]) if row is not None else None


def carts_lock(*, cart_ids):
    """{pk: Cart} of the carts that still exist, locked in pk order."""
    qs = Cart.objects.select_for_update(of=("self",)).filter(pk__in=cart_ids).order_by("pk")
    return {cart.pk: cart for cart in qs}
