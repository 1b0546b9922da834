import pytest

from shop.catalog.tests.conftest import postgres_only
from shop.catalog.tests.factories import BrandFactory, IngredientFactory, ProductFactory

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/products/search"


def ids(response):
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["data"]]


@pytest.fixture
def shop():
    niacinamide = IngredientFactory(name="Niacinamide", inci_name="Niacinamide", name_km="នីអាស៊ីណាមីត")
    zinc = IngredientFactory(name="Zinc oxide", inci_name="Zinc Oxide")
    lotus = BrandFactory(name="Lotus Lab", slug="lotus-lab")
    return {
        "serum": ProductFactory(
            name="Lotus Lab Niacinamide 10% Serum",
            name_km="សេរ៉ូម នីអាស៊ីណាមីត",
            brand=lotus,
            concerns=["pores", "oiliness"],
            ingredients=[niacinamide],
        ),
        "sunscreen": ProductFactory(
            name="Daily Mineral Sunscreen SPF50",
            product_type="sunscreen",
            name_km="ឡេការពារកម្តៅថ្ងៃ",
            description="A light, invisible sunscreen for sensitive skin.",
            ingredients=[zinc],
        ),
        "cleanser": ProductFactory(
            name="Gentle Cream Cleanser", product_type="cleanser", description="Removes sunscreen and make-up."
        ),
    }


def test_search_requires_q(api_client):
    response = api_client.get(SEARCH)
    assert response.status_code == 400
    assert response.json()["code"] == "SEARCH_QUERY_REQUIRED"


@pytest.mark.parametrize("q", ["((", "\u00a0\u00bb\u00b1(", "-- !"])
def test_search_for_punctuation_only_finds_nothing(api_client, shop, q):
    # Fuzzing: a query without a word used to build an empty When() condition (500 on SQLite).
    assert ids(api_client.get(SEARCH, {"q": q})) == []
    assert ids(api_client.get("/api/v1/products", {"q": q, "sort": "relevance"})) == []


def test_search_by_name_brand_and_ingredient_words(api_client, shop):
    assert ids(api_client.get(SEARCH, {"q": "serum"})) == [shop["serum"].id]
    assert ids(api_client.get(SEARCH, {"q": "lotus"})) == [shop["serum"].id]
    assert ids(api_client.get(SEARCH, {"q": "zinc oxide"})) == [shop["sunscreen"].id]
    assert ids(api_client.get("/api/v1/products", {"q": "niacinamide", "sort": "price"})) == [shop["serum"].id]


def test_name_match_ranks_above_description_match(api_client, shop):
    assert ids(api_client.get(SEARCH, {"q": "sunscreen"})) == [shop["sunscreen"].id, shop["cleanser"].id]


def test_khmer_names(api_client, shop):
    assert ids(api_client.get(SEARCH, {"q": "នីអាស៊ីណាមីត"})) == [shop["serum"].id]
    assert ids(api_client.get(SEARCH, {"q": "ឡេការពារ"})) == [shop["sunscreen"].id]


def test_drafts_never_match(api_client, shop):
    ProductFactory(name="Secret Niacinamide Toner", status="draft", published_at=None)
    assert ids(api_client.get(SEARCH, {"q": "niacinamide"})) == [shop["serum"].id]


@postgres_only
@pytest.mark.postgres
@pytest.mark.parametrize(
    ("typo", "key"), [("niacinimide", "serum"), ("sunscrean", "sunscreen"), ("lotus labb", "serum")]
)
def test_typos_still_find_the_product(api_client, shop, typo, key):
    assert ids(api_client.get(SEARCH, {"q": typo}))[0] == shop[key].id


@postgres_only
@pytest.mark.postgres
def test_concern_words_match_with_lower_weight(api_client, shop):
    assert ids(api_client.get(SEARCH, {"q": "pores"})) == [shop["serum"].id]


def test_suggestions(api_client, shop):
    data = api_client.get("/api/v1/products/search/suggestions", {"q": "nia"}).json()["data"]
    assert [p["id"] for p in data["products"]] == [shop["serum"].id]
    assert [i["slug"] for i in data["ingredients"]] == ["niacinamide"]
    assert data["brands"] == []
    empty = api_client.get("/api/v1/products/search/suggestions").json()["data"]
    assert empty == {"products": [], "brands": [], "ingredients": []}


@postgres_only
@pytest.mark.postgres
def test_suggestions_offer_a_close_spelling(api_client, shop):
    data = api_client.get("/api/v1/products/search/suggestions", {"q": "niacinimide"}).json()["data"]
    assert [i["slug"] for i in data["ingredients"]] == ["niacinamide"]


