"""The product lists' ids statement (``list_ids.ProductIdsStatement``, built by ``ProductFilter.filter_statement``)
answers exactly as the ORM path it replaces (``filter_queryset`` and the ids paginator on the view's queryset),
over a grid of paths, filters, sorts and pages, on SQLite and PostgreSQL."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from shop.catalog import apis, filters, list_ids
from shop.catalog import cache as catalog_cache
from shop.catalog.filters import SORTS, ProductFilter
from shop.catalog.models import Product, ProductStatus, ProductType
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, IngredientFactory, ProductFactory

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/products",
    "/api/v1/categories/face/products",
    "/api/v1/categories/serums/products",
    "/api/v1/products/by-skin-type/dry",
    "/api/v1/products/by-skin-type/all",
    "/api/v1/products/featured",
]
FILTERS = [
    {},
    {"category": "face"},
    {"category": "vitamin-c"},
    {"brand": "cosrx"},
    {"brand": ["cosrx", "lotus-lab"]},
    {"brand": "cosrx,other", "skin_type": "oily"},
    {"skin_type": "oily"},
    {"skin_type": "all"},
    {"concern": "acne"},
    {"concern": ["acne", "pores"]},
    {"ingredient": "niacinamide"},
    {"ingredient": "niacinamide,retinol"},
    {"exclude_ingredient": "retinol"},
    {"exclude_ingredient": ["retinol", "zinc"], "ingredient": "niacinamide"},
    {"product_type": "serum"},
    {"min_price": "10"},
    {"max_price": "25.50"},
    {"min_price": "0", "max_price": "20"},
    {"min_rating": "4"},
    {"min_rating": "0"},
    {"in_stock": "true"},
    {"in_stock": "0"},
    {"featured": "true"},
    {"featured": "false", "sensitive_skin": "1"},
    {"sensitive_skin": "false", "in_stock": "1", "concern": "dryness"},
    {"brand": "cosrx", "min_price": "1000"},  # nothing
    {"brand": "nobody"},  # nothing: an unknown brand is not an error
    {"q": ""},  # a blank search is no search
    {"category": "serums", "skin_type": "dry", "min_rating": "2.5", "max_price": "40", "product_type": "toner"},
]
SORT_VALUES = [None, "relevance", *SORTS]
PAGINGS = [{}, {"per_page": "5"}, {"page": "2", "per_page": "5"}, {"page": "3", "per_page": "7"}, {"page": "99"}]
# Words (full text, ranked higher in the name), a misspelt word (corrected), words that only the names' trigrams
# match (0.8 and 0.4 word similarity), nothing, Khmer, punctuation, websearch syntax.
SEARCHES = ["retinol", "product", "retinl", "Product Q", "Prdt", "zzzz qqqq", "សេរ៉ូម", "!!", '"product a" -zinc']
BAD = [
    {"min_price": "abc"},
    {"max_price": "-1"},
    {"min_rating": "7"},
    {"concern": "nope"},
    {"category": "nope"},
    {"category": "hidden"},
    {"skin_type": "purple"},
    {"product_type": "null"},
    {"in_stock": "maybe"},
    {"sort": "bogus"},
    {"per_page": "0"},
    {"per_page": "abc"},
    {"page": "abc"},
    {"page": "0"},
    {"brand": "x" * 501},
]


@pytest.fixture
def catalog():
    """Thirty-odd products that tell every filter and sort apart, with ties (names, dates, prices) that only
    the sorts' last key (the id) orders, drafts and archived products that no list shows."""
    face = CategoryFactory(slug="face")
    serums = CategoryFactory(slug="serums", parent=face)
    vitamin_c = CategoryFactory(slug="vitamin-c", parent=serums)
    body = CategoryFactory(slug="body")
    hidden = CategoryFactory(slug="hidden", is_active=False)
    brands = [BrandFactory(slug="cosrx"), BrandFactory(slug="lotus-lab"), BrandFactory(slug="other")]
    ingredients = [IngredientFactory(name=name) for name in ("Niacinamide", "Retinol", "Zinc")]
    categories = [face, serums, vitamin_c, body, hidden]
    skin_types = [["all"], ["oily", "acne"], ["dry"], ["dry", "sensitive"], ["oily"]]
    concerns = [[], ["acne"], ["pores", "dryness"], ["dryness"], ["acne", "aging"], ["pores"]]
    types = [ProductType.SERUM, ProductType.TONER, ProductType.CLEANSER]
    now = timezone.now()
    for n in range(36):
        ProductFactory(
            name=f"{'Retinol ' if n % 5 == 4 else ''}Product {'ABCDEFG'[n % 7]}",  # ranks: in the name or not
            category=categories[n % 5],
            brand=brands[n % 3],
            product_type=types[n % 3],
            price=Decimal(f"{5 + n * 7 % 40}.{n * 13 % 100:02d}") if n % 6 else Decimal("20.00"),
            rating_avg=Decimal(n * 7 % 51) / 10,
            review_count=n % 4,
            sales_count=n * 5 % 9,
            published_at=now - timedelta(hours=n % 5) if n % 9 != 8 else None,
            skin_types=skin_types[n % 5],
            concerns=concerns[n % 6],
            stock_quantity=[0, 3, 0, 10][n % 4],
            track_inventory=n % 7 != 3,
            allow_backorders=n % 5 == 2,
            is_featured=n % 4 == 1,
            suitable_for_sensitive_skin=n % 3 == 0,
            status=ProductStatus.DRAFT
            if n % 9 == 8
            else ProductStatus.ARCHIVED
            if n % 13 == 12
            else ProductStatus.ACTIVE,
            ingredients=ingredients[: n % 4],
        )


