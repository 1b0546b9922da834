import threading
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import FilteredRelation, Q, signals
from django.db.models.base import ModelState
from django.utils import timezone

from shop.cart.cache import cart_lines_cached
from shop.cart.models import Cart, CartLine
from shop.cart.pricing import price_lines
from shop.catalog.models import Brand, Category, Product, ProductMedia, ProductStatus, ProductVariant
from shop.catalog.selectors import primary_media_prefetch
from shop.coupons.models import Coupon
from shop.coupons.services import coupon_check
from shop.files.models import UploadedFile
from skincare.errors import ApplicationError
from skincare.prepared import Prepared, prepared_statements


@dataclass
class LineView:
    id: int
    product: object
    variant: object
    quantity: int


def cart_fresh_since(now=None):
    """The oldest last activity of a cart that has not expired (``CART_TTL_DAYS``)."""
    return (now or timezone.now()) - timedelta(days=settings.CART_TTL_DAYS)


def cart_is_expired(cart, now=None):
    return cart.updated_at is not None and cart.updated_at < cart_fresh_since(now)


def cart_lines(cart, *, from_cache=True):
    """Lines with their product (and category, brand, primary image) and variant, in three or four queries."""
    if from_cache:
        rows = cart_lines_cached(cart.pk)
    else:
        rows = list(cart.lines.values_list("id", "product_id", "variant_id", "quantity"))
    if not rows:
        return []
    products = (
        Product.objects.select_related("category", "brand")
        .prefetch_related(primary_media_prefetch())
        .in_bulk({row[1] for row in rows})
    )
    variant_ids = {row[2] for row in rows if row[2]}
    variants = ProductVariant.objects.in_bulk(variant_ids) if variant_ids else {}
    lines = []
    for line_id, product_id, variant_id, quantity in rows:
        product = products.get(product_id)
        if product is None or (variant_id and variant_id not in variants):
            continue  # deleted since the cache was filled
        lines.append(LineView(line_id, product, variants.get(variant_id), quantity))
    return lines


# (model, prefix in the line query, attnames): what pricing (``pricing.price_lines``, coupon scope)
# and the cart's answer (``serializers.cart_output``) read of each line's product, variant and image.
_JOINED = (
    (
        Product,
        "product__",
        (
            "id",
            "name",
            "name_km",
            "slug",
            "sku",
            "compare_at_price",
            "status",
            "price",
            "track_inventory",
            "allow_backorders",
            "stock_quantity",
            "brand_id",
            "category_id",
        ),
    ),
    (Brand, "product__brand__", ("id", "name", "slug")),
    (Category, "product__category__", ("id", "parent_id")),
    (ProductVariant, "variant__", ("id", "product_id", "name", "sku", "price", "is_active", "stock_quantity")),
    (ProductMedia, "primary_media__", ("id", "file_id", "alt_text", "alt_text_km", "sort_order", "is_primary")),
    (UploadedFile, "primary_media__file__", ("id", "public_id", "file", "thumbnails", "is_public", "width", "height")),
)
# ``Model.from_db`` takes a subset of columns in the model's field order.
_JOINED = tuple(
    (model, prefix, tuple(f.attname for f in model._meta.concrete_fields if f.attname in names))
    for model, prefix, names in _JOINED
)
_JOINED_COLUMNS = [prefix + name for _, prefix, names in _JOINED for name in names]


def _loaded(model, names, values):
    """``model.from_db(DEFAULT_DB_ALIAS, names, values)``, without ``Model.__init__``.

    ``from_db`` lists every concrete field (a deferred marker for those not read) and ``__init__`` then
    sets each one, sending ``pre_init`` / ``post_init``: 6 instances a line cost more than the line's
    query (0.47 of 4.8 profiled ms a cart GET). The instance is the same: the columns read in its
    ``__dict__`` (what is missing there is deferred, read on access), its state loaded from the
    database. Models with ``pre_init`` / ``post_init`` receivers (e.g. an ``ImageField``'s dimensions)
    go through ``from_db``.
    """
    if _has_init_receivers(model):
        return model.from_db(DEFAULT_DB_ALIAS, names, values)
    instance = model.__new__(model)
    instance.__dict__.update(zip(names, values, strict=True))
    state = instance._state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS
    return instance


def _has_init_receivers(model):
    # ``has_listeners`` costs more than building the instance; the receiver lists are empty in this project.
    return (signals.pre_init.receivers and signals.pre_init.has_listeners(model)) or (
        signals.post_init.receivers and signals.post_init.has_listeners(model)
    )


def _instances(row):
    """One model instance per joined table (None where the outer join found no row), built from
    ``row`` with only the selected columns loaded, as ``select_related`` would build them."""
    built, start = [], 2
    for model, _, names in _JOINED:
        values = row[start : start + len(names)]
        start += len(names)
        built.append(_loaded(model, names, values) if values[0] is not None else None)
    return built


