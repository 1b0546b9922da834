"""A cold list page is joined from each item's cached JSON (``listing.product_list_fragments``): the
answer must stay byte for byte what rendering the page's items would give, in English and Khmer, on
every origin, and a cold page must stay at three round trips to Redis (four in a process that has not seen its
items yet)."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from rest_framework.renderers import JSONRenderer

from shop.catalog import cache as catalog_cache
from shop.catalog import listing, selectors, services
from shop.catalog.models import ProductMedia
from shop.catalog.serializers import product_list_item, product_list_item_absolute
from shop.catalog.tests.factories import CategoryFactory, ProductFactory
from shop.files.tests.factories import UploadedFileFactory
from skincare.api.content_language import content_localized

pytestmark = pytest.mark.django_db(transaction=True)  # invalidation runs on commit

URL = "/api/v1/products"
KM = {"HTTP_ACCEPT_LANGUAGE": "km"}


def with_image(product, key, *, alt_text="Bottle", alt_text_km="ដប"):
    file = UploadedFileFactory(
        context="product",
        is_public=True,
        file=f"uploads/products/{key}.jpg",
        thumbnails={"small": f"uploads/products/{key}-small.jpg", "medium": f"uploads/products/{key} médium.jpg"},
    )
    ProductMedia.objects.create(product=product, file=file, is_primary=True, alt_text=alt_text, alt_text_km=alt_text_km)
    return product


def catalog():
    category = CategoryFactory(name="Serums", name_km="សេរ៉ូម", slug="serums")
    products = [
        ProductFactory(
            name='Glow "serum" \\ \u2028 line', name_km="សេរ៉ូមភ្លឺថ្លា", category=category, price=Decimal("12.50")
        ),
        ProductFactory(name="Plain toner", name_km="", category=category, price=Decimal("9.00")),
        ProductFactory(
            name="Calm cream",
            name_km="ក្រែម",
            category=category,
            price=Decimal("30.00"),
            compare_at_price=Decimal("35.00"),
        ),
    ]
    with_image(products[0], "glow")
    with_image(products[2], "calm", alt_text="Jar /media/x", alt_text_km="")
    return products


def rendered_the_slow_way(response, params, *, khmer):
    """The answer as rendering the page's items would give it (what the list answered before fragments)."""
    request = response.wsgi_request
    body = response.json()
    by_id = selectors.product_list_queryset().in_bulk([item["id"] for item in body["data"]])
    data = {
        "status": "success",
        "data": [product_list_item_absolute(product_list_item(by_id[item["id"]]), request) for item in body["data"]],
        "meta": body["meta"],
    }
    return JSONRenderer().render(content_localized(data) if khmer else data)


@pytest.mark.parametrize(
    "origin",
    [{}, {"secure": True, "HTTP_HOST": "localhost:8443"}],
    ids=["http-testserver", "https-with-port"],
)
def test_a_cold_page_is_byte_for_byte_the_rendered_items_in_both_languages(api_client, origin):
    catalog()
    params = {"sort": "price", "per_page": 2, "page": 1}
    for headers in ({}, KM, {}, KM):  # built, then from the page's ids and the items' JSON in the other language
        for page in (1, 2):
            response = api_client.get(URL, {**params, "page": page}, **origin, **headers)
            assert response.status_code == 200
            assert response.content == rendered_the_slow_way(response, params, khmer=bool(headers))
    khmer = api_client.get(URL, {"sort": "price"}, **origin, **KM).json()["data"]
    assert [item["name"] for item in khmer] == ["Plain toner", "សេរ៉ូមភ្លឺថ្លា", "ក្រែម"]
    assert khmer[1]["image"]["alt_text"] == "ដប" and khmer[2]["image"]["alt_text"] == "Jar /media/x"
    host = "https://localhost:8443" if origin else "http://testserver"
    assert khmer[1]["image"]["thumbnails"]["medium"] == f"{host}/media/uploads/products/glow%20m%C3%A9dium.jpg"


def test_a_fragment_follows_a_change_of_the_product(api_client):
    glow, *_ = catalog()
    assert api_client.get(URL, {"sort": "price"}).json()["data"][1]["price"] == "12.50"
    services.product_update(product=glow, data={"price": Decimal("13.00"), "name_km": "ថ្មី"})
    response = api_client.get(URL, {"sort": "price"}, **KM)
    assert response.json()["data"][1]["price"] == "13.00" and response.json()["data"][1]["name"] == "ថ្មី"
    assert response.content == rendered_the_slow_way(response, {}, khmer=True)


@pytest.mark.parametrize(
    "url, kept",
    [
        ("/media/a/../b.jpg", True),  # build_absolute_uri joins it with the request's path
        ("//cdn.example.com/b.jpg", True),
        ("https://cdn.example.com/b.jpg", False),  # left as it is: part of the JSON
        ("/media/b.jpg", False),
    ],
)
def test_items_whose_urls_need_more_than_the_origin_are_rendered_per_request(url, kept):
    item = {"id": 1, "name": "A", "name_km": "", "image": {"url": url, "thumbnail": None, "thumbnails": {"s": url}}}
    fragment = listing.product_list_fragment(item)
    assert (fragment == item) is kept
    request = RequestFactory().get("/api/v1/products/search", secure=True, HTTP_HOST="localhost")
    joined = listing.product_list_fragments_joined([fragment, fragment], request=request, khmer=False)
    expected = JSONRenderer().render(product_list_item_absolute(item, request))
    assert joined == expected + b"," + expected


