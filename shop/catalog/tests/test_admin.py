import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shop.catalog.models import Product, ProductStatus
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, IngredientFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="boss@example.com", password="pw-Long-enough-1")
    client.force_login(user)
    return client


def test_changelist_with_filters_and_search(admin_client):
    ProductFactory(name="Low Serum", stock_quantity=2)
    ProductFactory(name="Full Serum", stock_quantity=100)
    response = admin_client.get("/admin/catalog/product/", {"stock": "low"})
    assert response.status_code == 200
    assert b"Low Serum" in response.content and b"Full Serum" not in response.content
    response = admin_client.get("/admin/catalog/product/", {"q": "Full"})
    assert b"Full Serum" in response.content and b"Low Serum" not in response.content


def test_change_form_renders_inlines(admin_client):
    product = ProductFactory()
    response = admin_client.get(f"/admin/catalog/product/{product.pk}/change/")
    assert response.status_code == 200
    assert b"media-TOTAL_FORMS" in response.content
    assert b"variants-TOTAL_FORMS" in response.content


def test_bulk_actions(admin_client):
    draft = ProductFactory(status=ProductStatus.DRAFT, published_at=None)
    response = admin_client.post(
        "/admin/catalog/product/", {"action": "make_active", "_selected_action": [draft.pk]}, follow=True
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == ProductStatus.ACTIVE and draft.published_at is not None
    admin_client.post("/admin/catalog/product/", {"action": "feature", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_featured is True


def test_csv_export_then_import_round_trip(admin_client):
    niacinamide = IngredientFactory(name="Niacinamide")
    product = ProductFactory(name="Serum A", sku="A-1", skin_types=["oily"], ingredients=[niacinamide])
    exported = admin_client.get("/admin/catalog/product/export-csv/")
    assert exported.status_code == 200
    text = exported.content.decode()
    assert text.splitlines()[0].startswith("sku,name,name_km,slug,brand")
    assert "A-1,Serum A" in text and "niacinamide" in text
    edited = text.replace("Serum A", "Serum A+").replace(",A-1,", ",A-1,")
    brand, category = BrandFactory(slug="new-brand"), CategoryFactory(slug="new-cat")
    edited += f"B-2,New Toner,,,{brand.slug},{category.slug},toner,9.50,,,4,active,0,all,dryness,niacinamide,,\n"
    upload = SimpleUploadedFile("products.csv", edited.encode())
    response = admin_client.post("/admin/catalog/product/import-csv/", {"file": upload}, follow=True)
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.name == "Serum A+"
    new = Product.objects.get(sku="B-2")
    assert (new.name, str(new.price), new.skin_types, new.status) == ("New Toner", "9.50", ["all"], "active")
    assert "Niacinamide" in new.search_document


def test_csv_import_is_all_or_nothing(admin_client):
    brand, category = BrandFactory(slug="b"), CategoryFactory(slug="c")
    csv_text = (
        "sku,name,brand,category,product_type,price\n"
        f"OK-1,Fine,{brand.slug},{category.slug},serum,5.00\n"
        f"BAD-1,Broken,{brand.slug},{category.slug},serum,0\n"
    )
    upload = SimpleUploadedFile("p.csv", io.BytesIO(csv_text.encode()).getvalue())
    response = admin_client.post("/admin/catalog/product/import-csv/", {"file": upload}, follow=True)
    assert b"Row 3" in response.content
    assert not Product.objects.filter(sku__in=["OK-1", "BAD-1"]).exists()


def test_admin_refuses_a_category_loop(admin_client):
    cleansers = CategoryFactory(name="Cleansers")
    foams = CategoryFactory(name="Foams", parent=cleansers)
    gels = CategoryFactory(name="Gels", parent=foams)
    url = f"/admin/catalog/category/{cleansers.pk}/change/"
    form = {"name": "Cleansers", "slug": cleansers.slug, "sort_order": 1, "is_active": "on"}

    for child in (foams, gels):
        response = admin_client.post(url, {**form, "parent": child.pk})
        assert response.status_code == 200  # the form again, with the error
        assert "would make a loop in the category tree" in response.content.decode()
    cleansers.refresh_from_db()
    assert cleansers.parent_id is None

    moved = admin_client.post(f"/admin/catalog/category/{gels.pk}/change/", {**form, "name": "Gels", "slug": gels.slug})
    assert moved.status_code == 302
    gels.refresh_from_db()
    assert gels.parent_id is None and gels.name == "Gels"
