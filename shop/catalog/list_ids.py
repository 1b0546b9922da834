"""The product list's ids statement, written as SQL instead of built through the ORM.

A cold list page runs one small statement (0.2-0.3 ms in PostgreSQL), but building it through the
ORM (``Q`` objects, cloning the query at every ``filter()``, compiling it) cost about as much CPU as the
rest of the request. The list's own filters are few and fixed, so ``ProductIdsStatement`` writes their
SQL directly, with every value a parameter. Each method is the twin of one filter of
``filters.ProductFilter`` (or of a list view's base queryset) and says the same thing as the ORM's
statement; ``tests/test_list_ids.py`` compares both paths' ids and totals over a grid of filters on
SQLite and PostgreSQL. A search (``q``) keeps the ORM path (``search.search_products``).
"""

from django.db import connection

from shop.catalog import search
from shop.catalog.models import Brand, Ingredient, Product, ProductIngredient, ProductSkinType, ProductStatus


def _column(model, field_name):
    return f'"{model._meta.db_table}"."{model._meta.get_field(field_name).column}"'


def _columns(model, *field_names):
    return {name: _column(model, name) for name in field_names}


_PRODUCT_TABLE = f'"{Product._meta.db_table}"'
_P = _columns(
    Product,
    "id",
    "status",
    "brand",
    "category",
    "product_type",
    "price",
    "rating_avg",
    "review_count",
    "sales_count",
    "published_at",
    "name",
    "stock_quantity",
    "track_inventory",
    "allow_backorders",
    "is_featured",
    "suitable_for_sensitive_skin",
    "skin_types",
    "concerns",
)
_BRAND_JOIN = f'INNER JOIN "{Brand._meta.db_table}" ON ({_P["brand"]} = {_column(Brand, "id")})'
# Products with at least one of the ingredients (slugs) listed: ``Exists(ProductIngredient...)``.
# Only identifiers from the models and "%s" placeholders are put in the SQL strings; values are parameters.
_INGREDIENT_EXISTS = " ".join(
    (
        f'EXISTS (SELECT 1 FROM "{ProductIngredient._meta.db_table}"',  # noqa: S608
        f'INNER JOIN "{Ingredient._meta.db_table}"',
        f"ON ({_column(ProductIngredient, 'ingredient')} = {_column(Ingredient, 'id')})",
        f"WHERE {_column(ProductIngredient, 'product')} = {_P['id']} AND {_column(Ingredient, 'slug')} IN ({{}}))",
    )
)
_SEARCH_VECTOR = search.SEARCH_VECTOR
_IN_STOCK = f"(NOT {_P['track_inventory']} OR {_P['allow_backorders']} OR {_P['stock_quantity']} > %s)"


_OPERATORS = {"exact": "=", "gte": ">=", "lte": "<="}


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


