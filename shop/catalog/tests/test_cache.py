from decimal import Decimal

import pytest
from django.core.cache import cache

from shop.catalog import cache as catalog_cache
from shop.catalog import services
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)  # invalidation runs on commit


def detail(client, lookup):
    response = client.get(f"/api/v1/products/{lookup}")
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def test_product_detail_is_cached_and_invalidated_by_the_service(api_client, django_assert_max_num_queries):
    product = ProductFactory(slug="glow", price=Decimal("10.00"))
    assert detail(api_client, "glow")["price"] == "10.00"
    assert cache.get(catalog_cache.product_detail_key(product.pk))["price"] == "10.00"
    with django_assert_max_num_queries(0):  # views count in the cache
        assert detail(api_client, "glow")["price"] == "10.00"
    services.product_update(product=product, data={"price": Decimal("12.00")})
    assert cache.get(catalog_cache.product_detail_key(product.pk)) is None
    assert detail(api_client, "glow")["price"] == "12.00"
    assert detail(api_client, product.pk)["price"] == "12.00"


def test_admin_style_save_invalidates_through_signals(api_client):
    product = ProductFactory(slug="glow", name="Glow")
    detail(api_client, product.pk)
    product.name = "Glow 2"
    product.save()
    assert detail(api_client, product.pk)["name"] == "Glow 2"


def test_slug_change_and_unpublish(api_client):
    product = ProductFactory(slug="old")
    detail(api_client, "old")
    services.product_update(product=product, data={"slug": "new"})
    assert api_client.get("/api/v1/products/old").status_code == 404
    assert detail(api_client, "new")["id"] == product.pk
    services.products_bulk_update(product_ids=[product.pk], status="draft")
    assert api_client.get("/api/v1/products/new").status_code == 404


def test_bulk_price_change_invalidates(api_client):
    product = ProductFactory(price=Decimal("10.00"))
    detail(api_client, product.pk)
    services.products_bulk_update(product_ids=[product.pk], price_change_percent=Decimal("50"))
    assert detail(api_client, product.pk)["price"] == "15.00"


def test_category_tree_and_brands_invalidate(api_client):
    category = CategoryFactory(name="Serums", slug="serums")
    brand = BrandFactory(name="Alpha", slug="alpha")
    assert api_client.get("/api/v1/categories").json()["data"][0]["name"] == "Serums"
    assert api_client.get("/api/v1/brands").json()["data"][0]["name"] == "Alpha"
    services.category_update(category=category, data={"name": "Serums & ampoules"})
    services.brand_update(brand=brand, data={"name": "Alpha Lab"})
    assert api_client.get("/api/v1/categories").json()["data"][0]["name"] == "Serums & ampoules"
    assert api_client.get("/api/v1/brands").json()["data"][0]["name"] == "Alpha Lab"
    CategoryFactory(name="Toners", slug="toners")  # plain save(): the signal clears the tree
    assert [c["slug"] for c in api_client.get("/api/v1/categories").json()["data"]] == ["serums", "toners"]


def test_staff_never_get_the_cached_shopper_payload(api_client, staff_client):
    product = ProductFactory()
    detail(api_client, product.pk)
    services.products_bulk_update(product_ids=[product.pk], status="draft")
    assert staff_client.get(f"/api/v1/products/{product.pk}").json()["data"]["id"] == product.pk


def test_rendered_detail_is_one_cache_read_and_follows_changes(api_client, django_assert_max_num_queries):
    """A known product's detail is served from its rendered answer (no SQL); any product change drops
    it, by slug and by id, in each language."""
    product = ProductFactory(slug="glow-serum", price=Decimal("10.00"), name="Glow", name_km="ពន្លឺ")
    assert detail(api_client, "glow-serum")["price"] == "10.00"
    assert api_client.get("/api/v1/products/glow-serum", HTTP_ACCEPT_LANGUAGE="km").json()["data"]["name"] == "ពន្លឺ"
    assert len(cache.get(catalog_cache.product_rendered_key(product.pk))) == 2  # English and Khmer
    with django_assert_max_num_queries(0):
        first = api_client.get("/api/v1/products/glow-serum")
        again = api_client.get("/api/v1/products/glow-serum", HTTP_IF_NONE_MATCH=first["ETag"])
    assert first.json()["data"]["price"] == "10.00" and again.status_code == 304
    services.product_update(product=product, data={"price": Decimal("12.50")})
    assert cache.get(catalog_cache.product_rendered_key(product.pk)) is None
    changed = api_client.get("/api/v1/products/glow-serum", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["data"]["price"] == "12.50"
    assert detail(api_client, product.pk)["price"] == "12.50"
    assert api_client.get("/api/v1/products/glow-serum", HTTP_ACCEPT_LANGUAGE="km").json()["data"]["price"] == "12.50"
    services.product_update(product=product, data={"slug": "glow-serum-2"})
    assert api_client.get("/api/v1/products/glow-serum").status_code == 404
    assert detail(api_client, "glow-serum-2")["id"] == product.pk
