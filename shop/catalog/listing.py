"""Product list items by id, each cached on its own under the catalog list version.

A list page that is not cached yet (a new filter combination, a new search) used to load and
serialise every product of the page. Items are the same whatever page or filter shows them, so
each is cached once (``cache.product_list_item_key``): a page is a narrow query for its ids and
one multi-get for their items; only the missing items are loaded (2 queries: rows and primary
images) and stored. Each item records the list version it was built under, so every write that
refreshes list pages (``cache.invalidate_product_lists``) refreshes the items too; the items
themselves are kept ``ITEM_TIMEOUT`` (pages only ``LIST_TIMEOUT``).

The API's pages go one step further (``product_list_fragments``): each item is also cached as the
JSON the API answers, in English and in Khmer, cut where the request's origin goes into its image
URLs, so a page is joined from bytes instead of decoding, copying and encoding every item again.
"""

import secrets
import time
from urllib.parse import urlsplit

from django.core.cache import cache
from django.utils.encoding import iri_to_uri
from rest_framework.renderers import JSONRenderer

from shop.catalog import cache as catalog_cache
from shop.catalog import selectors
from shop.catalog.serializers import product_list_item, product_list_item_absolute, product_list_item_urls_mapped
from skincare.api.content_language import content_localized


def product_list_items(product_ids, *, version=None):
    """The public list items of ``product_ids`` (active products), in that order.

    An id whose product is no longer active (changed since the ids were read) is left out.
    """
    if not product_ids:
        return []
    version = version or catalog_cache.product_list_version()
    found = _of_version(product_ids, catalog_cache.product_list_item_key, version)
    missing = [pk for pk in product_ids if pk not in found]
    if missing:
        products = selectors.product_list_queryset().in_bulk(missing)
        built = {pk: product_list_item(products[pk]) for pk in missing if pk in products}
        if built:
            cache.set_many(
                {catalog_cache.product_list_item_key(pk): (version, item) for pk, item in built.items()},
                catalog_cache.ITEM_TIMEOUT,
            )
        found.update(built)
    return [found[pk] for pk in product_ids if pk in found]


def _of_version(product_ids, key_of, version):
    """``{product id: cached value}`` of the entries (``(version, value)`` under ``key_of(product id)``) built
    under ``version``; one cache read."""
    keys = {pk: key_of(pk) for pk in product_ids}
    found = cache.get_many(list(keys.values()))
    entries = ((pk, found.get(key)) for pk, key in keys.items())
    return {pk: entry[1] for pk, entry in entries if entry is not None and entry[0] == version}


# --- Items as rendered JSON ----------------------------------------------------------------


def _after_origin(url):
    """What follows the origin in ``request.build_absolute_uri(url)`` for a path ``url`` (IRI-quoted), or
    None when the absolute URL depends on more than the request's scheme and host (Django's own test)."""
    bits = urlsplit(url)
    if bits.scheme or bits.netloc or not bits.path.startswith("/") or "/./" in bits.path or "/../" in bits.path:
        return None
    return iri_to_uri(url.removeprefix("//"))


def product_list_fragment(item):
    """A ``product_list_item`` as the API renders it, ``(english, khmer)``: each a tuple of bytes that the
    request's origin joins (``origin.join(parts)``) where ``url_absolute`` puts it. An item whose URLs
    need more than the origin stays a dict (rendered per request, the slow way)."""
    token, slots, plain = secrets.token_hex(16), [], True

    def mark(url):
        nonlocal plain
        if not url or not url.startswith("/"):
            return url  # url_absolute leaves it as it is
        rest = _after_origin(url)
        if rest is None:
            plain = False
            return url
        slots.append(rest)
        return token + rest

    marked = product_list_item_urls_mapped(item, mark)
    if not plain:
        return item
    variants = []
    for data in (marked, content_localized(marked)):
        parts = tuple(JSONRenderer().render(data).split(token.encode()))
        if len(parts) != len(slots) + 1:  # the token elsewhere in the item: cannot be, but never guess
            return item
        variants.append(parts)
    return tuple(variants)


# The fragments this process read or built, kept while the list version stays the same and for at most
# FRAGMENTS_LOCAL_TIMEOUT seconds, as the category nodes are (``selectors.category_nodes``): a cold page whose
# items this process has seen needs no read of their JSON from the cache (20 values, ~2 KB each).
FRAGMENTS_LOCAL_TIMEOUT = 60
FRAGMENTS_LOCAL_MAX = 5000
_fragments_memo = {"version": None, "expires": 0.0, "fragments": {}}


def _local_fragments(version):
    memo, now = _fragments_memo, time.monotonic()
    if memo["version"] != version or now >= memo["expires"]:
        memo.update(version=version, expires=now + FRAGMENTS_LOCAL_TIMEOUT, fragments={})
    return memo["fragments"]


def product_list_fragments(product_ids, *, version, store):
    """The cached ``product_list_fragment`` of each of ``product_ids`` (active products) in that order;
    an id whose product is no longer active is left out. They come from this process's copy, else from
    the cache; missing ones are built from ``product_list_items`` and added to ``store`` (``{key: value}``,
    for the caller to write with ``ITEM_TIMEOUT``, with the rest of its answer)."""
    if not product_ids:
        return []
    local = _local_fragments(version)
    found = {pk: local[pk] for pk in product_ids if pk in local}
    missing = [pk for pk in product_ids if pk not in found]
    if missing:
        cached = _of_version(missing, catalog_cache.product_list_fragment_key, version)
        for item in product_list_items([pk for pk in missing if pk not in cached], version=version):
            cached[item["id"]] = fragment = product_list_fragment(item)
            store[catalog_cache.product_list_fragment_key(item["id"])] = (version, fragment)
        found.update(cached)
        if len(local) < FRAGMENTS_LOCAL_MAX:
            local.update(cached)
    return [found[pk] for pk in product_ids if pk in found]


def request_origin(request):
    """The request's origin as ``url_absolute`` puts it before a path (bytes)."""
    return request.build_absolute_uri("/")[:-1].encode()


def product_list_fragments_joined(fragments, *, request, khmer):
    """The JSON array items (comma-joined bytes) of ``fragments`` for this request's origin and language."""
    origin, variant = request_origin(request), 1 if khmer else 0
    rendered = []
    for fragment in fragments:
        if type(fragment) is tuple:
            rendered.append(origin.join(fragment[variant]))
        else:
            item = product_list_item_absolute(fragment, request)
            rendered.append(JSONRenderer().render(content_localized(item) if khmer else item))
    return b",".join(rendered)
