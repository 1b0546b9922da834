"""A cached product detail in one Redis round trip: the throttle's call reads the product's rendered answers
and counts the view (``skincare.api.cache_prefetch``), and every view is still counted once, of the right
product, and never for a refused or a staff request."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from shop.catalog import services
from shop.catalog.tests.factories import ProductFactory
from shop.catalog.views_counter import pending_views
from skincare.testing import redis_only, round_trips

pytestmark = pytest.mark.django_db

URL = "/api/v1/products"


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def views_of(product):
    return pending_views(product_ids=[product.pk]).get(product.pk, 0)


def test_a_cached_detail_is_one_round_trip_counts_each_view_and_follows_a_change(
    api_client, django_capture_on_commit_callbacks
):
    redis_only()
    product = ProductFactory(price=Decimal("10.00"))
    assert api_client.get(f"{URL}/{product.slug}").status_code == 200  # renders and caches the answer
    assert views_of(product) == 1
    sent, counting = round_trips()
    with counting:
        body = api_client.get(f"{URL}/{product.slug}").json()["data"]
    assert len(sent) == 1, sent  # was 3: the throttle's call, the rendered answers, the view count
    assert body["price"] == "10.00"
    assert views_of(product) == 2
    assert api_client.get(f"{URL}/{product.pk}").status_code == 200  # by id too
    assert views_of(product) == 3

    with django_capture_on_commit_callbacks(execute=True):  # the cached answers are dropped after commit
        services.product_update(product=product, data={"price": Decimal("12.00")})
    assert api_client.get(f"{URL}/{product.slug}").json()["data"]["price"] == "12.00"  # rendered again, counted once
    assert api_client.get(f"{URL}/{product.slug}").json()["data"]["price"] == "12.00"
    assert views_of(product) == 5


def test_views_are_counted_once_per_answer_without_the_joined_count(api_client):
    """The embedded default (no Redis) and a first view count the usual way, once each."""
    product = ProductFactory()
    for _ in range(3):
        assert api_client.get(f"{URL}/{product.slug}").status_code == 200
    assert views_of(product) == 3


def test_a_refused_detail_request_counts_no_view(api_client, throttle_rates):
    throttle_rates(anon="3/min")
    product = ProductFactory()
    statuses = [api_client.get(f"{URL}/{product.slug}").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert views_of(product) == 3


def test_staff_reads_and_other_methods_count_no_view(api_client, staff_client):
    product = ProductFactory()
    assert api_client.get(f"{URL}/{product.slug}").status_code == 200
    assert views_of(product) == 1
    assert staff_client.get(f"{URL}/{product.slug}").status_code == 200
    assert api_client.options(f"{URL}/{product.slug}").status_code == 200
    assert api_client.post(f"{URL}/{product.slug}", {}).status_code == 405
    assert views_of(product) == 1
    assert api_client.head(f"{URL}/{product.slug}").status_code == 200
    assert views_of(product) == 2


def test_a_slug_taken_over_by_another_product_counts_the_product_answered(
    api_client, django_capture_on_commit_callbacks
):
    first = ProductFactory(slug="calm-serum")
    assert api_client.get(f"{URL}/calm-serum").status_code == 200  # this process maps calm-serum to `first`
    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=first, data={"slug": "calm-serum-old"})
    assert api_client.get(f"{URL}/calm-serum-old").status_code == 200  # first's answers are cached again
    second = ProductFactory(slug="calm-serum")

    body = api_client.get(f"{URL}/calm-serum").json()["data"]

    assert body["id"] == second.pk
    assert (views_of(first), views_of(second)) == (2, 1)


@pytest.mark.parametrize("path", [f"{URL}/glow", f"{URL}?sort=price", f"{URL}/search?q=glow"])
def test_cached_answers_keep_their_headers_and_language(api_client, path):
    ProductFactory(slug="glow", name="Glow serum", name_km="សេរ៉ូមភ្លឺ")
    first = api_client.get(path)
    again = api_client.get(path)  # from the cache
    khmer = api_client.get(path, HTTP_ACCEPT_LANGUAGE="km")

    for response in (first, again):
        assert response.status_code == 200
        assert response["Vary"] == "Accept-Language, Authorization, Cookie"
        assert response["Cache-Control"] == "no-cache"
        assert response["Content-Language"] == "en"
    assert (again["ETag"], again["Last-Modified"], again.content) == (
        first["ETag"],
        first["Last-Modified"],
        first.content,
    )
    assert khmer["Content-Language"] == "km" and khmer["ETag"] != first["ETag"]
    assert '"name":"សេរ៉ូមភ្លឺ"' in khmer.content.decode()
    assert '"name":"Glow serum"' in first.content.decode()