@postgres_only
@pytest.mark.postgres
def test_search_counts_its_matches_once(api_client, shop, django_assert_num_queries):
    """A cold search reads the page's ids with the total in one statement (the items come from the
    per-product cache, or 2 more queries: rows and images); a typo adds one statement that finds
    nothing, and is corrected without a query."""
    from django.core.cache import cache

    cache.clear()
    ids(api_client.get(SEARCH, {"q": "minerl"}))  # warm the category tree and the spelling vocabulary
    with django_assert_num_queries(3):  # ids and total, then the items not cached yet: rows, images
        response = api_client.get(SEARCH, {"q": "sunscreen", "per_page": 5})
    assert response.json()["meta"]["total"] == 2  # the sunscreen by name, the cleanser by description
    with django_assert_num_queries(2):  # nothing for "sunscrean", then ids and total for "sunscreen"
        response = api_client.get(SEARCH, {"q": "sunscrean"})
    assert ids(response)[0] == shop["sunscreen"].pk and response.json()["meta"]["total"] == 2
    with django_assert_num_queries(1):  # another page size of the same search: total and items are cached
        assert len(ids(api_client.get(SEARCH, {"q": "sunscreen", "per_page": 1}))) == 1
    with django_assert_num_queries(2):  # the cached total of a corrected search: its words first, then the fix
        response = api_client.get(SEARCH, {"q": "sunscrean", "per_page": 1})
    assert ids(response) == [shop["sunscreen"].pk] and response.json()["meta"]["total"] == 2
    assert ids(api_client.get(SEARCH, {"q": "sunscrean", "per_page": 1, "page": 2})) == [shop["cleanser"].pk]
    assert api_client.get(SEARCH, {"q": "sunscrean", "page": 2}).status_code == 404  # past the end
    assert api_client.get(SEARCH, {"q": "sunscreen", "page": 2}).status_code == 404
    nothing = api_client.get(SEARCH, {"q": "qqqqxx"})
    assert ids(nothing) == [] and nothing.json()["meta"]["total"] == 0
    assert api_client.get(SEARCH, {"q": "qqqqxx", "page": 2}).status_code == 404


def _typos(word):
    out = []
    for i in range(1, len(word) - 1):
        out += [word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:]]
        out.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


VOCABULARY = sorted(
    {
        *"niacinamide serum serums sera sunscreen sunscreens cleanser cleansing toner tone tonic".split(),
        *"retinol retinal ceramide ceramides barrier hyaluronic acid acids vitamin centella asiatica".split(),
        *"zinc oxide mineral minerals gentle cream creams lotus lab labs night daily glow peptide".split(),
        *"peptides essence mask masks".split(),
        *"café crème sérum".split(),  # non-ASCII words: ties with them are left to PostgreSQL
    }
)


@postgres_only
@pytest.mark.postgres
def test_python_spelling_correction_is_what_pg_trgm_answers():
    """The vocabulary's trigram index picks, for every typed word, the word PostgreSQL's
    ``similarity`` picks (threshold, single-precision scores and ties included)."""
    from django.db import connection

    from shop.catalog import search

    typed = sorted(
        {t for word in VOCABULARY for t in _typos(word)}
        | {"spf50", "a", "ab", "xyz", "zzzzzzz", "niacin", "serumm", "tonr", "lab5", "cafe", "creme", "sérun"}
    )
    with connection.cursor() as cursor:
        cursor.execute(search._CORRECTION_SQL, [typed, VOCABULARY, search.TRIGRAM_THRESHOLD])
        expected = dict(cursor.fetchall())
    index = search.VocabularyIndex(VOCABULARY)
    answered = {word: index.closest(word) for word in typed}
    left_to_postgres = {word for word, closest in answered.items() if closest is NotImplemented}
    assert left_to_postgres >= {word for word in typed if not word.isascii()}
    assert len(left_to_postgres) < len(typed) / 10
    for word in set(typed) - left_to_postgres:
        assert answered[word] == expected.get(word), word
    assert len(expected) > 300  # most typos are corrected: the comparison is not vacuous


@postgres_only
@pytest.mark.postgres
def test_spelling_correction_runs_no_query_once_the_vocabulary_is_read(shop, django_assert_num_queries):
    from django.core.cache import cache

    from shop.catalog import search

    cache.clear()
    search._vocabulary_memo["index"] = None
    assert search.correct_spelling("niacinimide serrum") == "niacinamide serum"  # reads the vocabulary
    with django_assert_num_queries(0):
        assert search.correct_spelling("sunscrean") == "sunscreen"
        assert search.correct_spelling("Lotus labb") == "lotus lab"