class ProductIdsStatement:
    """Active products' ids: conditions added by the methods below (each returns the statement), an
    order (``order_by``), then read a page (``page_ids``, ``page_rows_with_total``) or ``count()``,
    each in one statement."""

    def __init__(self):
        self._joins = []
        self._where = [f"{_P['status']} = %s"]
        self._params = [str(ProductStatus.ACTIVE)]
        self._order = f"{_P['id']} ASC"
        self._order_params = []
        self._rank = None  # (SQL, params) of ``search_rank``: set by a search

    def copy(self):
        statement = ProductIdsStatement.__new__(ProductIdsStatement)
        statement.__dict__.update(self.__dict__)
        statement._joins, statement._where, statement._params = list(self._joins), list(self._where), list(self._params)
        statement._order_params = list(self._order_params)
        return statement

    # --- Conditions --------------------------------------------------------------------

    def _add(self, sql, *params):
        self._where.append(sql)
        self._params.extend(params)
        return self

    def _is(self, field_name, value):
        return self._add(_P[field_name] if value else f"NOT {_P[field_name]}")

    def category_in(self, category_ids):
        return self._add(f"{_P['category']} IN ({_placeholders(category_ids)})", *category_ids)

    def brand_in(self, slugs):
        """``brand__slug__in``: joins the brand (every product has one)."""
        if _BRAND_JOIN not in self._joins:
            self._joins.append(_BRAND_JOIN)
        return self._add(f"{_column(Brand, 'slug')} IN ({_placeholders(slugs)})", *slugs)

    def _contains_any(self, field_name, values):
        """``<json array field>__contains_any`` (``lookups.ContainsAny``)."""
        values = [str(value) for value in values]
        if connection.vendor == "postgresql":
            return self._add(f"({_P[field_name]} ?| %s::text[])", values)
        return self._add(
            f"EXISTS (SELECT 1 FROM json_each({_P[field_name]}) AS item WHERE item.value IN ({_placeholders(values)}))",  # noqa: S608
            *values,
        )

    def skin_type(self, skin_type):
        """``selectors.products_for_skin_type``: made for that skin type or for all."""
        if skin_type == ProductSkinType.ALL:
            return self._contains_any("skin_types", [ProductSkinType.ALL])
        return self._contains_any("skin_types", [skin_type, ProductSkinType.ALL])

    def concern_any(self, concerns):
        return self._contains_any("concerns", concerns)

    def ingredient_any(self, slugs):
        return self._add(_INGREDIENT_EXISTS.format(_placeholders(slugs)), *slugs)

    def ingredient_none(self, slugs):
        return self._add("NOT " + _INGREDIENT_EXISTS.format(_placeholders(slugs)), *slugs)

    def field(self, field_name, lookup_expr, value):
        """``<field>__<lookup>=value`` of a filter without a method (``exact``, ``gte`` or ``lte``)."""
        return self._add(f"{_P[field_name]} {_OPERATORS[lookup_expr]} %s", value)

    def in_stock(self, in_stock):
        """Not tracked, backordered or with stock left (``filters.ProductFilter.filter_in_stock``)."""
        return self._add(_IN_STOCK if in_stock else f"NOT {_IN_STOCK}", 0)

    def nothing(self):
        """``QuerySet.none()``."""
        return self._add("1 = 0")

    def featured(self, featured):
        return self._is("is_featured", featured)

    def sensitive_skin(self, suitable):
        return self._is("suitable_for_sensitive_skin", suitable)

    # --- Search (PostgreSQL): the twins of ``search._full_text`` and ``search.typo_tolerant_search`` ---------

    def full_text(self, q):
        """The search vector matches ``q`` (websearch syntax, English); ranked by ``ts_rank``."""
        self._rank = (f"ts_rank(({_SEARCH_VECTOR}), websearch_to_tsquery(%s::regconfig, %s))", ["english", q])
        return self._add(f"({_SEARCH_VECTOR} @@ websearch_to_tsquery('english'::regconfig, %s))", q)

    def name_similar(self, q, threshold):
        """The name's trigram word similarity to ``q`` is above ``threshold``; ranked by it."""
        self._rank = (f"WORD_SIMILARITY(%s, {_P['name']})", [q])
        return self._add(f"WORD_SIMILARITY(%s, {_P['name']}) > %s", q, threshold)

    def order_by(self, *fields):
        """Field names as ``QuerySet.order_by`` takes them (``-`` for descending); ``search_rank`` is the
        search's rank."""
        order, self._order_params = [], []
        for field in fields:
            name = field.lstrip("-")
            if name == "search_rank":
                sql, params = self._rank
                self._order_params += params
            else:
                sql = _P[name]
            order.append(f"{sql} DESC" if field.startswith("-") else f"{sql} ASC")
        self._order = ", ".join(order)
        return self

    # --- Reads -------------------------------------------------------------------------

    def _sql(self, select, *, order=True, page=None):
        parts = [f"SELECT {select} FROM {_PRODUCT_TABLE}", *self._joins, "WHERE " + " AND ".join(self._where)]  # noqa: S608
        params = list(self._params)
        if order:
            parts.append(f"ORDER BY {self._order}")
            params += self._order_params
        if page is not None:
            bottom, top = page
            parts.append("LIMIT %s OFFSET %s")
            params += [top - bottom, bottom]
        return " ".join(parts), params

    def _rows(self, sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def page_ids(self, bottom, top):
        """The ids of rows ``bottom`` to ``top`` (excluded) in order."""
        return [row[0] for row in self._rows(*self._sql(_P["id"], page=(bottom, top)))]

    def page_rows_with_total(self, bottom, top):
        """``(id, total of all matching rows)`` of rows ``bottom`` to ``top``: ``COUNT(*) OVER ()``."""
        return [tuple(row) for row in self._rows(*self._sql(f"{_P['id']}, COUNT(*) OVER ()", page=(bottom, top)))]

    def count(self):
        return self._rows(*self._sql("COUNT(*)", order=False))[0][0]
