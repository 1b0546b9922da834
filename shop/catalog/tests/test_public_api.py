from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.catalog.models import ProductStatus
from shop.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    IngredientFactory,
    ProductFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/products"


def ids(response):
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["data"]]


def test_list_shows_only_active_products_newest_first(api_client):
    old = ProductFactory(published_at=timezone.now() - timedelta(days=3))
    new = ProductFactory()
    ProductFactory(status=ProductStatus.DRAFT, published_at=None)
    ProductFactory(status=ProductStatus.ARCHIVED)
    response = api_client.get(URL)
    assert ids(response) == [new.id, old.id]
    body = response.json()
    assert body["status"] == "success"
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 2, "total_pages": 1}
    item = body["data"][0]
    assert item["price"] == "10.00"
    assert item["currency"] == "USD"
    assert item["brand"] == {"id": new.brand.id, "name": new.brand.name, "slug": new.brand.slug}
    assert item["image"] is None
    assert "cost_price" not in item


def test_category_filter_includes_descendants(api_client):
    face = CategoryFactory(slug="face")
    serums = CategoryFactory(slug="serums", parent=face)
    vitamin_c = CategoryFactory(slug="vitamin-c", parent=serums)
    other = CategoryFactory(slug="body")
    a, b, c = ProductFactory(category=face), ProductFactory(category=serums), ProductFactory(category=vitamin_c)
    ProductFactory(category=other)
    assert sorted(ids(api_client.get(URL, {"category": "face"}))) == [a.id, b.id, c.id]
    assert sorted(ids(api_client.get(URL, {"category": "serums"}))) == [b.id, c.id]
    assert ids(api_client.get(URL, {"category": str(vitamin_c.id)})) == [c.id]
    for unknown in ("nope", "999999"):
        response = api_client.get(URL, {"category": unknown})
        assert response.status_code == 400
        body = response.json()
        assert (body["code"], body["errors"]) == ("VALIDATION_ERROR", {"category": [f"Unknown category '{unknown}'."]})
    assert sorted(ids(api_client.get(f"/api/v1/categories/{serums.slug}/products"))) == [b.id, c.id]
    assert api_client.get("/api/v1/categories/nope/products").json()["code"] == "CATEGORY_NOT_FOUND"


def test_brand_skin_type_concern_and_ingredient_filters(api_client):
    cosrx = BrandFactory(slug="cosrx")
    niacinamide = IngredientFactory(name="Niacinamide")
    retinol = IngredientFactory(name="Retinol")
    oily = ProductFactory(brand=cosrx, skin_types=["oily", "acne"], concerns=["pores"], ingredients=[niacinamide])
    everyone = ProductFactory(skin_types=["all"], concerns=["dryness"], ingredients=[retinol])
    dry = ProductFactory(skin_types=["dry"], concerns=["dryness", "aging"])
    assert ids(api_client.get(URL, {"brand": "cosrx"})) == [oily.id]
    assert sorted(ids(api_client.get(URL, {"skin_type": "oily"}))) == sorted([oily.id, everyone.id])
    assert sorted(ids(api_client.get(URL, {"skin_type": "acne"}))) == sorted([oily.id, everyone.id])
    assert ids(api_client.get(URL, {"skin_type": "all"})) == [everyone.id]
    assert sorted(ids(api_client.get(URL, {"concern": "dryness"}))) == sorted([everyone.id, dry.id])
    assert sorted(ids(api_client.get(URL, {"concern": "pores,aging"}))) == sorted([oily.id, dry.id])
    assert ids(api_client.get(URL, {"ingredient": "niacinamide"})) == [oily.id]
    assert sorted(ids(api_client.get(URL, {"ingredient": "niacinamide,retinol"}))) == sorted([oily.id, everyone.id])
    by_type = api_client.get("/api/v1/products/by-skin-type/dry")
    assert sorted(ids(by_type)) == sorted([everyone.id, dry.id])
    assert sorted(ids(api_client.get(URL, {"exclude_ingredient": "retinol"}))) == sorted([oily.id, dry.id])
    assert ids(api_client.get(URL, {"exclude_ingredient": "retinol,niacinamide"})) == [dry.id]


