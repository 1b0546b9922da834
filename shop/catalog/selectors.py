"""Catalog reads. Every product list runs a fixed number of queries whatever the page size."""

import time

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.utils.translation import gettext

from shop.catalog import cache as catalog_cache
from shop.catalog.error_codes import CatalogErrorCode
from shop.catalog.media import media_url
from shop.catalog.models import (
    Brand,
    Category,
    Product,
    ProductIngredient,
    ProductMedia,
    ProductSkinType,
    ProductStatus,
    ProductVariant,
    StockAdjustment,
)
from skincare.api.error_codes import ApiErrorCode
from skincare.errors import ApplicationError

RELATED_LIMIT = 8


# --- Categories -------------------------------------------------------------


def _category_node(category):
    return {
        "id": category.id,
        "parent_id": category.parent_id,
        "name": category.name,
        "name_km": category.name_km,
        "slug": category.slug,
        "description": category.description,
        "sort_order": category.sort_order,
        "image": media_url(category.image),
        "banner": media_url(category.banner),
    }


def _build_category_nodes():
    categories = (
        Category.objects.filter(is_active=True).select_related("image", "banner").order_by("sort_order", "name")
    )
    nodes = [_category_node(category) for category in categories]
    by_id = {node["id"]: node for node in nodes}
    # An active child of an inactive parent is hidden with its parent.
    visible = []
    for node in nodes:
        parent_id, hidden = node["parent_id"], False
        seen = set()
        while parent_id is not None and parent_id not in seen:
            seen.add(parent_id)
            if parent_id not in by_id:
                hidden = True
                break
            parent_id = by_id[parent_id]["parent_id"]
        if not hidden:
            visible.append(node)
    return visible


# The category nodes, kept by each process while the catalog list version stays the same (every
# category change replaces it, after the cached nodes are dropped) and for at most
# CATEGORY_NODES_LOCAL_TIMEOUT seconds: a list request filtering by category reads them without a
# round trip to the cache. Only where the caller read the version already (``cache.at_list_version``).
CATEGORY_NODES_LOCAL_TIMEOUT = 60
_category_nodes_memo = {"version": None, "expires": 0.0, "nodes": None}


def category_nodes():
    """Active categories as a flat list of dicts (cached; invalidated on category change). Shared: read only."""
    version = catalog_cache.known_list_version()
    if version is None:
        return catalog_cache.get_or_set(catalog_cache.CATEGORY_TREE_KEY, _build_category_nodes)
    memo, now = _category_nodes_memo, time.monotonic()
    if memo["version"] != version or now >= memo["expires"]:
        nodes = catalog_cache.get_or_set(catalog_cache.CATEGORY_TREE_KEY, _build_category_nodes)
        memo.update(version=version, expires=now + CATEGORY_NODES_LOCAL_TIMEOUT, nodes=nodes)
    return memo["nodes"]


def category_tree():
    """Active categories nested under ``children``, siblings by ``sort_order``."""
    nodes = [{**node, "children": []} for node in category_nodes()]
    by_id = {node["id"]: node for node in nodes}
    roots = []
    for node in nodes:
        parent = by_id.get(node["parent_id"])
        (parent["children"] if parent else roots).append(node)
    return roots


def category_outline() -> list[tuple[int, int]]:
    """Every category (inactive ones too) as ``(id, depth)`` in depth-first order, siblings by
    ``sort_order`` then name: the tree as staff read it. One query; a node whose parent chain
    never reaches a root (a loop the services refuse, should one exist) is listed at depth 0."""
    rows = list(Category.objects.order_by("sort_order", "name", "pk").values_list("pk", "parent_id"))
    children = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    outline, seen = [], set()

    def walk(parent_id, depth):
        for pk in children.get(parent_id, []):
            if pk not in seen:
                seen.add(pk)
                outline.append((pk, depth))
                walk(pk, depth + 1)

    walk(None, 0)
    for pk, _ in rows:  # unreachable from a root
        if pk not in seen:
            seen.add(pk)
            outline.append((pk, 0))
            walk(pk, 1)
    return outline


def category_get(slug_or_id):
    """The active category node with this slug (or id), or None."""
    key = str(slug_or_id)
    for node in category_nodes():
        if node["slug"] == key or str(node["id"]) == key:
            return node
    return None


def category_descendant_ids(category_id):
    """``category_id`` and the ids of all its active descendants."""
    children = {}
    for node in category_nodes():
        children.setdefault(node["parent_id"], []).append(node["id"])
    ids, stack = [], [category_id]
    while stack:
        current = stack.pop()
        if current in ids:
            continue
        ids.append(current)
        stack.extend(children.get(current, []))
    return ids


def category_breadcrumbs(category_id):
    """The active category nodes from the root down to ``category_id`` (at most 20)."""
    by_id = {node["id"]: node for node in category_nodes()}
    trail, current = [], by_id.get(category_id)
    while current is not None and len(trail) < 20:
        trail.append(current)
        current = by_id.get(current["parent_id"])
    return list(reversed(trail))


# --- Brands -----------------------------------------------------------------


def brand_list():
    def build():
        return list(
            Brand.objects.filter(is_active=True).order_by("name").values("id", "name", "slug", "country", "description")
        )

    return catalog_cache.get_or_set(catalog_cache.BRANDS_KEY, build)


# --- Products ---------------------------------------------------------------


