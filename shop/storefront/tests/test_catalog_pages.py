from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from shop.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    IngredientFactory,
    ProductFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db


def _names(response):
    return [item["name"] for item in response.context["listing"].items]


def test_home_shows_featured_new_and_category_menu(client):
    category = CategoryFactory(name="Serums", slug="serums")
    ProductFactory(name="Glow Serum", category=category, is_featured=True)
    ProductFactory(name="Plain Toner", category=category)

    response = client.get("/")

    assert response.status_code == 200
    assert [item["name"] for item in response.context["featured"]] == ["Glow Serum"]
    assert [item["name"] for item in response.context["new_products"]] == ["Plain Toner", "Glow Serum"]
    html = response.content.decode()
    assert '<a href="/c/serums/">Serums</a>' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "for_skin_type" not in response.context


def test_home_for_a_signed_in_shopper_lists_products_for_their_skin_type(shopper_client):
    ProductFactory(name="Oil Control Gel", skin_types=["oily"])
    ProductFactory(name="Rich Cream", skin_types=["dry"])
    ProductFactory(name="Gentle Wash", skin_types=["all"])

    response = shopper_client.get("/")

    assert sorted(item["name"] for item in response.context["for_skin_type"]) == ["Gentle Wash", "Oil Control Gel"]
    assert "For your skin type: Oily" in response.content.decode()


def test_home_runs_the_same_queries_for_4_or_16_products(client, django_assert_num_queries):
    for _ in range(4):
        ProductFactory(is_featured=True)
    # category tree, featured (+ their images), new (+ their images); ml widget: the stored popular list
    with django_assert_num_queries(6):
        client.get("/")
    for _ in range(12):
        ProductFactory(is_featured=True)
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(6):
        client.get("/")


def test_category_page_lists_the_category_and_its_subcategories(client):
    face = CategoryFactory(name="Face", slug="face")
    serums = CategoryFactory(name="Serums", slug="serums", parent=face)
    other = CategoryFactory(name="Body", slug="body")
    ProductFactory(name="Face Serum", category=serums)
    ProductFactory(name="Face Wash", category=face)
    ProductFactory(name="Body Lotion", category=other)

    response = client.get("/c/face/")

    assert response.status_code == 200
    assert sorted(_names(response)) == ["Face Serum", "Face Wash"]
    assert "2 products" in response.content.decode()


def test_unknown_category_is_the_shop_404_page(client):
    response = client.get("/c/nope/")

    assert response.status_code == 404
    assert "find that page" in response.content.decode()
    assert response.templates[0].name == "404.html"


def test_api_404_keeps_the_json_envelope(client):
    response = client.get("/api/v1/nope-nothing")

    assert response.status_code == 404
    assert response.json()["status"] == "error"


def test_filters_brand_concern_skin_type_price_and_stock_use_the_catalog_filter(client):
    brand = BrandFactory(name="Calm", slug="calm")
    ProductFactory(name="Match", brand=brand, concerns=["acne"], skin_types=["oily"], price=Decimal("12.00"))
    ProductFactory(name="Wrong brand", concerns=["acne"], skin_types=["oily"], price=Decimal("12.00"))
    ProductFactory(name="Too dear", brand=brand, concerns=["acne"], skin_types=["oily"], price=Decimal("40.00"))
    ProductFactory(name="Sold out", brand=brand, concerns=["acne"], skin_types=["oily"], stock_quantity=0)
    ProductFactory(name="Dry only", brand=brand, concerns=["acne"], skin_types=["dry"], price=Decimal("12.00"))

    response = client.get(
        "/search/",
        {"brand": ["calm"], "concern": ["acne", "pores"], "skin_type": "oily", "max_price": "20", "in_stock": "true"},
    )

    assert response.status_code == 200
    assert _names(response) == ["Match"]
    html = response.content.decode()
    assert 'name="brand" value="calm" checked' in html
    assert 'name="concern" value="acne" checked' in html
    assert 'name="skin_type" value="oily" checked' in html


def test_ingredient_filter_and_sorting_by_price(client):
    niacinamide = IngredientFactory(name="Niacinamide")
    ProductFactory(name="Cheap", price=Decimal("5.00"), ingredients=[niacinamide])
    ProductFactory(name="Dear", price=Decimal("25.00"), ingredients=[niacinamide])
    ProductFactory(name="Other", price=Decimal("1.00"))

    response = client.get("/search/", {"ingredient": "niacinamide", "sort": "-price"})

    assert _names(response) == ["Dear", "Cheap"]


def test_ingredient_exclusion(client):
    fragrance = IngredientFactory(name="Fragrance")
    niacinamide = IngredientFactory(name="Niacinamide")
    ProductFactory(name="Scented", ingredients=[fragrance, niacinamide])
    ProductFactory(name="Unscented", ingredients=[niacinamide])

    response = client.get("/search/", {"ingredient": "niacinamide", "exclude_ingredient": "fragrance"})

    assert _names(response) == ["Unscented"]
    assert '<option value="fragrance" selected>' in response.content.decode()


