"""Product views are counted in the cache and written by the periodic flush, each exactly once."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.catalog.models import Product
from shop.catalog.tasks import flush_product_views
from shop.catalog.tests.factories import ProductFactory
from shop.catalog.views_counter import pending_views, product_views_flush

pytestmark = pytest.mark.django_db


def view_counts(*products):
    return [Product.objects.get(pk=p.pk).view_count for p in products]


def test_detail_requests_do_not_write_the_database(api_client):
    product = ProductFactory()
    api_client.get(f"/api/v1/products/{product.slug}")  # warms the payload cache

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert api_client.get(f"/api/v1/products/{product.slug}").status_code == 200

    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert view_counts(product) == [0]
    assert pending_views(product_ids=[product.pk]) == {product.pk: 4}


def test_flush_adds_the_counts_exactly_once(api_client):
    viewed, twice, unseen = ProductFactory(), ProductFactory(), ProductFactory()
    Product.objects.filter(pk=viewed.pk).update(view_count=10)
    api_client.get(f"/api/v1/products/{viewed.id}")
    for _ in range(2):
        api_client.get(f"/api/v1/products/{twice.slug}")

    assert flush_product_views.delay().get() == {"products": 2, "views": 3}
    assert view_counts(viewed, twice, unseen) == [11, 2, 0]

    assert product_views_flush() == {"products": 0, "views": 0}
    assert view_counts(viewed, twice, unseen) == [11, 2, 0]

    api_client.get(f"/api/v1/products/{unseen.id}")
    assert product_views_flush() == {"products": 1, "views": 1}
    assert view_counts(viewed, twice, unseen) == [11, 2, 1]
    assert pending_views(product_ids=[viewed.pk, twice.pk, unseen.pk]) == {}


def test_views_counted_while_a_flush_writes_stay_for_the_next(api_client, monkeypatch):
    product = ProductFactory()
    api_client.get(f"/api/v1/products/{product.id}")
    from shop.catalog import views_counter

    real_take = views_counter._take

    def take_then_view(ids):
        taken = real_take(ids)
        views_counter.product_view_count(product_id=product.pk)  # a view lands mid-flush
        return taken

    monkeypatch.setattr(views_counter, "_take", take_then_view)
    assert product_views_flush() == {"products": 1, "views": 1}
    monkeypatch.undo()
    assert product_views_flush() == {"products": 1, "views": 1}
    assert view_counts(product) == [2]


def test_a_failed_write_gives_the_counts_back(api_client, monkeypatch):
    product = ProductFactory()
    api_client.get(f"/api/v1/products/{product.id}")
    monkeypatch.setattr(Product.objects, "filter", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("db down")))

    with pytest.raises(RuntimeError):
        product_views_flush()

    monkeypatch.undo()
    assert product_views_flush() == {"products": 1, "views": 1}
    assert view_counts(product) == [1]


def test_flush_is_scheduled():
    assert settings.CELERY_BEAT_SCHEDULE["catalog-flush-product-views"]["task"] == "catalog.flush_product_views"
