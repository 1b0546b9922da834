"""Reads for the shop's pages, composed from the catalog and cart selectors.

List sections are cached as plain dicts (``product_list_item``) under the catalog's list
version, so every product, category or brand change (``shop.catalog.cache``) refreshes them
as it refreshes the API's list pages.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Sum

from shop.cart.models import CartLine
from shop.cart.services import SESSION_KEY
from shop.catalog import cache as catalog_cache
from shop.catalog import search
from shop.catalog import selectors as catalog_selectors
from shop.catalog.filters import ProductFilter
from shop.catalog.listing import product_list_items
from shop.catalog.models import Ingredient, Product
from shop.catalog.pagination import ListTotal, ProductIdsPaginator
from shop.catalog.serializers import product_list_item
from shop.storefront import labels
from shop.wishlist.models import WishlistItem

HOME_SECTION_SIZE = 8


def menu_categories():
    """Top-level active categories with their children (the cached category tree)."""
    return catalog_selectors.category_tree()


def cart_item_count(*, request):
    """Items in this request's cart: one query, none for a guest without a cart."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        lines = CartLine.objects.filter(cart__user=user)
    else:
        session = getattr(request, "session", None)
        token = session.get(SESSION_KEY) if session is not None else None
        if not token:
            return 0
        lines = CartLine.objects.filter(cart__token=token, cart__user__isnull=True)
    return lines.aggregate(total=Sum("quantity"))["total"] or 0


def list_version(*, request=None):
    """The catalog's list version, read once per request (the page's lists and fragments share it)."""
    if request is None:
        return catalog_cache.product_list_version()
    version = getattr(request, "_catalog_list_version", None)
    if version is None:
        version = request._catalog_list_version = catalog_cache.product_list_version()
    return version


def _section_key(name, version):
    return catalog_cache.product_list_page_key(f"storefront:{name}", [], version)


def _cached_sections(builds, *, version=None, timeout=catalog_cache.LIST_TIMEOUT):
    """``{name: build}`` -> ``{name: list items}``, cached under the list version (one cache read for all)."""
    version = version or catalog_cache.product_list_version()
    keys = {name: _section_key(name, version) for name in builds}
    found = cache.get_many(list(keys.values()))
    sections = {}
    for name, build in builds.items():
        items = found.get(keys[name])
        if items is None:
            items = [product_list_item(product) for product in build()]
            cache.set(keys[name], items, timeout)
        sections[name] = items
    return sections


def _cached_section(name, build, *, version=None, timeout=catalog_cache.LIST_TIMEOUT):
    return _cached_sections({name: build}, version=version, timeout=timeout)[name]


def _featured():
    return (
        catalog_selectors.product_list_queryset()
        .filter(is_featured=True)
        .order_by("-published_at", "-id")[:HOME_SECTION_SIZE]
    )


def _new():
    return catalog_selectors.product_list_queryset().order_by("-published_at", "-id")[:HOME_SECTION_SIZE]


def home_sections(*, version=None):
    """The home page's featured and new products: ``(featured, new)``."""
    sections = _cached_sections({"home:featured": _featured, "home:new": _new}, version=version)
    return sections["home:featured"], sections["home:new"]


def home_featured(*, version=None):
    return _cached_section("home:featured", _featured, version=version)


def home_for_skin_type(skin_type, *, version=None):
    return _cached_section(
        f"home:skin-type:{skin_type}",
        lambda: catalog_selectors.products_for_skin_type(catalog_selectors.product_list_queryset(), skin_type).order_by(
            "-rating_avg", "-review_count", "-id"
        )[:HOME_SECTION_SIZE],
        version=version,
    )


# --- Category and search pages ----------------------------------------------------------

PER_PAGE = 24
MULTI_VALUE_FILTERS = ("brand", "concern", "ingredient", "exclude_ingredient")
# The page's form sends one value per checked box; the catalog's filter takes "a,b,c".
LISTING_PARAMS = tuple(ProductFilter.base_filters)


@dataclass
class Listing:
    items: list
    page: object  # a django Page over the total (its object_list is not used), or None on errors
    selected: dict  # what the form shows as chosen: name -> value or list of values
    errors: dict = field(default_factory=dict)
    version: str = ""  # the catalog list version the listing was read under

    @property
    def fragment_key(self):
        """What the page's cached fragments (filter form, product grid) vary on besides the path and
        language: the list version (categories, brands, ingredients, items) and the chosen filters."""
        return f"{self.version}:{sorted(self.selected.items())!r}"


