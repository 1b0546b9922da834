from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shop.catalog.models import Category, Product, ProductMedia, ProductStatus
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, IngredientFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/staff/catalog/products"


def product_payload(**overrides):
    brand, category = BrandFactory(), CategoryFactory()
    IngredientFactory(name="Niacinamide")
    return {
        "name": "Pore Refining Serum",
        "sku": "PRS-001",
        "brand": brand.id,
        "category": category.id,
        "product_type": "serum",
        "price": "19.90",
        "compare_at_price": "24.90",
        "skin_types": ["oily", "acne"],
        "concerns": ["pores"],
        "ingredients": [{"ingredient": "niacinamide", "concentration": "10%"}],
        "variants": [{"name": "30 ml", "sku": "PRS-001-30", "price": "19.90"}],
        "status": "active",
        **overrides,
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_staff_may_use_the_staff_api(api_client, auth_client, method):
    assert getattr(api_client, method)(PRODUCTS, {}, format="json").status_code == 401
    response = getattr(auth_client, method)(PRODUCTS, {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "PERMISSION_DENIED"


def test_create_product(staff_client):
    response = staff_client.post(PRODUCTS, product_payload(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["slug"] == "pore-refining-serum"
    assert data["status"] == "active"
    assert data["published_at"] is not None
    assert data["ingredients"][0]["concentration"] == "10%"
    assert data["variants"][0]["sku"] == "PRS-001-30"
    product = Product.objects.get(pk=data["id"])
    assert "Niacinamide" in product.search_document


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "0"}, "price"),
        ({"compare_at_price": "10.00"}, "compare_at_price"),
        ({"skin_types": ["scaly"]}, "skin_types"),
        ({"ingredients": [{"ingredient": "unobtainium"}]}, "ingredients"),
    ],
)
def test_create_rejects_bad_input(staff_client, overrides, field):
    response = staff_client.post(PRODUCTS, product_payload(**overrides), format="json")
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert field in response.json()["errors"]


def test_duplicate_sku_is_400(staff_client):
    ProductFactory(sku="PRS-001")
    response = staff_client.post(PRODUCTS, product_payload(), format="json")
    assert response.status_code == 400
    assert "sku" in response.json()["errors"]


def test_update_and_list_drafts(staff_client):
    product = ProductFactory(status=ProductStatus.DRAFT, published_at=None, stock_quantity=2)
    response = staff_client.patch(f"{PRODUCTS}/{product.id}/", {"price": "12.50", "status": "active"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["price"] == "12.50"
    assert response.json()["data"]["published_at"] is not None
    listed = staff_client.get(PRODUCTS, {"low_stock": "true"}).json()
    assert [p["id"] for p in listed["data"]] == [product.id]
    assert staff_client.get(f"{PRODUCTS}/999999/").json()["code"] == "PRODUCT_NOT_FOUND"


def test_bulk_update_status_featured_and_price(staff_client):
    a = ProductFactory(price=Decimal("10.00"), compare_at_price=Decimal("12.00"))
    b = ProductFactory(price=Decimal("20.00"), status=ProductStatus.DRAFT, published_at=None)
    response = staff_client.post(
        f"{PRODUCTS}/bulk-update/",
        {"ids": [a.id, b.id], "status": "active", "is_featured": True, "price_change_percent": "-10"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["data"] == {"done": [a.id, b.id], "skipped": []}
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.price, a.compare_at_price, a.is_featured) == (Decimal("9.00"), Decimal("10.80"), True)
    assert (b.price, b.status) == (Decimal("18.00"), ProductStatus.ACTIVE)
    assert b.published_at is not None


def test_bulk_update_validation(staff_client):
    product = ProductFactory()
    assert staff_client.post(f"{PRODUCTS}/bulk-update/", {"ids": [product.id]}, format="json").status_code == 400
    response = staff_client.post(
        f"{PRODUCTS}/bulk-update/", {"ids": [product.id], "price_change_percent": "-95"}, format="json"
    )
    assert response.status_code == 400
    response = staff_client.post(f"{PRODUCTS}/bulk-update/", {"ids": [987654], "is_featured": True}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "UNKNOWN_PRODUCTS"


@pytest.mark.parametrize("action", ["bulk-update/", "bulk-delete/"])
def test_bulk_out_of_range_id_is_400_and_changes_nothing(staff_client, action):
    # Fuzzing: an id past the database's integer range reached the query (500 OverflowError on SQLite).
    product = ProductFactory(is_featured=False)
    response = staff_client.post(
        f"{PRODUCTS}/{action}", {"ids": [product.id, 2**70], "is_featured": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and "ids" in response.json()["errors"]
    product.refresh_from_db()  # still there (bulk-delete) and not featured (bulk-update)
    assert product.is_featured is False


def test_bulk_delete_archives_products_that_sold_and_deletes_the_rest(staff_client):
    sold = ProductFactory(sales_count=3, is_featured=True)
    unsold = ProductFactory()
    response = staff_client.post(f"{PRODUCTS}/bulk-delete/", {"ids": [sold.id, unsold.id]}, format="json")
    assert response.json()["data"] == {
        "done": [unsold.id],
        "skipped": [{"id": sold.id, "code": "PRODUCT_ORDERED", "message": "Ordered before: archived, not deleted."}],
    }
    sold.refresh_from_db()
    assert (sold.status, sold.is_featured) == (ProductStatus.ARCHIVED, False)
    assert not Product.objects.filter(pk=unsold.id).exists()


def test_category_crud_and_reorder(staff_client):
    face = CategoryFactory(slug="face")
    response = staff_client.post("/api/v1/staff/catalog/categories", {"name": "Serums", "parent": face.id})
    assert response.status_code == 201, response.json()
    serums = Category.objects.get(pk=response.json()["data"]["id"])
    assert serums.slug == "serums"
    toners = CategoryFactory(parent=face)
    response = staff_client.post(
        "/api/v1/staff/catalog/categories/reorder", {"parent": face.id, "ids": [toners.id, serums.id]}, format="json"
    )
    assert [c["id"] for c in response.json()["data"]] == [toners.id, serums.id]
    assert (
        staff_client.post(
            "/api/v1/staff/catalog/categories/reorder", {"parent": face.id, "ids": [toners.id]}, format="json"
        ).json()["code"]
        == "REORDER_MISMATCH"
    )
    cycle = staff_client.patch(f"/api/v1/staff/catalog/categories/{face.id}", {"parent": serums.id}, format="json")
    assert (cycle.status_code, cycle.json()["code"], list(cycle.json()["errors"])) == (
        400,
        "CATEGORY_CYCLE",
        ["parent"],
    )
    itself = staff_client.patch(f"/api/v1/staff/catalog/categories/{face.id}", {"parent": face.id}, format="json")
    assert (itself.status_code, itself.json()["code"]) == (400, "CATEGORY_CYCLE")
    assert Category.objects.get(pk=face.id).parent_id is None
    not_empty = staff_client.delete(f"/api/v1/staff/catalog/categories/{face.id}")
    assert (not_empty.status_code, not_empty.json()["code"]) == (409, "CATEGORY_NOT_EMPTY")
    assert staff_client.delete(f"/api/v1/staff/catalog/categories/{toners.id}").status_code == 204


def test_image_upload_primary_and_delete(staff_client, image_bytes, api_client):
    product = ProductFactory()
    url = f"{PRODUCTS}/{product.id}/media/"
    files = [
        SimpleUploadedFile("a.png", image_bytes((250, 0, 0)), content_type="image/png"),
        SimpleUploadedFile("b.png", image_bytes((0, 250, 0)), content_type="image/png"),
    ]
    response = staff_client.post(url, {"files": files, "alt_text": "Bottle"}, format="multipart")
    assert response.status_code == 201, response.json()
    first, second = response.json()["data"]
    assert (first["is_primary"], second["is_primary"]) == (True, False)
    assert first["url"] and first["thumbnail"]
    listed = api_client.get("/api/v1/products").json()["data"][0]
    assert listed["image"]["id"] == first["id"]
    staff_client.patch(f"{url}{second['id']}/", {"is_primary": True}, format="json")
    assert ProductMedia.objects.get(is_primary=True).pk == second["id"]
    assert staff_client.delete(f"{url}{second['id']}/").status_code == 204
    assert ProductMedia.objects.get().is_primary is True
    bad = staff_client.post(
        url, {"files": [SimpleUploadedFile("x.png", b"not an image", content_type="image/png")]}, format="multipart"
    )
    assert 400 <= bad.status_code < 500


def test_stock_set_through_the_staff_api_is_recorded(staff_client, staff_user):
    """Every stock level has its history: the opening stock of a new product and of its variants is
    recorded as received, and a PATCH of stock_quantity as one count correction of the difference."""
    from shop.catalog.models import StockAdjustment

    payload = product_payload(stock_quantity=12)
    payload["variants"][0]["stock_quantity"] = 5
    created = staff_client.post(PRODUCTS, payload, format="json")
    assert created.status_code == 201, created.json()
    product = Product.objects.get(pk=created.json()["data"]["id"])
    variant = product.variants.get()
    assert (product.stock_quantity, variant.stock_quantity) == (12, 5)
    opening = StockAdjustment.objects.filter(product=product).order_by("pk")
    assert [
        (a.variant_id, a.delta, a.quantity_before, a.quantity_after, a.reason, a.created_by_id) for a in opening
    ] == [
        (None, 12, 0, 12, "received", staff_user.pk),
        (variant.pk, 5, 0, 5, "received", staff_user.pk),
    ]

    response = staff_client.patch(f"{PRODUCTS}/{product.id}", {"stock_quantity": 7, "price": "18.00"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["stock_quantity"] == 7
    last = StockAdjustment.objects.filter(product=product).latest("pk")
    assert (last.variant_id, last.delta, last.quantity_before, last.quantity_after, last.reason) == (
        None, -5, 12, 7, "count",
    )  # fmt: skip

    unchanged = staff_client.patch(f"{PRODUCTS}/{product.id}", {"stock_quantity": 7}, format="json")
    assert unchanged.status_code == 200
    assert StockAdjustment.objects.filter(product=product).count() == 3  # no change, no record

    refused = staff_client.patch(f"{PRODUCTS}/{product.id}", {"stock_quantity": -1, "price": "1.00"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "STOCK_WOULD_GO_NEGATIVE"
    product.refresh_from_db()
    assert (product.stock_quantity, product.price) == (7, Decimal("18.00"))  # nothing changed
    assert StockAdjustment.objects.filter(product=product).count() == 3
