"""Catalog in the back office: the category tree, checkbox and tag widgets instead of raw JSON."""

import pytest
from django.test import Client

from shop.accounts.tests.factories import StaffFactory
from shop.catalog.models import Category, Ingredient
from shop.catalog.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def tree():
    face = CategoryFactory(name="Face", sort_order=2)
    body = CategoryFactory(name="Body", sort_order=1)
    lotion = CategoryFactory(name="Lotion", parent=body, sort_order=1)
    night = CategoryFactory(name="Night lotion", parent=lotion, sort_order=1)
    serum = CategoryFactory(name="Serum", parent=face, sort_order=1, is_active=False)
    return {"face": face, "body": body, "lotion": lotion, "night": night, "serum": serum}


def test_category_list_reads_as_an_indented_tree(admin_client, tree):
    page = admin_client.get("/admin/catalog/category/")

    assert page.status_code == 200
    rows = [(c.name, c.tree_depth) for c in page.context["cl"].result_list]
    assert rows == [("Body", 0), ("Lotion", 1), ("Night lotion", 2), ("Face", 0), ("Serum", 1)]
    assert b'<span class="tree-depth-2" style="padding-left:3.0em">\xe2\x94\x94 Night lotion</span>' in page.content


def test_category_list_query_count_does_not_grow_with_the_tree(admin_client, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin_client.get("/admin/catalog/category/")
    with CaptureQueriesContext(connection) as small:
        admin_client.get("/admin/catalog/category/")
    for n in range(6):
        CategoryFactory(name=f"Extra {n}", parent=tree["night"])
    with CaptureQueriesContext(connection) as large:
        assert admin_client.get("/admin/catalog/category/").context["cl"].result_count == 11
    assert len(large.captured_queries) == len(small.captured_queries)


def test_category_loop_is_refused_in_the_form(admin_client, tree):
    body = tree["body"]
    response = admin_client.post(
        f"/admin/catalog/category/{body.pk}/change/",
        {"name": "Body", "slug": body.slug, "parent": tree["night"].pk, "sort_order": 1, "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    assert Category.objects.get(pk=body.pk).parent_id is None


def test_product_page_offers_checkboxes_and_tags_instead_of_json(admin_client):
    product = ProductFactory(skin_types=["oily", "acne"], concerns=["pores"], key_benefits=["Calms", "Hydrates"])

    page = admin_client.get(f"/admin/catalog/product/{product.pk}/change/")

    html = page.content.decode()
    assert '<input type="checkbox" name="skin_types" value="oily"' in html
    checked = {
        (field, value)
        for field in ("skin_types", "concerns")
        for value in page.context["adminform"].form[field].value()
    }
    assert checked == {("skin_types", "oily"), ("skin_types", "acne"), ("concerns", "pores")}
    assert 'name="key_benefits" value="Calms, Hydrates"' in html


def test_product_form_fields_turn_checks_and_tags_into_lists(admin_client):
    product = ProductFactory()
    form = admin_client.get(f"/admin/catalog/product/{product.pk}/change/").context["adminform"].form

    assert form.fields["key_benefits"].clean(" Calms, , glow,\nCalms ") == ["Calms", "glow"]
    assert form.fields["skin_types"].clean(["dry", "sensitive"]) == ["dry", "sensitive"]
    with pytest.raises(Exception, match="not one of the available choices"):
        form.fields["concerns"].clean(["wrinkles"])


def test_ingredient_added_with_checkboxes_and_tags(admin_client):
    response = admin_client.post(
        "/admin/catalog/ingredient/add/",
        {"name": "Niacinamide", "slug": "niacinamide", "benefits": "brightening, oil control", "concerns": ["acne"]},
    )

    assert response.status_code == 302
    ingredient = Ingredient.objects.get(slug="niacinamide")
    assert (ingredient.benefits, ingredient.concerns) == (["brightening", "oil control"], ["acne"])


def _upload(client, product, *files, **fields):
    return client.post(f"/admin/catalog/product/{product.pk}/photos/", {"files": list(files), **fields})


def test_photos_uploaded_on_the_product_page_join_the_gallery(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop.files.tests.factories import png_bytes

    product = ProductFactory(name="Calm Serum")
    page = admin_client.get(f"/admin/catalog/product/{product.pk}/change/")
    assert f'href="/admin/catalog/product/{product.pk}/photos/"'.encode() in page.content

    response = _upload(
        admin_client,
        product,
        SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("b.png", png_bytes(size=(400, 400)), content_type="image/png"),
        alt_text="Serum bottle",
    )

    assert response.status_code == 302 and response["Location"] == f"/admin/catalog/product/{product.pk}/change/"
    gallery = list(product.media.order_by("sort_order").values_list("alt_text", "is_primary", "file__status"))
    assert [(alt, primary) for alt, primary, _ in gallery] == [("Serum bottle", True), ("Serum bottle", False)]
    follow = admin_client.get(response["Location"])
    assert [m.message for m in follow.context["messages"]] == ["2 photo(s) added to Calm Serum."]


def test_the_same_image_twice_is_added_once_and_said_so(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop.files.tests.factories import png_bytes

    product = ProductFactory()

    response = _upload(
        admin_client,
        product,
        SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("copy.png", png_bytes(), content_type="image/png"),
    )

    assert response.status_code == 302 and product.media.count() == 1
    messages = [(m.level_tag, m.message) for m in admin_client.get(response["Location"]).context["messages"]]
    assert messages == [
        ("success", f"1 photo(s) added to {product.name}."),
        ("warning", "1 photo(s) already in the gallery, not added again."),
    ]


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_added(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop.files.tests.factories import png_bytes

    product = ProductFactory()

    response = _upload(admin_client, product, SimpleUploadedFile("x.png", b"not an image", content_type="image/png"))
    small = _upload(
        admin_client, product, SimpleUploadedFile("s.png", png_bytes(size=(300, 200)), content_type="image/png")
    )

    assert response.status_code == 200 and response.context["form"].errors["files"]
    assert small.context["form"].errors["files"] == ["s.png: The image is 300x200 px; the minimum is 300x300 px."]
    assert product.media.count() == 0


def test_a_moderator_cannot_upload_product_photos():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop.accounts.tests.factories import ModeratorFactory
    from shop.files.tests.factories import png_bytes

    client = Client()
    client.force_login(ModeratorFactory())
    product = ProductFactory()

    response = _upload(client, product, SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"))

    assert response.status_code == 403 and product.media.count() == 0