def _selected(params):
    selected = {}
    for name in LISTING_PARAMS:
        if name in MULTI_VALUE_FILTERS:
            values = [item for value in params.getlist(name) for item in value.split(",") if item]
            if values:
                selected[name] = values
        elif params.get(name):
            selected[name] = params.get(name)
    return selected


def product_listing(params, *, path, category=None, version=None):
    """One page of a category or search listing, filtered and sorted by the catalog's ``ProductFilter``.

    The page's items and the total are cached under the catalog list version, as the API's are.
    """
    selected = _selected(params)
    data = {name: ",".join(value) if isinstance(value, list) else value for name, value in selected.items()}
    if category is not None and "category" not in data:
        data["category"] = category["slug"]
    page_number = params.get("page", "1")
    page_number = int(page_number) if page_number.isdigit() and 0 < len(page_number) < 7 else 1
    cache_params = sorted((name, [value]) for name, value in data.items())
    version = version or catalog_cache.product_list_version()
    page_key = catalog_cache.product_list_page_key(
        f"storefront:{path}", [*cache_params, ("page", [str(page_number)])], version
    )
    cached = cache.get(page_key)
    if cached is None:
        count_key = catalog_cache.product_list_count_key(f"storefront:{path}", cache_params, version)
        total = ListTotal(cache.get(count_key))
        filterset = ProductFilter(data=data, queryset=catalog_selectors.product_list_queryset(), total=total)
        if not filterset.is_valid():
            return Listing(items=[], page=None, selected=selected, errors=dict(filterset.form.errors), version=version)
        paginator = ProductIdsPaginator(filterset.qs, PER_PAGE, total=total)
        page = paginator.get_page(page_number)
        if total.counted:
            cache.set(count_key, total.value, catalog_cache.LIST_TIMEOUT)
        cached = {
            "items": product_list_items(page.object_list, version=version),
            "count": paginator.count,
            "number": page.number,
        }
        cache.set(page_key, cached, catalog_cache.LIST_TIMEOUT)
    page = Paginator(range(cached["count"]), PER_PAGE).get_page(cached["number"])
    return Listing(items=cached["items"], page=page, selected=selected, version=version)


def spelling_suggestion(q):
    """The query with each unknown word replaced by the closest known one (PostgreSQL), or None
    when every word is known (or on SQLite, whose search has no typo tolerance)."""
    q = search.normalise_query(q)
    if not q or not search.is_postgresql() or search.KHMER.search(q):
        return None
    typed = " ".join(word.lower() for word in search.WORD.findall(q)[:8])
    corrected = search.correct_spelling(q)
    return corrected if corrected and corrected != typed else None


def _flatten(nodes, depth=0):
    for node in nodes:
        yield {**node, "depth": depth, "indent": "\u2003" * depth}
        yield from _flatten(node["children"], depth + 1)


def ingredient_options():
    key = catalog_cache.product_list_page_key("storefront:ingredients", [])
    options = cache.get(key)
    if options is None:
        options = list(Ingredient.objects.order_by("name").values("id", "name", "name_km", "slug"))
        cache.set(key, options, catalog_cache.LIST_TIMEOUT)
    return options


def filter_options():
    """Choices of the filter form (all cached: categories, brands and ingredients)."""
    return {
        "categories": list(_flatten(catalog_selectors.category_tree())),
        "brands": catalog_selectors.brand_list(),
        "ingredients": ingredient_options(),
        "skin_types": labels.SKIN_TYPES_FOR_FILTER,
        "concerns": labels.CONCERNS,
    }


# --- Product page -------------------------------------------------------------------------


def product_related(product, *, version=None):
    """Related products of a cached product payload (cached like the lists, ``PRODUCT_PAGE_LIST_TIMEOUT``)."""

    def build():
        stub = Product(pk=product["id"], category_id=product["category"]["id"], concerns=product["concerns"])
        return catalog_selectors.product_related(stub)

    return _cached_section(
        f"related:{product['id']}", build, version=version, timeout=settings.PRODUCT_PAGE_LIST_TIMEOUT
    )


def in_wishlist(*, user, product_id):
    if not user.is_authenticated:
        return False
    return WishlistItem.objects.filter(user=user, product_id=product_id).exists()


def wishlist_products(*, user):
    """The shopper's wishlist as list items, newest first (3 queries)."""
    product_ids = list(
        WishlistItem.objects.filter(user=user).order_by("-created_at", "-id").values_list("product_id", flat=True)
    )
    products = catalog_selectors.product_list_queryset().in_bulk(product_ids)
    return [product_list_item(products[pk]) for pk in product_ids if pk in products]