def test_bad_filter_values_answer_400_with_the_reason(client):
    ProductFactory()

    response = client.get("/search/", {"concern": "wrinkles", "min_price": "-3"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown value(s): wrinkles." in html
    assert "min_price" in html
    assert response.context["listing"].items == []


def test_pagination_keeps_the_filters(client):
    brand = BrandFactory(slug="calm")
    for _ in range(25):
        ProductFactory(brand=brand)

    first = client.get("/search/", {"brand": "calm", "sort": "name"})
    second = client.get("/search/", {"brand": "calm", "sort": "name", "page": "2"})

    assert len(first.context["listing"].items) == 24
    assert "?brand=calm&amp;sort=name&amp;page=2" in first.content.decode()
    assert len(second.context["listing"].items) == 1
    assert "Page 2 of 2" in second.content.decode()


def test_search_finds_by_name_and_shows_alternatives_when_nothing_matches(client):
    ProductFactory(name="Vitamin C Serum", is_featured=True)
    ProductFactory(name="Clay Mask")

    found = client.get("/search/", {"q": "vitamin"})
    nothing = client.get("/search/", {"q": "zzzqqq"})

    assert _names(found) == ["Vitamin C Serum"]
    assert "Results for “vitamin”" in found.content.decode()
    assert _names(nothing) == []
    html = nothing.content.decode()
    assert "No products match." in html
    assert [item["name"] for item in nothing.context["alternatives"]] == ["Vitamin C Serum"]


def test_search_suggests_brands_and_ingredients_when_no_product_matches(client):
    BrandFactory(name="Rosewater Lab", slug="rosewater-lab")
    ProductFactory(name="Cleanser")

    response = client.get("/search/", {"q": "rosewater", "in_stock": "false"})

    assert _names(response) == []
    assert '<a href="/search/?brand=rosewater-lab">Rosewater Lab</a>' in response.content.decode()


def test_category_page_queries_do_not_grow_with_the_products(client, django_assert_num_queries):
    category = CategoryFactory(slug="face")
    for _ in range(3):
        ProductFactory(category=category)
    with django_assert_num_queries(6):
        client.get("/c/face/")
    for _ in range(20):
        ProductFactory(category=category)
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(6):
        client.get("/c/face/")


def test_product_page_shows_variants_ingredients_usage_and_fit(client):
    niacinamide = IngredientFactory(name="Niacinamide")
    product = ProductFactory(
        name="Pore Serum",
        slug="pore-serum",
        skin_types=["oily", "combination"],
        how_to_use="Two drops after cleansing.",
        usage_time="pm",
        ingredients=[niacinamide],
    )
    product.product_ingredients.update(concentration="10%")
    ProductVariantFactory(product=product, name="30 ml", price=Decimal("14.00"))

    response = client.get("/p/pore-serum/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="product-title">Pore Serum</h1>' in html
    assert "30 ml — $14.00" in html
    assert '<th scope="row">Niacinamide</th><td></td><td>10%</td>' in html
    assert "When: Evening" in html
    assert "Two drops after cleansing." in html
    assert "<li>Oily</li><li>Combination</li>" in html
    assert 'action="/cart/add/"' in html
    assert "No reviews yet." in html


def test_sold_out_product_offers_the_wishlist_instead_of_the_cart(shopper_client):
    ProductFactory(slug="gone", stock_quantity=0)

    html = shopper_client.get("/p/gone/").content.decode()

    assert "Sold out" in html
    assert 'action="/cart/add/"' not in html
    assert "Save to wishlist and hear when it is back" in html


def test_draft_product_is_404(client):
    ProductFactory(slug="draft-one", status="draft", published_at=None)

    assert client.get("/p/draft-one/").status_code == 404


def test_product_page_queries_are_constant(client, django_assert_num_queries):
    product = ProductFactory(slug="p1")
    ProductFactory(category=product.category)
    ProductVariantFactory(product=product, name="10 ml", sku="V-10")
    # + ml widgets: the stored similar list, the bought-together aggregate
    with django_assert_num_queries(15):
        client.get("/p/p1/")
    for index in range(6):
        ProductVariantFactory(product=product, name=f"{index} ml", sku=f"V-{index}")
        ProductFactory(category=product.category)
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(15):
        client.get("/p/p1/")


def test_khmer_names_with_english_fallback(client):
    category = CategoryFactory(name="Serums", name_km="សេរ៉ូម", slug="serums")
    ProductFactory(name="Glow Serum", name_km="សេរ៉ូមភ្លឺ", slug="glow", category=category)
    ProductFactory(name="Plain Toner", name_km="", slug="plain", category=category)

    client.post("/i18n/setlang/", {"language": "km", "next": "/"})
    html = client.get("/c/serums/").content.decode()

    assert '<html lang="km">' in html
    assert "សេរ៉ូមភ្លឺ" in html
    assert "Plain Toner" in html
    assert '<a href="/c/serums/">សេរ៉ូម</a>' in html
    assert ">ស្វែងរក</button>" in html  # "Search", from the compiled km catalogue
    assert "ផលិតផល 2" in html  # "2 products"
    translation.activate("en")


def test_sold_out_sign_up_puts_the_product_on_the_wishlist(shopper_client, shopper):
    from shop.wishlist.models import WishlistItem

    product = ProductFactory(slug="gone-soon", stock_quantity=0)

    response = shopper_client.post("/wishlist/add/", {"product_id": product.pk, "next": "/p/gone-soon/"}, follow=True)

    assert list(WishlistItem.objects.filter(user=shopper).values_list("product_id", flat=True)) == [product.pk]
    assert "In your wishlist." in response.content.decode()


def test_a_server_error_on_a_shop_page_is_the_shop_500_page(monkeypatch):
    from django.test import Client

    from shop.storefront import selectors

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "home_sections", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="typo tolerance needs PostgreSQL (pg_trgm)")
def test_search_with_a_typo_finds_the_product_and_offers_the_spelling(client):
    niacinamide = IngredientFactory(name="Niacinamide")
    ProductFactory(name="Niacinamide Pore Serum", ingredients=[niacinamide])
    ProductFactory(name="Rich Night Cream")

    response = client.get("/search/", {"q": "niacinamde"})

    assert _names(response) == ["Niacinamide Pore Serum"]
    assert response.context["did_you_mean"] == "niacinamide"
    assert 'Did you mean <a href="/search/?q=niacinamide">niacinamide</a>?' in response.content.decode()


def test_product_and_category_pages_are_cached_and_refreshed_by_the_catalog_services(
    client, run_on_commit, django_assert_num_queries
):
    from shop.catalog.services import product_update

    category = CategoryFactory(slug="face")
    product = ProductFactory(name="Toner", slug="toner", category=category, price=Decimal("10.00"))
    client.get("/p/toner/")
    client.get("/c/face/")

    # none: views are counted in the cache; the product payload, the review summary and list, the
    # questions and journals, related products and a guest's recommendation widgets come from the cache
    with django_assert_num_queries(0):
        client.get("/p/toner/")
    with django_assert_num_queries(0):  # a guest without a cart: menu, filters and listing all from the cache
        client.get("/c/face/")
    product_update(product=product, data={"price": Decimal("12.50"), "name": "Toner Plus"})

    assert "$12.50" in client.get("/p/toner/").content.decode()
    assert [item["name"] for item in client.get("/c/face/").context["listing"].items] == ["Toner Plus"]


@pytest.mark.parametrize(
    ("method", "path", "data", "status"),
    [
        ("get", "/search/", {"q": "ser\x00um"}, 400),
        ("get", "/c/face/", {"brand": "a\x00"}, 400),
        ("get", "/account/orders/SK%00X/", {}, 404),
        ("post", "/cart/coupon/", {"code": "SAVE\x00"}, 400),
    ],
)
def test_text_postgresql_cannot_store_is_refused_before_any_query(client, method, path, data, status):
    response = getattr(client, method)(path, data)

    assert response.status_code == status
    if status == 400:
        assert "contains characters we cannot read" in response.content.decode()


def test_product_page_shows_the_size(client):
    ProductFactory(slug="sized", size_amount=Decimal("30.00"), size_unit="ml")
    ProductFactory(slug="half", size_amount=Decimal("7.50"), size_unit="g")
    ProductFactory(slug="unsized")

    assert '<p class="size">Size: 30 ml</p>' in client.get("/p/sized/").content.decode()
    assert '<p class="size">Size: 7.50 g</p>' in client.get("/p/half/").content.decode()
    assert 'class="size"' not in client.get("/p/unsized/").content.decode()
    client.cookies["django_language"] = "km"
    assert "ទំហំ៖ 30 ml" in client.get("/p/sized/", HTTP_ACCEPT_LANGUAGE="km").content.decode()


def test_cached_listing_fragments_follow_prices_names_brands_language_and_filters(client, run_on_commit):
    """The category page's product grid and filter form are cached HTML: a price, a name, a brand
    or a language shows at once, and each choice of filters gets its own form."""
    from shop.catalog.services import brand_update, product_update

    brand = BrandFactory(name="Alpha", slug="alpha")
    category = CategoryFactory(name="Face", name_km="មុខ", slug="face")
    product = ProductFactory(name="Toner", name_km="ទឹកថ្នាំ", category=category, brand=brand, price=Decimal("10.00"))
    html = client.get("/c/face/").content.decode()
    assert "$10.00" in html and ">Alpha</label>" in html

    product_update(product=product, data={"price": Decimal("12.50"), "name": "Toner Plus"})
    html = client.get("/c/face/").content.decode()
    assert "$12.50" in html and "Toner Plus" in html and "$10.00" not in html

    brand_update(brand=brand, data={"name": "Alpha Lab"})
    html = client.get("/c/face/").content.decode()
    assert ">Alpha Lab</label>" in html and ">Alpha</label>" not in html

    checked = client.get("/c/face/", {"brand": "alpha"}).content.decode()
    assert 'value="alpha" checked>Alpha Lab</label>' in checked
    assert 'value="alpha" checked>' not in client.get("/c/face/").content.decode()

    client.cookies["django_language"] = "km"
    khmer = client.get("/c/face/", HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "ទឹកថ្នាំ" in khmer and "Toner Plus" not in khmer