def _lines_queryset(cart_id):
    return (
        CartLine.objects.filter(cart_id=cart_id)
        .annotate(primary_media=FilteredRelation("product__media", condition=Q(product__media__is_primary=True)))
        .values_list("id", "quantity", *_JOINED_COLUMNS)
    )


_compiled = threading.local()
_PLACEHOLDER = -918_273_645_546_372_819  # no row has this id; marks the id among the parameters


def _compiled_fetch(name, build, key, planned=None):
    """``(rows as the database driver gave them, convert)``: ``_compiled_rows`` before its converters;
    ``convert(rows)`` applies them. ``planned``: on PostgreSQL, ``planned(param=…)`` is the SQL to run instead of
    the queryset's (the same columns in the same order, ``param`` where the key goes), its rows converted as the
    queryset's would be; a prepared statement (``prepared.Prepared``) when ``DB_PREPARED_STATEMENTS``."""
    connection = connections[DEFAULT_DB_ALIAS]
    prepare = planned is not None and prepared_statements(connection)
    ready = getattr(_compiled, name, None)
    if ready is None or ready[0] is not connection or ready[5] != prepare:
        compiler = build(_PLACEHOLDER).query.get_compiler(DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        if planned is not None and connection.vendor == "postgresql":
            sql, params = planned(param="%s"), [_PLACEHOLDER]
        # What ``results_iter`` would look up again for every call: the columns' converters.
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        assert not compiler.has_composite_fields(columns), "results_iter would make tuples of these"  # noqa: S101
        converters = compiler.get_converters(columns)
        if converters:

            def convert(rows, compiler=compiler, converters=converters):
                return [tuple(row) for row in compiler.apply_converters(rows, converters)]

        else:
            convert = list
        statement = Prepared(f"shop_cart_{name}", planned(param="$1"), ["bigint"]) if prepare else None
        ready = (connection, convert, sql, list(params), list(params).index(_PLACEHOLDER), prepare, statement)
        setattr(_compiled, name, ready)
    _, convert, sql, params, index, _, statement = ready
    params = [*params[:index], key, *params[index + 1 :]]
    with connection.cursor() as cursor:
        if statement is not None:
            statement.run(cursor, params)
        else:
            cursor.execute(sql, params)
        return cursor.fetchall(), convert


def _compiled_rows(name, build, key, planned=None):
    """The rows of the queryset ``build(key)``, without building and compiling it each time.

    An ORM queryset costs more to build and compile than to run when it is small and hot (the cart
    lines' 16 joined columns: 2.8 of 3.7 ms). So each thread compiles ``build`` once, for a
    placeholder id, and then only swaps ``key`` in; the rows go through the compiler's converters
    as the queryset's own would. ``build`` must use its argument exactly once, as a parameter.
    """
    rows, convert = _compiled_fetch(name, build, key, planned)
    return convert(rows) if rows else rows


def _line_rows(cart_id):
    return _compiled_rows("lines", _lines_queryset, cart_id, partial(_lines_sql, by_user=False))


_CART_COLUMNS = tuple(f.attname for f in Cart._meta.concrete_fields)


def _user_cart_queryset(user_id):
    return Cart.objects.filter(user_id=user_id).order_by("pk").values_list(*_CART_COLUMNS)[:1]


def cart_of_user(*, user_id):
    """The user's cart (one per user, a constraint), or None; the hot first statement of every
    signed-in cart request, compiled once per thread (``_compiled_rows``)."""
    rows = _compiled_rows("user_cart", _user_cart_queryset, user_id)
    return _loaded(Cart, _CART_COLUMNS, rows[0]) if rows else None


def cart_from_row(values):
    """The cart of a row of its columns in the model's field order (``lock_objects.CART_COLUMNS``)."""
    return _loaded(Cart, _CART_COLUMNS, values)


# What the checks of an addition read (``pricing.line_problem``): not the product's texts.
_CHECKED_PRODUCT_NAMES = ("id", "status", "track_inventory", "allow_backorders", "stock_quantity")
_CHECKED_PRODUCT_COLUMNS = tuple(
    f.attname for f in Product._meta.concrete_fields if f.attname in _CHECKED_PRODUCT_NAMES
)


def _active_product_queryset(product_id):
    return Product.objects.filter(pk=product_id, status=ProductStatus.ACTIVE).values_list(*_CHECKED_PRODUCT_COLUMNS)


def product_active_checked(*, product_id):
    """The active product ``product_id`` with only the columns an addition's checks read, or None;
    compiled once per thread (``_compiled_rows``), as ``filter(…).only(…).first()`` would read it."""
    rows = _compiled_rows("active_product", _active_product_queryset, product_id)
    return _loaded(Product, _CHECKED_PRODUCT_COLUMNS, rows[0]) if rows else None


def _line_view(row):
    """A ``LineView`` of a row of ``_lines_queryset`` (line id, quantity, then ``_JOINED_COLUMNS``)."""
    product, brand, category, variant, media, file = _instances(row)
    product._state.fields_cache.update(brand=brand, category=category)
    if media is not None:
        media._state.fields_cache["file"] = file
    product.primary_media = [media] if media is not None else []
    return LineView(row[0], product, variant, row[1])


def cart_lines_joined(cart):
    """The cart's lines with their product (brand, category's parent, primary image) and variant,
    in one query of the columns pricing and the cart's answer read.

    The instances carry only those columns: reading another one would cost a query each (the cart
    API's query count test would show it). Pages use ``cart_lines`` (whole products).
    """
    return [_line_view(row) for row in _line_rows(cart.pk)]


def _user_cart_lines_queryset(user_id):
    """The user's cart row, left-joined with ``_lines_queryset``'s columns of each of its lines."""
    columns = [name if name.startswith("primary_media__") else f"lines__{name}" for name in _JOINED_COLUMNS]
    return (
        Cart.objects.filter(user_id=user_id)
        .annotate(
            primary_media=FilteredRelation("lines__product__media", condition=Q(lines__product__media__is_primary=True))
        )
        .order_by(*(f"-lines__{n[1:]}" if n.startswith("-") else f"lines__{n}" for n in CartLine._meta.ordering))
        .values_list(*_CART_COLUMNS, "lines__id", "lines__quantity", *columns)
    )


def _lines_sql(*, by_user, param="%s"):
    """PostgreSQL: the SQL of ``_user_cart_lines_queryset`` (``by_user``) or of ``_lines_queryset``, with the same
    columns in the same order and the same rows, cheaper to plan; ``param`` stands for the user's or cart's id.

    The ORM's statement joins eight tables (seven by cart) in one join list: PostgreSQL searched their join
    orders on every run, 1.0–1.4 ms of planning for 0.1 ms of execution (``EXPLAIN (ANALYZE)``, scale-3 data),
    on the cores the workers share. Here a line's product (with its brand and category) and its primary image
    (with its file) are ``LATERAL`` subqueries behind ``OFFSET 0``, which the planner plans on their own: each
    is a short chain of primary-key look-ups, run once per line. The ids are taken where the ORM takes them
    (the foreign keys), so a row is the queryset's.
    """
    q = connections[DEFAULT_DB_ALIAS].ops.quote_name
    (product, _, product_names), (brand, _, brand_names), (category, _, category_names) = _JOINED[:3]
    (variant, _, variant_names), (media, _, media_names), (file, _, file_names) = _JOINED[3:]

    def column(model, name):
        return q(model._meta.get_field(name).column) if name != "id" else q(model._meta.pk.column)

    def fk(model, name):  # the column of a foreign key's attname (``brand_id``)
        return q(next(f.column for f in model._meta.concrete_fields if f.attname == name))

    product_inner = [f"p.{column(product, n)}" for n in product_names if n != "id"]
    product_inner += [f"b.{column(brand, n)} AS {q('brand__' + n)}" for n in brand_names if n != "id"]
    product_inner += [f"k.{column(category, n)} AS {q('category__' + n)}" for n in category_names if n != "id"]
    media_inner = [f"m.{column(media, n)}" for n in media_names]
    media_inner += [f"f.{column(file, n)} AS {q('file__' + n)}" for n in file_names if n != "id"]
    line_table = q(CartLine._meta.db_table)

    def outer(model, names, alias, ids, rename=""):
        return [ids if n == "id" else f"{alias}.{q(rename + n) if rename else column(model, n)}" for n in names]

    columns = [f"l.{column(CartLine, 'id')}", f"l.{column(CartLine, 'quantity')}"]
    columns += outer(product, product_names, "p", f"l.{fk(CartLine, 'product_id')}")
    columns += outer(brand, brand_names, "p", f"p.{fk(product, 'brand_id')}", "brand__")
    columns += outer(category, category_names, "p", f"p.{fk(product, 'category_id')}", "category__")
    columns += outer(variant, variant_names, "v", f"l.{fk(CartLine, 'variant_id')}")
    columns += outer(media, media_names, "m", f"m.{column(media, 'id')}")
    columns += outer(file, file_names, "m", f"m.{fk(media, 'file_id')}", "file__")
    lines = (
        f"LEFT JOIN LATERAL (SELECT {', '.join(product_inner)} FROM {q(product._meta.db_table)} p "  # noqa: S608 - constants
        f"LEFT JOIN {q(brand._meta.db_table)} b ON b.{column(brand, 'id')} = p.{fk(product, 'brand_id')} "
        f"LEFT JOIN {q(category._meta.db_table)} k ON k.{column(category, 'id')} = p.{fk(product, 'category_id')} "
        f"WHERE p.{column(product, 'id')} = l.{fk(CartLine, 'product_id')} OFFSET 0) p ON TRUE "
        f"LEFT JOIN {q(variant._meta.db_table)} v ON v.{column(variant, 'id')} = l.{fk(CartLine, 'variant_id')} "
        f"LEFT JOIN LATERAL (SELECT {', '.join(media_inner)} FROM {q(media._meta.db_table)} m "
        f"LEFT JOIN {q(file._meta.db_table)} f ON f.{column(file, 'id')} = m.{fk(media, 'file_id')} "
        f"WHERE m.{fk(media, 'product_id')} = l.{fk(CartLine, 'product_id')} AND m.{column(media, 'is_primary')} "
        "OFFSET 0) m ON TRUE"
    )
    order = ", ".join(
        f"l.{column(CartLine, n.lstrip('-'))} {'DESC' if n.startswith('-') else 'ASC'}" for n in CartLine._meta.ordering
    )
    if by_user:
        cart_columns = [f"c.{q(f.column)}" for f in Cart._meta.concrete_fields]
        return (
            f"SELECT {', '.join(cart_columns + columns)} FROM {q(Cart._meta.db_table)} c "  # noqa: S608 - constants
            f"LEFT JOIN {line_table} l ON l.{fk(CartLine, 'cart_id')} = c.{column(Cart, 'id')} {lines} "
            f"WHERE c.{fk(Cart, 'user_id')} = {param} ORDER BY {order}"
        )
    return (
        f"SELECT {', '.join(columns)} FROM {line_table} l {lines} "  # noqa: S608 - constants
        f"WHERE l.{fk(CartLine, 'cart_id')} = {param} ORDER BY {order}"
    )


class JoinedRead:
    """A signed-in cart's lines as the one query of a cart GET read them with the cart.

    ``key``: its rows as the database driver gave them (JSON still text), hashable: the cart's columns
    and every column of its lines that pricing and the answer read (``_JOINED``), so two reads with
    equal keys answer the same without a coupon (``serializers.cart_answer_memo``). ``lines``: the
    ``LineView`` of each line, built on first use.
    """

    __slots__ = ("key", "_convert", "_lines")

    def __init__(self, rows, convert):
        self.key, self._convert, self._lines = tuple(rows), convert, None

    @property
    def lines(self):
        if self._lines is None:
            width = len(_CART_COLUMNS)
            rows = self._convert(self.key)
            self._lines = [_line_view(row[width:]) for row in rows if row[width] is not None]
        return self._lines


def cart_of_user_read(*, user_id):
    """``(cart_of_user, JoinedRead of its lines)`` in one query (compiled once per thread), for a read of
    the signed-in cart that changes nothing: ``(None, None)`` when the user has no cart."""
    rows, convert = _compiled_fetch(
        "user_cart_lines", _user_cart_lines_queryset, user_id, partial(_lines_sql, by_user=True)
    )
    if not rows:
        return None, None
    width = len(_CART_COLUMNS)
    return _loaded(Cart, _CART_COLUMNS, convert(rows[:1])[0][:width]), JoinedRead(rows, convert)


def cart_of_user_with_lines(*, user_id):
    """``(cart_of_user, cart_lines_joined of it)`` in one query: ``(None, [])`` when the user has no cart."""
    cart, read = cart_of_user_read(user_id=user_id)
    return (None, []) if cart is None else (cart, read.lines)


def cart_coupon(cart):
    if not cart.coupon_id:
        return None
    return (
        Coupon.objects.prefetch_related("applicable_products", "applicable_categories")
        .filter(pk=cart.coupon_id)
        .first()
    )


def cart_price(cart, *, user=None, shipping_method=None, lines=None):
    """(prices, coupon, coupon problem or None). A coupon that stopped applying is shown with its reason.

    ``lines``: the cart's lines when the caller has them (``cart_lines_joined``); ``cart_lines`` otherwise."""
    lines = cart_lines(cart) if lines is None else lines
    prices = price_lines(lines=lines, shipping_method=shipping_method)
    coupon = cart_coupon(cart)
    problem = None
    if coupon is not None:
        try:
            coupon_check(coupon=coupon, user=user, prices=prices)
        except ApplicationError as exc:
            problem = {"code": exc.error_code, "message": exc.message}
        else:
            prices = price_lines(lines=lines, coupon=coupon, shipping_method=shipping_method)
    return prices, coupon, problem