@pytest.mark.parametrize("in_process", [True, False], ids=["items-in-this-process", "items-in-the-cache"])
@pytest.mark.parametrize(
    "path, params",
    [
        (URL, {"sort": "price"}),
        (URL, {"category": "serums"}),  # the category nodes: this process's copy for the list version
        ("/api/v1/categories/serums/products", {}),
        (f"{URL}/search", {"q": "serum"}),
        (f"{URL}/search", {"q": "sirum"}),  # a typo: the vocabulary's index, also this process's copy
    ],
)
def test_a_cold_page_is_three_redis_round_trips_when_this_process_has_its_items(
    api_client, django_assert_num_queries, path, params, in_process
):
    """Throttle (with the version and answer), the page's ids + total + Last-Modified record, then one
    pipeline writing the page, total, answer and Last-Modified record; the items' JSON is read from the
    cache (one more trip) only when this process has not kept it; a search adds its analytics event."""
    if not hasattr(cache, "client") or not hasattr(cache.client, "get_client"):
        pytest.skip("counts round trips to Redis (REDIS_URL)")
    from redis.connection import AbstractConnection

    typo = params.get("q") == "sirum"
    if typo and connection.vendor != "postgresql":
        pytest.skip("typo tolerance needs PostgreSQL")
    catalog()
    api_client.get(path, {**params, "max_price": "100"})  # the items' JSON, categories and vocabulary are kept
    if not in_process:
        listing._fragments_memo["version"] = None  # as another worker process: the items only in the cache
    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = counting
    try:
        with django_assert_num_queries(2 if typo else 1):
            response = api_client.get(path, {**params, "max_price": "99"})
    finally:
        AbstractConnection.send_packed_command = original
    assert response.status_code == 200 and len(response.json()["data"]) == 3
    assert len(sent) == 3 + ("q" in params) + (not in_process), sent
    seen_keys = cache.keys("http:first-seen:*")
    assert seen_keys and all(cache.ttl(key) > catalog_cache.LIST_TIMEOUT for key in seen_keys)  # their own timeout


def test_an_item_is_one_entry_rebuilt_in_place_under_a_new_version(api_client, django_assert_num_queries):
    """Items outlive the pages (an hour, not a minute) but not a change: a new list version rebuilds each
    product's entry in place, so old versions leave no entries behind."""
    products = catalog()
    keys = [
        key(product.pk)
        for product in products
        for key in (catalog_cache.product_list_item_key, catalog_cache.product_list_fragment_key)
    ]
    assert api_client.get(URL, {"sort": "price"}).status_code == 200
    version = catalog_cache.product_list_version()
    assert [entry[0] for entry in cache.get_many(keys).values()] == [version] * 6
    if hasattr(cache, "ttl"):  # Redis
        assert all(cache.ttl(key) > catalog_cache.LIST_TIMEOUT for key in keys)
    with django_assert_num_queries(1):  # another page: the items from this process or the cache
        assert api_client.get(URL, {"sort": "-price"}).status_code == 200
    services.product_update(product=products[0], data={"price": Decimal("13.00")})
    with django_assert_num_queries(3):  # the ids, then every item again (rows and images) under the new version
        response = api_client.get(URL, {"sort": "-price"})
    assert [item["price"] for item in response.json()["data"]] == ["30.00", "13.00", "9.00"]
    new_version = catalog_cache.product_list_version()
    assert new_version != version
    assert [entry[0] for entry in cache.get_many(keys).values()] == [new_version] * 6
    if hasattr(cache, "keys"):  # Redis: no entry of the old version left
        assert len(cache.keys("catalog:list-fragment:*") + cache.keys("catalog:list-item:*")) == 6


def test_entries_with_different_timeouts_are_written_together():
    """In one round trip to Redis, and not as a transaction (no MULTI/EXEC: the entries are independent)."""
    sent = []
    if hasattr(cache, "ttl"):
        from redis.connection import AbstractConnection

        original = AbstractConnection.send_packed_command
        with mock.patch.object(
            AbstractConnection,
            "send_packed_command",
            lambda self, command, *args: sent.append(command) or original(self, command, *args),
        ):
            catalog_cache.set_many_expiring({60: {"a": 1, "b": (2, b"x")}, 3600: {"c": "three"}, 10: {}})
        assert len(sent) == 1 and b"MULTI" not in b"".join(sent[0]), sent
    else:
        catalog_cache.set_many_expiring({60: {"a": 1, "b": (2, b"x")}, 3600: {"c": "three"}, 10: {}})
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": (2, b"x"), "c": "three"}
    if hasattr(cache, "ttl"):  # Redis: each group kept its own timeout
        assert 50 < cache.ttl("a") <= 60 and 3500 < cache.ttl("c") <= 3600


@pytest.mark.parametrize("ignore", [True, False])
def test_writing_entries_with_redis_down_follows_the_cache_setting(ignore):
    from django_redis.cache import RedisCache
    from redis.exceptions import ConnectionError as RedisConnectionError

    down = RedisCache(
        "redis://127.0.0.1:1/0",  # nothing listens on port 1
        {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": ignore}},
    )
    write = lambda: catalog_cache.set_many_expiring({60: {"a": 1}, 3600: {"b": 2}}, backend=down)  # noqa: E731
    if ignore:
        write()  # the answer is still served
    else:
        with pytest.raises(RedisConnectionError):
            write()