def test_price_stock_featured_and_rating_filters(api_client):
    cheap = ProductFactory(price=Decimal("5.00"), stock_quantity=0, rating_avg=Decimal("4.60"))
    mid = ProductFactory(price=Decimal("15.00"), is_featured=True, rating_avg=Decimal("3.90"))
    dear = ProductFactory(price=Decimal("40.00"), stock_quantity=0, allow_backorders=True)
    assert ids(api_client.get(URL, {"min_price": "10", "max_price": "20"})) == [mid.id]
    assert sorted(ids(api_client.get(URL, {"in_stock": "true"}))) == sorted([mid.id, dear.id])
    assert ids(api_client.get(URL, {"in_stock": "false"})) == [cheap.id]
    assert ids(api_client.get(URL, {"featured": "true"})) == [mid.id]
    assert ids(api_client.get("/api/v1/products/featured")) == [mid.id]
    assert ids(api_client.get(URL, {"min_rating": "4.5"})) == [cheap.id]


def test_sorting(api_client):
    a = ProductFactory(price=Decimal("20.00"), rating_avg=Decimal("4.00"), sales_count=5)
    b = ProductFactory(price=Decimal("10.00"), rating_avg=Decimal("4.80"), sales_count=1)
    c = ProductFactory(price=Decimal("30.00"), rating_avg=Decimal("3.00"), sales_count=50)
    assert ids(api_client.get(URL, {"sort": "price"})) == [b.id, a.id, c.id]
    assert ids(api_client.get(URL, {"sort": "-price"})) == [c.id, a.id, b.id]
    assert ids(api_client.get(URL, {"sort": "rating"})) == [b.id, a.id, c.id]
    assert ids(api_client.get(URL, {"sort": "popularity"})) == [c.id, a.id, b.id]
    assert ids(api_client.get(URL, {"sort": "newest"})) == [c.id, b.id, a.id]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"skin_type": "scaly"}, "skin_type"),
        ({"concern": "acne,wrinkles"}, "concern"),
        ({"concern": "100%,acne"}, "concern"),  # fuzzing: a % in the value used to crash django-filter
        ({"skin_type": "%s%d"}, "skin_type"),
        ({"min_price": "abc"}, "min_price"),
        ({"min_price": "-1"}, "min_price"),
        ({"min_rating": "6"}, "min_rating"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "zero"}, "per_page"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_query_values_are_400_with_the_envelope(api_client, params, field):
    ProductFactory()
    response = api_client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert body["code"] == "VALIDATION_ERROR"
    assert field in body["errors"]


def test_unknown_page_is_404(api_client):
    assert api_client.get(URL, {"page": "9"}).status_code == 404
    assert api_client.get("/api/v1/products/by-skin-type/scaly").json()["code"] == "INVALID_SKIN_TYPE"


def test_list_query_count_does_not_grow_with_page_size(api_client, django_assert_num_queries, django_db_setup):
    from shop.catalog import selectors

    for _ in range(30):
        product = ProductFactory(concerns=["acne"], skin_types=["oily"])
        ProductVariantFactory(product=product)
    selectors.category_nodes()  # warm the category cache like a running server
    filters = {"sort": "price", "skin_type": "oily", "concern": "acne", "in_stock": "1"}
    with django_assert_num_queries(3):  # the page's ids with the total, then its items: rows, primary images
        response = api_client.get(URL, {"per_page": 1, **filters})
    assert len(response.json()["data"]) == 1
    for per_page in (10, 30):
        with django_assert_num_queries(3):  # ids (the total is cached per filter), the items not cached yet
            response = api_client.get(URL, {"per_page": per_page, **filters})
        assert len(response.json()["data"]) == per_page
        assert response.json()["meta"]["total"] == 30
    with django_assert_num_queries(1):  # the same page again: ids and total, kept from now on
        api_client.get(URL, {"per_page": 30, **filters})
    with django_assert_num_queries(0):  # and again: from the cache
        again = api_client.get(URL, {"per_page": 30, **filters})
    assert again.json() == response.json()
    with django_assert_num_queries(1):  # another order of the same products: ids and total, items cached
        reordered = api_client.get(URL, {**filters, "per_page": 30, "sort": "-price"})
    assert reordered.json()["data"] == list(reversed(response.json()["data"]))
    assert reordered.json()["meta"]["total"] == 30