def primary_media_prefetch(lookup="media"):
    """The primary image of products (``lookup`` reaches their ``media``), as ``primary_media``.

    One query whatever the number of products; ``serializers.product_image`` reads it.
    """
    return Prefetch(
        lookup,
        queryset=ProductMedia.objects.filter(is_primary=True).select_related("file"),
        to_attr="primary_media",
    )


def primary_media_by_product(product_ids):
    """``{product_id: ProductMedia}`` of the primary images of ``product_ids``, in one query."""
    media = ProductMedia.objects.filter(product_id__in=product_ids, is_primary=True).select_related("file")
    return {item.product_id: item for item in media}


# What ``serializers.product_list_item`` reads. The descriptions, how-to-use texts,
# attributes and full INCI list (most of a product row's bytes) are left in the table.
PRODUCT_LIST_FIELDS = (
    "id",
    "slug",
    "name",
    "name_km",
    "short_description",
    "product_type",
    "price",
    "compare_at_price",
    "stock_quantity",
    "track_inventory",
    "allow_backorders",
    "rating_avg",
    "size_amount",
    "size_unit",
    "review_count",
    "skin_types",
    "concerns",
    "is_featured",
    "suitable_for_sensitive_skin",
    "brand",
    "brand__id",
    "brand__name",
    "brand__slug",
    "category",
    "category__id",
    "category__name",
    "category__name_km",
    "category__slug",
)


def product_listed_queryset():
    """Active products with nothing loaded alongside: what a list page reads its ids from (its items
    come from ``listing``)."""
    return Product.objects.filter(status=ProductStatus.ACTIVE)


def product_list_queryset():
    """Active products with what the list output needs (3 queries per page incl. the count)."""
    return (
        Product.objects.filter(status=ProductStatus.ACTIVE)
        .select_related("brand", "category")
        .only(*PRODUCT_LIST_FIELDS)
        .prefetch_related(primary_media_prefetch())
    )


def staff_product_queryset():
    return Product.objects.select_related("brand", "category").prefetch_related(primary_media_prefetch())


def product_detail_queryset():
    return Product.objects.select_related("brand", "category").prefetch_related(
        Prefetch(
            "media", queryset=ProductMedia.objects.select_related("file").order_by("-is_primary", "sort_order", "id")
        ),
        Prefetch("variants", queryset=ProductVariant.objects.filter(is_active=True)),
        Prefetch("product_ingredients", queryset=ProductIngredient.objects.select_related("ingredient")),
    )


def product_active_get(*, product_id, field=None) -> Product:
    """The active product with this id, for every operation that acts on one.

    Unknown or not active: ``PRODUCT_NOT_FOUND`` (404) when the id is in the path; when it came in a
    request body, ``field`` names it and the answer is a ``VALIDATION_ERROR`` (400) on that field.
    """
    product = Product.objects.filter(pk=product_id, status=ProductStatus.ACTIVE).first()
    if product is not None:
        return product
    if field is not None:
        raise ApplicationError(
            ApiErrorCode.VALIDATION_ERROR,
            gettext("Product not found."),
            errors={field: [gettext("Product not found.")]},
        )
    raise ApplicationError(CatalogErrorCode.PRODUCT_NOT_FOUND, gettext("Product not found."))


def product_get(lookup, *, include_drafts=False):
    """A product by id (digits) or slug; drafts/archived only with ``include_drafts``."""
    queryset = product_detail_queryset()
    if not include_drafts:
        queryset = queryset.filter(status=ProductStatus.ACTIVE)
    lookup = str(lookup)
    condition = Q(pk=int(lookup)) if lookup.isdigit() else Q(slug=lookup)
    return queryset.filter(condition).first()


def products_for_skin_type(queryset, skin_type):
    """Products suited to ``skin_type`` (or to all skin types)."""
    if skin_type == ProductSkinType.ALL:
        return queryset.filter(skin_types__contains_any=[ProductSkinType.ALL])
    return queryset.filter(skin_types__contains_any=[skin_type, ProductSkinType.ALL])


def product_related(product, *, limit=RELATED_LIMIT):
    """Active products of the same category or sharing a concern, best matches first."""
    condition = Q(category_id=product.category_id)
    if product.concerns:
        condition |= Q(concerns__contains_any=product.concerns)
    return list(
        product_list_queryset()
        .filter(condition)
        .exclude(pk=product.pk)
        .annotate(
            same_category=Case(
                When(category_id=product.category_id, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-same_category", "-rating_avg", "-sales_count", "-id")[:limit]
    )


# --- Stock ------------------------------------------------------------------

# Tracked products still in stock but at or under their low-stock threshold / with nothing left.
LOW_STOCK = Q(track_inventory=True, stock_quantity__gt=0, stock_quantity__lte=F("low_stock_threshold"))
OUT_OF_STOCK = Q(track_inventory=True, stock_quantity__lte=0)


def stock_low(queryset):
    return queryset.filter(LOW_STOCK)


def stock_out(queryset):
    return queryset.filter(OUT_OF_STOCK)


def stock_ok(queryset):
    return queryset.exclude(track_inventory=True, stock_quantity__lte=F("low_stock_threshold"))


def stock_alert_counts() -> dict:
    """Active products low on stock and out of stock (one query)."""
    return Product.objects.filter(status=ProductStatus.ACTIVE).aggregate(
        low=Count("id", filter=LOW_STOCK), out=Count("id", filter=OUT_OF_STOCK)
    )


def stock_adjustment_list(*, product_id):
    """A product's stock adjustments, newest first, with who made them and the variant."""
    return StockAdjustment.objects.filter(product_id=product_id).select_related("created_by", "variant")
