import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.catalog.models import ProductMedia
from shop.catalog.tests.factories import CategoryFactory, IngredientFactory, ProductFactory
from shop.files.tests.factories import UploadedFileFactory

pytestmark = pytest.mark.django_db

KM = {"HTTP_ACCEPT_LANGUAGE": "km"}


def with_image(product, key):
    file = UploadedFileFactory(
        context="product",
        is_public=True,
        file=f"uploads/products/{key}.jpg",
        thumbnails={"small": f"uploads/products/{key}-small.jpg", "medium": f"uploads/products/{key}-medium.jpg"},
    )
    ProductMedia.objects.create(product=product, file=file, is_primary=True, alt_text="Bottle", alt_text_km="ដប")
    return product


def test_a_khmer_request_gets_khmer_names_and_english_where_none_is_written(api_client):
    category = CategoryFactory(name="Serums", name_km="សេរ៉ូម")
    ProductFactory(slug="glow", name="Glow serum", name_km="សេរ៉ូមភ្លឺថ្លា", category=category, sales_count=2)
    ProductFactory(slug="plain", name="Plain toner", name_km="", category=category, sales_count=1)

    response = api_client.get("/api/v1/products/?sort=popularity", **KM)

    assert response["Content-Language"] == "km"
    items = response.json()["data"]
    assert [(item["name"], item["name_km"]) for item in items] == [("សេរ៉ូមភ្លឺថ្លា", "សេរ៉ូមភ្លឺថ្លា"), ("Plain toner", "")]
    assert items[0]["category"]["name"] == "សេរ៉ូម"
    english = api_client.get("/api/v1/products/?sort=popularity").json()["data"]
    assert [item["name"] for item in english] == ["Glow serum", "Plain toner"]  # the cached page is shared


def test_a_khmer_request_gets_khmer_detail_texts_categories_and_suggestions(api_client):
    category = CategoryFactory(name="Serums", name_km="សេរ៉ូម")
    product = ProductFactory(
        slug="glow",
        name="Glow serum",
        name_km="សេរ៉ូមភ្លឺថ្លា",
        description="Bright.",
        description_km="ភ្លឺ។",
        category=category,
    )
    with_image(product, "glow")
    IngredientFactory(name="Niacinamide", name_km="នីយ៉ាស៊ីណាមីដ")

    detail = api_client.get("/api/v1/products/glow/", **KM).json()["data"]
    tree = api_client.get("/api/v1/categories/", **KM).json()["data"]
    suggestions = api_client.get("/api/v1/products/search/suggestions/?q=Glow", **KM).json()["data"]
    ingredients = api_client.get("/api/v1/products/search/suggestions/?q=Niacin", **KM).json()["data"]

    assert (detail["name"], detail["description"], detail["category"]["name"]) == ("សេរ៉ូមភ្លឺថ្លា", "ភ្លឺ។", "សេរ៉ូម")
    assert [crumb["name"] for crumb in detail["breadcrumbs"]] == ["សេរ៉ូម"]
    assert detail["image"]["alt_text"] == "ដប"
    assert [node["name"] for node in tree] == ["សេរ៉ូម"]
    assert [item["name"] for item in suggestions["products"]] == ["សេរ៉ូមភ្លឺថ្លា"]
    assert [item["name"] for item in ingredients["ingredients"]] == ["នីយ៉ាស៊ីណាមីដ"]


def test_staff_editing_endpoints_show_what_is_stored(staff_client):
    product = ProductFactory(name="Glow serum", name_km="សេរ៉ូមភ្លឺថ្លា")
    data = staff_client.get(f"/api/v1/staff/catalog/products/{product.pk}/", **KM).json()["data"]
    assert (data["name"], data["name_km"]) == ("Glow serum", "សេរ៉ូមភ្លឺថ្លា")


def test_khmer_error_and_validation_messages(api_client):
    missing = api_client.get("/api/v1/products/no-such-thing/", **KM)
    search = api_client.get("/api/v1/products/search/", **KM)
    unauthenticated = api_client.get("/api/v1/orders", **KM)
    invalid = api_client.post("/api/v1/auth/verify-email", {"email": "a@example.com"}, format="json", **KM)

    assert (missing.status_code, missing.json()["message"]) == (404, "រកមិនឃើញផលិតផលនេះទេ។")
    assert search.json()["errors"] == {"q": ["ត្រូវតែបំពេញវាលនេះ។"]}
    assert (unauthenticated.status_code, unauthenticated.json()["message"]) == (
        401,
        "មិនបានផ្ដល់ព័ត៌មានផ្ទៀងផ្ទាត់អត្តសញ្ញាណទេ។",
    )
    assert invalid.json()["errors"] == {"code": ["ត្រូវតែបំពេញវាលនេះ។"]}
    english = api_client.get("/api/v1/products/no-such-thing/")
    assert (english["Content-Language"], english.json()["message"]) == ("en", "Product not found.")


def test_catalog_image_urls_are_absolute_with_every_thumbnail_size(api_client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "shop.example.com"]
    product = with_image(ProductFactory(slug="glow"), "glow")
    base = "http://testserver/media/uploads/products/glow"
    expected = {
        "url": f"{base}.jpg",
        "thumbnail": f"{base}-small.jpg",
        "thumbnails": {"medium": f"{base}-medium.jpg", "small": f"{base}-small.jpg"},
    }

    listed = api_client.get("/api/v1/products/").json()["data"][0]["image"]
    again = api_client.get("/api/v1/products/", HTTP_HOST="shop.example.com").json()["data"][0]["image"]  # cached page
    detail = api_client.get("/api/v1/products/glow/").json()["data"]
    related = ProductFactory(category=product.category)
    related_image = api_client.get(f"/api/v1/products/{related.pk}/related/").json()["data"][0]["image"]
    suggestion = api_client.get("/api/v1/products/search/suggestions/?q=Product").json()["data"]["products"]

    assert {key: listed[key] for key in expected} == expected
    assert again["url"] == "http://shop.example.com/media/uploads/products/glow.jpg"
    assert {key: detail["image"][key] for key in expected} == expected
    assert [{key: m[key] for key in expected} for m in detail["media"]] == [expected]
    assert {key: related_image[key] for key in expected} == expected
    images = {item["id"]: item["image"] for item in suggestion}
    assert images[product.pk]["url"] == f"{base}.jpg" and images[related.pk] is None


def test_suggestion_images_take_one_query_whatever_the_number(api_client):
    def queries(count):
        for number in range(count):
            with_image(ProductFactory(name=f"Glow {count}-{number}"), f"g{count}-{number}")
        with CaptureQueriesContext(connection) as captured:
            data = api_client.get(f"/api/v1/products/search/suggestions/?q=Glow {count}-").json()["data"]
        assert len(data["products"]) == count and all(item["image"] for item in data["products"])
        return len(captured)

    assert queries(1) == queries(4) == 4  # products, brands, ingredients, images