def test_detail_by_slug_and_id_with_constant_queries(api_client, django_assert_max_num_queries):
    niacinamide = IngredientFactory(name="Niacinamide")
    product = ProductFactory(name="Glow Serum", slug="glow-serum", ingredients=[niacinamide])
    for n in range(3):
        ProductVariantFactory(product=product, name=f"{n + 1}0 ml")
    from shop.catalog import selectors

    selectors.category_nodes()
    with django_assert_max_num_queries(4):  # product, media, variants, ingredients (views count in the cache)
        response = api_client.get("/api/v1/products/glow-serum")
    data = response.json()["data"]
    assert data["id"] == product.id
    assert [v["name"] for v in data["variants"]] == ["10 ml", "20 ml", "30 ml"]
    assert data["ingredients"][0]["slug"] == "niacinamide"
    assert data["breadcrumbs"] == [
        {"id": product.category.id, "name": product.category.name, "name_km": "", "slug": product.category.slug}
    ]
    assert api_client.get(f"/api/v1/products/{product.id}").json()["data"]["slug"] == "glow-serum"


def test_drafts_are_invisible_to_shoppers_but_visible_to_staff(api_client, auth_client, staff_client):
    draft = ProductFactory(status=ProductStatus.DRAFT, published_at=None, slug="secret")
    for client in (api_client, auth_client):
        response = client.get("/api/v1/products/secret")
        assert response.status_code == 404
        assert response.json()["code"] == "PRODUCT_NOT_FOUND"
        assert ids(client.get(URL)) == []
    assert staff_client.get("/api/v1/products/secret").json()["data"]["id"] == draft.id


def test_detail_records_a_view(api_client):
    from shop.catalog.tasks import flush_product_views

    product = ProductFactory()
    api_client.get(f"/api/v1/products/{product.id}")
    api_client.get(f"/api/v1/products/{product.slug}")
    flush_product_views.delay()
    product.refresh_from_db()
    assert product.view_count == 2


def test_related_products_prefer_the_same_category(api_client):
    serums = CategoryFactory()
    product = ProductFactory(category=serums, concerns=["acne"])
    same_category = ProductFactory(category=serums, rating_avg=Decimal("3.00"))
    same_concern = ProductFactory(concerns=["acne", "pores"], rating_avg=Decimal("5.00"))
    ProductFactory(concerns=["dryness"])
    ProductFactory(category=serums, status=ProductStatus.DRAFT, published_at=None)
    response = api_client.get(f"/api/v1/products/{product.id}/related")
    assert [item["id"] for item in response.json()["data"]] == [same_category.id, same_concern.id]


def test_category_tree_is_nested_and_sorted(api_client, django_assert_max_num_queries):
    face = CategoryFactory(name="Face", slug="face", sort_order=2)
    body = CategoryFactory(name="Body", slug="body", sort_order=1)
    toners = CategoryFactory(name="Toners", slug="toners", parent=face, sort_order=2)
    cleansers = CategoryFactory(name="Cleansers", slug="cleansers", parent=face, sort_order=1)
    CategoryFactory(name="Hidden", slug="hidden", parent=face, is_active=False)
    CategoryFactory(name="Under hidden", slug="under-hidden", parent=CategoryFactory(is_active=False))
    response = api_client.get("/api/v1/categories")
    tree = response.json()["data"]
    assert [node["slug"] for node in tree] == ["body", "face"]
    assert [child["id"] for child in tree[1]["children"]] == [cleansers.id, toners.id]
    assert tree[0]["id"] == body.id and tree[0]["children"] == []
    with django_assert_max_num_queries(0):
        api_client.get("/api/v1/categories")


def test_brands_list(api_client):
    BrandFactory(name="Zeta", slug="zeta")
    BrandFactory(name="Alpha", slug="alpha")
    BrandFactory(name="Gone", slug="gone", is_active=False)
    assert [b["slug"] for b in api_client.get("/api/v1/brands").json()["data"]] == ["alpha", "zeta"]


def test_products_carry_their_size_in_the_list_and_the_detail(api_client, django_assert_max_num_queries):
    sized = ProductFactory(slug="sized-serum", size_amount=Decimal("30"), size_unit="ml")
    unsized = ProductFactory(slug="no-size")
    from shop.catalog import selectors

    selectors.category_nodes()
    with django_assert_max_num_queries(3):  # the size is a column of the list query: no extra query
        listed = {item["slug"]: item for item in api_client.get(URL).json()["data"]}
    assert listed["sized-serum"]["size"] == {"amount": "30.00", "unit": "ml"}
    assert listed["no-size"]["size"] is None
    with django_assert_max_num_queries(4):
        detail = api_client.get("/api/v1/products/sized-serum").json()["data"]
    assert detail["size"] == {"amount": "30.00", "unit": "ml"}
    assert api_client.get(f"/api/v1/products/{unsized.pk}").json()["data"]["size"] is None
    assert sized.pk in ids(api_client.get(URL))
