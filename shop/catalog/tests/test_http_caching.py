from decimal import Decimal
from unittest import mock

import pytest
from django.utils.http import http_date

from shop.catalog import services
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the catalog caches are invalidated on commit

CATALOG_READS = ["/api/v1/products/", "/api/v1/products/search/?q=glow", "/api/v1/categories/", "/api/v1/brands/"]


@pytest.mark.parametrize("path", [*CATALOG_READS, "/api/v1/products/glow/"])
def test_catalog_reads_answer_304_to_their_etag_and_their_date(api_client, path):
    ProductFactory(slug="glow", name="Glow serum")
    first = api_client.get(path)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and len(etag) == 34

    by_etag = api_client.get(path, HTTP_IF_NONE_MATCH=etag)
    by_date = api_client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified)

    assert (by_etag.status_code, by_etag.content, by_etag["ETag"]) == (304, b"", etag)
    assert (by_date.status_code, by_date.content) == (304, b"")
    stale = api_client.get(path, HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200 and stale.json()["status"] == "success"


def test_an_edit_changes_the_etag_and_the_date_of_list_and_detail(api_client):
    product = ProductFactory(slug="glow", price=Decimal("10.00"))
    with mock.patch("skincare.api.conditional.time.time", return_value=1_800_000_000.2):
        old_list, old_detail = api_client.get("/api/v1/products/"), api_client.get("/api/v1/products/glow/")
        services.product_update(product=product, data={"price": Decimal("12.00")})  # within the same second
        new_list = api_client.get("/api/v1/products/", HTTP_IF_NONE_MATCH=old_list["ETag"])
        new_detail = api_client.get("/api/v1/products/glow/", HTTP_IF_MODIFIED_SINCE=old_detail["Last-Modified"])

    assert (new_list.status_code, new_list.json()["data"][0]["price"]) == (200, "12.00")
    assert new_list["ETag"] != old_list["ETag"]
    assert (new_detail.status_code, new_detail.json()["data"]["price"]) == (200, "12.00")
    assert old_detail["Last-Modified"] == http_date(1_800_000_000)
    assert new_detail["Last-Modified"] == http_date(1_800_000_001)


def test_brand_and_category_edits_change_their_etags(api_client):
    brand, category = BrandFactory(name="Cosrx"), CategoryFactory(name="Serums")
    brands, categories = api_client.get("/api/v1/brands/"), api_client.get("/api/v1/categories/")

    services.brand_update(brand=brand, data={"country": "Korea"})
    services.category_update(category=category, data={"name": "Essences"})

    brands_again = api_client.get("/api/v1/brands/", HTTP_IF_NONE_MATCH=brands["ETag"])
    categories_again = api_client.get("/api/v1/categories/", HTTP_IF_NONE_MATCH=categories["ETag"])
    assert (brands_again.status_code, brands_again.json()["data"][0]["country"]) == (200, "Korea")
    assert (categories_again.status_code, categories_again.json()["data"][0]["name"]) == (200, "Essences")


def test_the_etag_differs_per_language(api_client):
    ProductFactory(slug="glow", name="Glow", name_km="ពន្លឺ")
    english = api_client.get("/api/v1/products/glow/")
    khmer = api_client.get("/api/v1/products/glow/", HTTP_ACCEPT_LANGUAGE="km", HTTP_IF_NONE_MATCH=english["ETag"])
    assert khmer.status_code == 200 and khmer["ETag"] != english["ETag"]
    assert "Accept-Language" in khmer["Vary"]
