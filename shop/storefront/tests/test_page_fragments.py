"""The pages' cached HTML fragments (``shop.storefront.fragments``): each visitor's own CSRF token in
cached forms, and every change a fragment shows visible on the next request."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client

from shop.accounts.tests.factories import StaffFactory, UserFactory
from shop.catalog import services as catalog_services
from shop.catalog.tests.factories import CategoryFactory, ProductFactory
from shop.storefront import fragments

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _tokens(html):
    return TOKEN.findall(html)


def test_cached_forms_carry_each_visitors_own_csrf_token_and_posting_works():
    ProductFactory(slug="cream", stock_quantity=5)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get("/p/cream/")  # fills the cache

    html = second.get("/p/cream/").content.decode()  # from the cache
    again = first.get("/p/cream/").content.decode()

    assert fragments.CSRF_PLACEHOLDER not in html
    assert len(_tokens(html)) == 2  # the language switch and the add-to-cart form
    assert set(_tokens(html)).isdisjoint(_tokens(again))  # masked anew for every answer
    product_id = re.search(r'name="product_id" value="(\d+)"', html).group(1)
    token = _tokens(html)[1]
    added = second.post("/cart/add/", {"product_id": product_id, "quantity": "1", "csrfmiddlewaretoken": token})
    assert added.status_code == 302
    assert first.post("/cart/add/", {"product_id": product_id, "csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_a_signed_in_shoppers_cached_review_forms_carry_their_token(run_on_commit):
    from reviews.models import Review

    product = ProductFactory(slug="reviewed")
    Review.objects.create(
        product=product, user=UserFactory(), rating=5, title="Calm", review_text="Calmer skin.", status="approved"
    )
    catalog_services.product_set_rating(product_id=product.pk, rating_avg=5, review_count=1)
    readers = [Client(), Client()]
    for reader in readers:
        reader.force_login(UserFactory())
    pages = [reader.get("/p/reviewed/").content.decode() for reader in readers * 2]

    for reader, html in zip(readers * 2, pages, strict=True):
        assert 'action="/reviews/' in html  # the vote and report forms
        assert fragments.CSRF_PLACEHOLDER not in html
        secret = reader.cookies["csrftoken"].value
        assert len(_tokens(html)) >= 3 and all(_unmask(token) == secret for token in _tokens(html))


def _unmask(token):
    from django.middleware.csrf import _unmask_cipher_token

    return _unmask_cipher_token(token)


def test_a_price_change_shows_on_the_next_product_page_and_in_related_lists(run_on_commit):
    category = CategoryFactory()
    product = ProductFactory(slug="serum", category=category, price=Decimal("10.00"))
    ProductFactory(slug="toner", category=category, concerns=product.concerns)
    client = Client()
    assert "$10.00" in client.get("/p/serum/").content.decode()
    assert "$10.00" in client.get("/p/toner/").content.decode()  # "You may also like"

    catalog_services.product_update(product=product, data={"price": Decimal("12.50")})

    assert "$12.50" in client.get("/p/serum/").content.decode()
    assert "$12.50" in client.get("/p/toner/").content.decode()


def test_sold_out_and_back_in_stock_show_on_the_next_request(run_on_commit):
    product = ProductFactory(slug="gel", stock_quantity=3)
    client = Client()
    assert "Add to cart" in client.get("/p/gel/").content.decode()

    catalog_services.stock_set(product=product, quantity=0, reason="count", by=StaffFactory())
    html = client.get("/p/gel/").content.decode()
    assert "Add to cart" not in html and "Sold out" in html

    catalog_services.stock_set(product=product, quantity=4, reason="count", by=StaffFactory())
    assert "Add to cart" in client.get("/p/gel/").content.decode()


def test_the_wishlist_state_and_language_are_part_of_the_cached_product_body(shopper_client, run_on_commit):
    ProductFactory(slug="mask", name="Clay Mask", name_km="ម៉ាសដីឥដ្ឋ")
    guest = Client()
    assert "Sign in to save it to your wishlist" in guest.get("/p/mask/").content.decode()
    assert "Save to wishlist" in shopper_client.get("/p/mask/").content.decode()

    shopper_client.post("/wishlist/add/", {"product_id": shopper_client.get("/p/mask/").context["product"]["id"]})
    assert "In your wishlist." in shopper_client.get("/p/mask/").content.decode()
    assert "Sign in to save it to your wishlist" in guest.get("/p/mask/").content.decode()

    guest.post("/i18n/setlang/", {"language": "km", "next": "/"})
    html = guest.get("/p/mask/").content.decode()
    assert "ម៉ាសដីឥដ្ឋ" in html and '<h1 id="product-title">Clay Mask</h1>' not in html


def test_home_sections_follow_the_catalog(run_on_commit):
    product = ProductFactory(name="Plain Toner", is_featured=False)
    client = Client()
    assert "Plain Toner" in client.get("/").content.decode()  # new arrivals
    assert client.get("/").context["featured"] == []

    catalog_services.product_update(product=product, data={"is_featured": True, "name": "Bright Toner"})

    html = client.get("/").content.decode()
    assert "Bright Toner" in html and "Plain Toner" not in html
    assert [item["name"] for item in client.get("/").context["featured"]] == ["Bright Toner"]


def test_a_new_category_shows_in_the_menu_on_the_next_request(run_on_commit):
    ProductFactory()
    client = Client()
    assert "/c/masks/" not in client.get("/").content.decode()

    catalog_services.category_create(name="Masks", slug="masks")

    html = client.get("/p/does-not-exist/").content.decode()  # the 404 page has the menu too
    assert html.count("/c/masks/") == 1
    assert client.get("/").content.decode().count("/c/masks/") == 2  # the menu and "Shop by category"


def test_warm_guest_home_runs_no_statement_and_renders_the_same(client, django_assert_num_queries):
    ProductFactory(is_featured=True)
    cold = client.get("/").content.decode()

    with django_assert_num_queries(0):
        warm = client.get("/").content.decode()

    assert TOKEN.sub("", warm) == TOKEN.sub("", cold)


def test_fragment_tag_keys_on_its_inputs_and_the_language(rf):
    from django.utils import translation

    page = Template('{% load storefront %}{% fragment "t" name %}<p>{{ name }} {{ other }}</p>{% endfragment %}')
    request = rf.get("/")

    assert page.render(Context({"request": request, "name": "a", "other": 1})) == "<p>a 1</p>"
    assert page.render(Context({"request": request, "name": "a", "other": 2})) == "<p>a 1</p>"  # not an input
    assert page.render(Context({"request": request, "name": "b", "other": 2})) == "<p>b 2</p>"
    with translation.override("km"):
        assert page.render(Context({"request": request, "name": "a", "other": 3})) == "<p>a 3</p>"
    assert page.render(Context({"name": "a", "other": 4})) == "<p>a 4</p>"  # no request: not cached


@pytest.mark.parametrize("seconds", [60, 3600])
def test_a_guests_product_page_keeps_its_lists_for_the_product_page_bound(settings, monkeypatch, seconds):
    """The related, similar and bought-together lists a guest's product page caches (under the list version)
    are kept ``PRODUCT_PAGE_LIST_TIMEOUT``; the home page's lists keep the catalog's minute."""
    from django.core.cache import cache, caches
    from django.core.cache.backends.base import DEFAULT_TIMEOUT

    from shop.catalog import cache as catalog_cache

    settings.PRODUCT_PAGE_LIST_TIMEOUT = seconds
    category = CategoryFactory()
    product = ProductFactory(slug="serum", category=category)
    ProductFactory(slug="toner", category=category, concerns=product.concerns)
    timeouts = {}
    backend = type(caches["default"])
    original = backend.set

    def recording(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        timeouts[key] = timeout
        return original(self, key, value, timeout, version=version)

    monkeypatch.setattr(backend, "set", recording)
    cache.clear()
    assert Client().get("/p/serum/").status_code == 200
    assert Client().get("/").status_code == 200

    version = catalog_cache.product_list_version()
    product_page_lists = [
        fragments.fragment_key("product-related", [version, product.pk]),
        catalog_cache.product_list_page_key(f"storefront:related:{product.pk}", [], version),
        *(
            catalog_cache.product_list_page_key(f"ml:widget-html:{kind}:product_page:{product.pk}:en", [], version)
            for kind in ("similar", "bought_together")
        ),
    ]
    assert [timeouts.get(key) for key in product_page_lists] == [seconds] * 4
    popular = catalog_cache.product_list_page_key("ml:widget-html:popular:homepage:all:en", [], version)
    assert timeouts.get(popular) == catalog_cache.LIST_TIMEOUT
