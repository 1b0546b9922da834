"""Cached product list pages and totals: served from the cache, invalidated by every write
path that can change a list (services, admin-style saves through signals, brands,
categories), keyed so that ignored parameters share an entry and different filters don't."""

import json
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from shop.catalog import cache as catalog_cache
from shop.catalog import selectors, services
from shop.catalog.models import ProductMedia
from shop.catalog.serializers import ProductListOutputSerializer, product_list_item
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory
from skincare.api import output as output_module

pytestmark = pytest.mark.django_db(transaction=True)  # invalidation also runs on commit

URL = "/api/v1/products"


def listed(client, params=None, path=URL):
    response = client.get(path, params or {})
    assert response.status_code == 200, response.json()
    return response.json()


def test_page_is_cached_and_a_price_change_through_the_service_refreshes_it(api_client, django_assert_num_queries):
    product = ProductFactory(price=Decimal("10.00"))
    selectors.category_nodes()
    assert listed(api_client)["data"][0]["price"] == "10.00"
    assert listed(api_client)["data"][0]["price"] == "10.00"  # answered again: now kept
    with django_assert_num_queries(0):
        assert listed(api_client)["data"][0]["price"] == "10.00"
    services.product_update(product=product, data={"price": Decimal("12.00")})
    assert listed(api_client)["data"][0]["price"] == "12.00"


def test_admin_style_save_and_new_products_refresh_pages_and_totals(api_client):
    product = ProductFactory(name="Glow")
    assert listed(api_client)["meta"]["total"] == 1
    product.name = "Glow 2"
    product.save()  # post_save signal
    body = listed(api_client)
    assert body["data"][0]["name"] == "Glow 2"
    ProductFactory()
    assert listed(api_client)["meta"]["total"] == 2
    assert listed(api_client, {"page": 2, "per_page": 1})["meta"]["total"] == 2


def test_unpublished_and_archived_products_leave_cached_lists(api_client):
    keep, hide, drop = ProductFactory(), ProductFactory(), ProductFactory()
    assert {item["id"] for item in listed(api_client)["data"]} == {keep.id, hide.id, drop.id}
    services.products_bulk_update(product_ids=[hide.pk], status="draft")
    assert {item["id"] for item in listed(api_client)["data"]} == {keep.id, drop.id}
    services.products_bulk_update(product_ids=[drop.pk], status="archived")
    body = listed(api_client)
    assert [item["id"] for item in body["data"]] == [keep.id] and body["meta"]["total"] == 1


def test_brand_and_category_changes_refresh_the_embedded_refs_and_category_filters(api_client):
    brand = BrandFactory(name="Alpha", slug="alpha")
    serums = CategoryFactory(name="Serums", slug="serums")
    product = ProductFactory(brand=brand, category=serums)
    assert listed(api_client)["data"][0]["brand"]["name"] == "Alpha"
    assert listed(api_client, {"category": "serums"})["meta"]["total"] == 1
    services.brand_update(brand=brand, data={"name": "Alpha Lab"})
    assert listed(api_client)["data"][0]["brand"]["name"] == "Alpha Lab"
    services.category_update(category=serums, data={"name": "Serums & ampoules"})
    assert listed(api_client)["data"][0]["category"]["name"] == "Serums & ampoules"
    child = CategoryFactory(name="Ampoules", slug="ampoules", parent=serums)
    ProductFactory(category=child)
    assert listed(api_client, {"category": "serums"})["meta"]["total"] == 2
    assert listed(api_client, path="/api/v1/categories/serums/products")["meta"]["total"] == 2
    assert product.pk in [item["id"] for item in listed(api_client, {"category": "serums"})["data"]]


def test_new_primary_image_refreshes_the_list(api_client):
    from shop.files.models import UploadedFile

    product = ProductFactory()
    assert listed(api_client)["data"][0]["image"] is None
    file = UploadedFile.objects.create(
        context="product", file="k1.jpg", original_filename="a.jpg", size=10, mime_type="image/jpeg",
        extension="jpg", media_type="image", sha256=f"{1:064d}", status="active", is_public=True,
    )  # fmt: skip
    media = ProductMedia.objects.create(product=product, file=file, is_primary=True)  # signal
    assert listed(api_client)["data"][0]["image"]["id"] == media.id


def test_search_results_are_cached_and_refreshed(api_client):
    ProductFactory(name="Glow Serum")
    assert listed(api_client, {"q": "glow"}, path="/api/v1/products/search")["meta"]["total"] == 1
    ProductFactory(name="Glow Toner")
    assert listed(api_client, {"q": "glow"}, path="/api/v1/products/search")["meta"]["total"] == 2