def _answer(client, url):
    catalog_cache.invalidate_product_lists()  # no page, total or answer cached by the other path
    response = client.get(url)
    return response.status_code, response.content


def _urls():
    for index, query in enumerate(FILTERS):
        for path in PATHS:
            sort = SORT_VALUES[(index + len(path)) % len(SORT_VALUES)]
            paging = PAGINGS[(index + len(path) // 3) % len(PAGINGS)]
            yield f"{path}?{urlencode({**query, **({'sort': sort} if sort else {}), **paging}, doseq=True)}"
    for query in BAD:
        for path in (PATHS[0], PATHS[1], "/api/v1/categories/nope/products", "/api/v1/products/by-skin-type/x"):
            yield f"{path}?{urlencode(query)}"
    for sort in SORT_VALUES:
        for paging in PAGINGS:
            yield f"{PATHS[0]}?{urlencode({**({'sort': sort} if sort else {}), **paging})}"
    for index, q in enumerate(SEARCHES):
        for path in ("/api/v1/products/search", PATHS[0], PATHS[2]):
            query = FILTERS[(index * 5 + len(path)) % len(FILTERS)]
            sort = SORT_VALUES[(index + len(path)) % len(SORT_VALUES)]
            paging = PAGINGS[index % len(PAGINGS)]
            yield f"{path}?{urlencode({**query, 'q': q, **({'sort': sort} if sort else {}), **paging}, doseq=True)}"
            yield f"{path}?{urlencode({'q': q})}"


def test_list_answers_as_the_orm_path_over_a_grid_of_filters_sorts_and_pages(
    api_client, catalog, monkeypatch, throttle_rates
):
    throttle_rates(anon="100000/min", user="100000/min")
    statements = []
    rows = list_ids.ProductIdsStatement._rows
    monkeypatch.setattr(
        list_ids.ProductIdsStatement,
        "_rows",
        lambda self, sql, params: statements.append(sql) or rows(self, sql, params),
    )
    new = {url: _answer(api_client, url) for url in _urls()}
    used = len(statements)
    for view in (apis.ProductListApi, apis.CategoryProductsApi, apis.ProductBySkinTypeApi, apis.ProductFeaturedApi):
        monkeypatch.setattr(view, "ids_statement", lambda self: None)  # the ORM path, as before
    orm = {url: _answer(api_client, url) for url in _urls()}
    assert len(statements) == used > 150  # the statement answered the first round, not the second
    different = [url for url in new if new[url] != orm[url]]
    assert different == [], [(url, new[url], orm[url]) for url in different[:2]]
    for query in BAD:  # every bad value is a 4xx in the envelope, on every path
        for url in [url for url in new if url.endswith("?" + urlencode(query))]:
            status, content = new[url]
            assert status in (400, 404) and b'"status":"error"' in content, (url, status)
    if connection.vendor == "postgresql":  # searches too: the words, corrected words, the names' trigrams
        assert any("websearch_to_tsquery" in sql and "ts_rank" in sql for sql in statements)
        assert any("WORD_SIMILARITY" in sql for sql in statements)
    statuses = sorted({status for status, _ in new.values()})
    assert statuses == [200, 400, 404]
    assert sum(status == 200 and b'"total":0' in content for status, content in new.values()) >= 10  # empty lists


@pytest.mark.parametrize("base", ["listed", "category", "skin_type", "featured"])
def test_statement_ids_and_totals_match_the_orm_for_every_filter_and_sort(catalog, base):
    from shop.catalog import selectors

    listed = selectors.product_listed_queryset()
    bases = {
        "listed": (listed, list_ids.ProductIdsStatement),
        "category": (
            listed.filter(category_id__in=selectors.category_descendant_ids(selectors.category_get("serums")["id"])),
            lambda: list_ids.ProductIdsStatement().category_in(
                selectors.category_descendant_ids(selectors.category_get("serums")["id"])
            ),
        ),
        "skin_type": (
            selectors.products_for_skin_type(listed, "sensitive"),
            lambda: list_ids.ProductIdsStatement().skin_type("sensitive"),
        ),
        "featured": (listed.filter(is_featured=True), lambda: list_ids.ProductIdsStatement().featured(True)),
    }
    queryset, statement = bases[base]
    compared = 0
    for query in FILTERS:
        for sort in SORT_VALUES:
            data = QueryDict(urlencode({**query, **({"sort": sort} if sort else {})}, doseq=True))
            filterset = ProductFilter(data=data, queryset=queryset)
            assert filterset.is_valid(), filterset.errors
            expected = list(filterset.qs.values_list("pk", flat=True))
            ids = filterset.filter_statement(statement())
            assert ids.page_ids(0, 100) == expected, (query, sort)
            assert ids.count() == len(expected)
            assert ids.page_rows_with_total(3, 8) == [(pk, len(expected)) for pk in expected[3:8]]
            compared += bool(expected)
    assert compared > len(FILTERS) * len(SORT_VALUES) // 2
    assert Product.objects.exclude(status=ProductStatus.ACTIVE).exists()


def test_the_grid_covers_every_filter_and_sort():
    used = {name for query in FILTERS for name in query}
    assert used == set(ProductFilter.base_filters) - {"sort"}
    assert set(SORT_VALUES) - {None} == set(SORTS)
    assert set(ProductFilter.STATEMENT_FILTERS) == {
        name
        for name, filter_ in ProductFilter.base_filters.items()
        if filter_.method not in (None, "filter_noop", "filter_q")
    }
    assert filters.DEFAULT_SORT in SORTS


def test_a_search_the_statement_cannot_make_takes_the_orm_path(catalog):
    from shop.catalog.pagination import ListTotal

    def statement(query, total):
        filterset = ProductFilter(data=QueryDict(query), queryset=Product.objects.all(), total=total)
        assert filterset.is_valid()
        return filterset.filter_statement(list_ids.ProductIdsStatement())

    assert statement("q=serum", None) is None  # no shared total: search_products counts its matches
    assert statement("q=%E1%9E%9F%E1%9F%81", ListTotal()) is None  # Khmer
    assert isinstance(statement("min_price=1", None), list_ids.ProductIdsStatement)
    searched = statement("q=serum", ListTotal())
    assert (searched is None) == (connection.vendor != "postgresql")