def test_key_ignores_unknown_parameters_but_not_filters_or_paging(api_client, django_assert_num_queries):
    ProductFactory(skin_types=["oily"], price=Decimal("5.00"))
    ProductFactory(skin_types=["dry"], price=Decimal("7.00"))
    selectors.category_nodes()
    first = listed(api_client, {"skin_type": "oily"})
    assert listed(api_client, {"skin_type": "oily"}) == first  # answered again: now kept
    with django_assert_num_queries(0):
        assert listed(api_client, {"skin_type": "oily", "utm_source": "push", "_": "123"}) == first
    assert listed(api_client, {"skin_type": "dry"})["data"][0]["price"] == "7.00"
    assert listed(api_client, {"skin_type": "oily", "sort": "-price"}) == first
    assert len(listed(api_client, {"per_page": 1})["data"]) == 1
    assert listed(api_client, path="/api/v1/products/by-skin-type/dry")["data"][0]["price"] == "7.00"


def test_errors_are_not_cached(api_client):
    assert api_client.get(URL, {"sort": "bogus"}).status_code == 400
    assert api_client.get(URL, {"page": 5}).status_code == 404
    ProductFactory()
    assert api_client.get(URL, {"sort": "price"}).status_code == 200


def test_version_key_is_replaced_on_invalidation():
    version = catalog_cache.product_list_version()
    assert catalog_cache.product_list_version() == version
    catalog_cache.invalidate_product_lists()
    assert catalog_cache.product_list_version() != version
    cache.delete(catalog_cache.LIST_VERSION_KEY)  # evicted: a fresh, different version
    assert catalog_cache.product_list_version() not in (None, version)


def _drf_rendering(product):
    """DRF's own rendering of the list serializer: every field through its get_attribute and
    to_representation (``output``'s shortcuts switched off)."""

    def plain_plan(self):
        return [(field.field_name, field, None, None) for field in self._readable_fields]

    original = output_module.OutputSerializer._plan
    output_module.OutputSerializer._plan = property(plain_plan)
    try:
        return ProductListOutputSerializer(product, context={"request": None}).data
    finally:
        output_module.OutputSerializer._plan = original


def _json(data):
    return json.loads(JSONRenderer().render(data))


def test_the_list_item_is_what_its_serializer_renders(api_client):
    from shop.files.models import UploadedFile

    plain = ProductFactory(price=Decimal("9.5"), compare_at_price=None, concerns=["acne"], skin_types=["oily", "dry"])
    discounted = ProductFactory(
        price=Decimal("15.00"), compare_at_price=Decimal("20.00"), rating_avg=Decimal("4.35"),
        size_amount=Decimal("30"), size_unit="ml",
    )  # fmt: skip
    file = UploadedFile.objects.create(
        context="product", file="k2.jpg", original_filename="a.jpg", size=10, mime_type="image/jpeg",
        extension="jpg", media_type="image", sha256=f"{2:064d}", status="active", is_public=True,
        thumbnails={"small": "k2-small.jpg"}, width=400, height=300,
    )  # fmt: skip
    ProductMedia.objects.create(product=discounted, file=file, is_primary=True, alt_text="Bottle")
    products = list(selectors.product_list_queryset().order_by("id"))
    assert [p.pk for p in products] == [plain.pk, discounted.pk]
    fields = list(ProductListOutputSerializer().fields)
    for product in products:
        item = product_list_item(product)
        # Every documented field, in the documented order, and nothing else; as DRF renders them.
        assert list(item) == fields
        assert _json(item) == _json(_drf_rendering(product))
    first, second = (_json(product_list_item(p)) for p in products)
    assert (first["price"], first["compare_at_price"], first["size"], first["image"]) == ("9.50", None, None, None)
    assert first["skin_types"] == ["oily", "dry"] and first["concerns"] == ["acne"]
    assert (second["price"], second["rating_avg"], second["discount_percent"]) == ("15.00", "4.35", 25)
    assert second["size"] == {"amount": "30.00", "unit": "ml"}
    assert second["image"]["thumbnail"].endswith("k2-small.jpg") and second["image"]["alt_text"] == "Bottle"
    assert second["brand"] == {"id": discounted.brand.id, "name": discounted.brand.name, "slug": discounted.brand.slug}
    # The API answers the same items (the cached ones, made absolute for the request's origin).
    answered = {item["id"]: item for item in listed(api_client)["data"]}
    for item in (first, second):
        assert list(answered[item["id"]]) == fields
        assert {**answered[item["id"]], "image": None} == {**item, "image": None}
    assert answered[second["id"]]["image"]["thumbnail"].startswith("http://testserver/")


def test_a_field_added_to_the_serializer_is_answered(monkeypatch, api_client):
    product = ProductFactory()
    extra = serializers.CharField(source="sku")
    monkeypatch.setitem(ProductListOutputSerializer._declared_fields, "sku_for_test", extra)
    monkeypatch.setattr(output_module, "_ready", threading.local())  # the serializers ready with the old fields
    [row] = list(selectors.product_list_queryset().filter(pk=product.pk))
    assert product_list_item(row)["sku_for_test"] == product.sku
    assert listed(api_client)["data"][0]["sku_for_test"] == product.sku


def _item(body, product):
    return next((item for item in body["data"] if item["id"] == product.pk), None)


def test_cached_items_follow_price_stock_status_and_translations(api_client, django_assert_num_queries):
    """A page not cached yet (another filter or order) is built from the per-product cached items: each
    change a list shows reaches them too, whichever page shows the product next."""
    from shop.accounts.tests.factories import StaffFactory

    product = ProductFactory(name="Glow", name_km="ភ្លឺ", price=Decimal("10.00"), stock_quantity=5)
    other = ProductFactory(price=Decimal("20.00"))
    selectors.category_nodes()
    assert _item(listed(api_client), product)["price"] == "10.00"  # both items cached
    with django_assert_num_queries(1):  # a new order: only the page's ids (and total), the items from the cache
        assert [item["id"] for item in listed(api_client, {"sort": "-price"})["data"]] == [other.pk, product.pk]

    services.product_update(product=product, data={"price": Decimal("12.00"), "name_km": "ភ្លឺថ្មី"})
    item = _item(listed(api_client, {"sort": "price"}), product)
    assert (item["price"], item["name_km"]) == ("12.00", "ភ្លឺថ្មី")

    services.stock_set(product=product, quantity=0, reason="count", by=StaffFactory())
    assert _item(listed(api_client, {"sort": "name"}), product)["in_stock"] is False
    assert listed(api_client, {"in_stock": "true"})["meta"]["total"] == 1

    services.products_bulk_update(product_ids=[product.pk], status="draft")
    body = listed(api_client, {"sort": "rating"})
    assert _item(body, product) is None and body["meta"]["total"] == 1


def test_a_page_past_the_end_is_a_404_and_an_empty_list_is_not(api_client, django_assert_num_queries):
    ProductFactory()
    selectors.category_nodes()
    with django_assert_num_queries(2):  # no rows on page 2: the total is counted apart to tell
        response = api_client.get(URL, {"page": 2})
    assert response.status_code == 404
    with django_assert_num_queries(1):
        body = listed(api_client, {"min_price": "1000"})
    assert body["data"] == [] and body["meta"] == {"page": 1, "per_page": 20, "total": 0, "total_pages": 1}


# The search's second trip is its analytics event's push: one by one in tests (ANALYTICS_SEARCH_BATCH=1), a
# batch at a time in a worker (ml.buffer.ProcessBatch, tested in ml/tests/test_event_batch.py).
@pytest.mark.parametrize("path, params, trips", [(URL, {"sort": "price"}, 1), (f"{URL}/search", {"q": "serum"}, 2)])
def test_a_cached_page_is_one_redis_round_trip_and_still_follows_a_price_change(api_client, path, params, trips):
    """The throttle's call reads the list version and the rendered page with its counters."""
    if not hasattr(cache, "client") or not hasattr(cache.client, "get_client"):
        pytest.skip("the prefetch needs the Redis cache (REDIS_URL)")
    from redis.connection import AbstractConnection

    product = ProductFactory(name="Calm serum", price=Decimal("10.00"))
    listed(api_client, params, path)  # builds the page (and loads the throttle's script)
    listed(api_client, params, path)  # answered again: the page is kept
    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = counting
    try:
        body = listed(api_client, params, path)
    finally:
        AbstractConnection.send_packed_command = original
    assert len(sent) == trips, sent
    assert [item["price"] for item in body["data"]] == ["10.00"]

    services.product_update(product=product, data={"price": Decimal("12.00")})
    assert [item["price"] for item in listed(api_client, params, path)["data"]] == ["12.00"]


def test_a_page_is_kept_from_the_second_time_its_url_is_answered(api_client, django_assert_num_queries):
    """The first answer of a URL keeps only its Last-Modified record and the filters' total (every page shares
    it), not the page or the answer (most cold URLs are asked once); the second keeps them, the third is served
    from the cache. All three answer the same bytes, ETag and Last-Modified, and a revalidation is a 304."""
    ProductFactory(price=Decimal("10.00"))
    selectors.category_nodes()
    listed(api_client, {"sort": "-price"})  # another URL: the item's JSON is kept
    patterns = ("catalog:list-ids:*", "catalog:list-response:*", "catalog:list-count:*", "http:first-seen:*")
    redis = hasattr(cache, "keys")  # LocMemCache lists no keys: there the statements say it

    def kept():
        return [len(cache.keys(pattern)) for pattern in patterns] if redis else []

    params, before, answers = {"sort": "price", "max_price": "50"}, kept(), []
    for queries, pages in ((1, 0), (1, 1), (0, 1)):
        with django_assert_num_queries(queries):
            answers.append(api_client.get(URL, params))
        if redis:
            assert [now - then for now, then in zip(kept(), before, strict=True)] == [pages, pages, 1, 1]
    first = answers[0]
    for answer in answers:
        assert (answer.status_code, answer.content) == (200, first.content)
        assert (answer["ETag"], answer["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    with django_assert_num_queries(0):
        assert api_client.get(URL, params, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
