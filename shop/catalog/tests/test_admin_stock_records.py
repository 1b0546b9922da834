"""Every stock change made from the admin leaves a ``StockAdjustment``: variant rows on the product
page show their stock and link to "Adjust stock"; a new variant's opening stock and the CSV import
go through the same service (reasons "received" and "import")."""

import io

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from shop.catalog.models import Product, ProductVariant, StockAdjustment
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(email="stock@example.com", password="pw-Long-enough-1")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _post_data(page):
    """The change form as the browser would submit it unchanged: every form of the page, its
    inlines' management forms, each field's rendered value."""
    data, all_forms = {}, [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        all_forms += list(inline.formset.forms)
    for form in all_forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            if isinstance(field, forms.BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            rendered = field.widget.format_value(field.prepare_value(value))
            if rendered is not None:
                data[form.add_prefix(name)] = rendered
    return data


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_variant_row_shows_its_stock_and_links_to_the_recorded_adjustment(admin_client):
    product = ProductFactory()
    variant = ProductVariantFactory(product=product, name="50 ml", stock_quantity=7)

    page = admin_client.get(f"/admin/catalog/product/{product.pk}/change/")

    row = page.context["inline_admin_formsets"][1].formset.forms[0]
    assert row.fields["stock_quantity"].disabled is True
    assert f"/admin/catalog/product/{product.pk}/stock/?variant={variant.pk}" in page.content.decode()
    adjust = admin_client.get(f"/admin/catalog/product/{product.pk}/stock/?variant={variant.pk}")
    assert adjust.context["form"]["variant"].value() == str(variant.pk)


def test_a_stock_typed_into_a_variant_row_is_ignored_and_nothing_is_recorded(admin_client):
    product = ProductFactory()
    variant = ProductVariantFactory(product=product, name="50 ml", stock_quantity=7)
    data = _post_data(admin_client.get(f"/admin/catalog/product/{product.pk}/change/"))
    data["variants-0-stock_quantity"] = "40"
    data["variants-0-name"] = "50 ml travel"

    response = admin_client.post(f"/admin/catalog/product/{product.pk}/change/", data)

    assert response.status_code == 302, response.context and response.context["errors"]
    variant.refresh_from_db()
    assert (variant.name, variant.stock_quantity) == ("50 ml travel", 7)
    assert not StockAdjustment.objects.exists()


def test_a_new_variant_opening_stock_is_recorded_as_received(admin_client, admin_user):
    product = ProductFactory()
    data = _post_data(admin_client.get(f"/admin/catalog/product/{product.pk}/change/"))
    data.update({
        "variants-TOTAL_FORMS": "1", "variants-0-kind": "size", "variants-0-name": "100 ml",
        "variants-0-sku": "NEW-100", "variants-0-price": "12.00", "variants-0-stock_quantity": "15",
        "variants-0-sort_order": "0", "variants-0-is_active": "on",
    })  # fmt: skip

    response = admin_client.post(f"/admin/catalog/product/{product.pk}/change/", data)

    assert response.status_code == 302
    variant = ProductVariant.objects.get(sku="NEW-100")
    assert variant.stock_quantity == 15
    fields = ("variant_id", "delta", "quantity_before", "quantity_after", "reason")
    rows = list(StockAdjustment.objects.values_list(*fields))
    assert rows == [(variant.pk, 15, 0, 15, "received")]
    assert StockAdjustment.objects.get().created_by == admin_user


def test_a_negative_opening_stock_is_refused_with_a_message_and_nothing_changes(admin_client):
    product = ProductFactory(allow_backorders=False)
    data = _post_data(admin_client.get(f"/admin/catalog/product/{product.pk}/change/"))
    data.update({
        "variants-TOTAL_FORMS": "1", "variants-0-kind": "size", "variants-0-name": "100 ml",
        "variants-0-sku": "NEG-100", "variants-0-price": "12.00", "variants-0-stock_quantity": "-3",
        "variants-0-sort_order": "0",
    })  # fmt: skip

    response = admin_client.post(f"/admin/catalog/product/{product.pk}/change/", data)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][1].formset.errors
    assert errors == [{"stock_quantity": ["Stock cannot be negative unless the product takes backorders."]}]
    assert not ProductVariant.objects.filter(sku="NEG-100").exists()
    assert not StockAdjustment.objects.exists()


def test_variant_stock_adjusted_from_its_link_is_recorded(admin_client, admin_user):
    product = ProductFactory()
    variant = ProductVariantFactory(product=product, name="50 ml", stock_quantity=7)

    response = admin_client.post(
        f"/admin/catalog/product/{product.pk}/stock/",
        {"variant": variant.pk, "delta": "-2", "reason": "damaged", "note": "Crushed in transit"},
    )

    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.stock_quantity == 5
    assert list(StockAdjustment.objects.values_list("variant_id", "delta", "quantity_after", "reason", "note")) == [
        (variant.pk, -2, 5, "damaged", "Crushed in transit")
    ]
    assert _messages(response) == [f"Stock of {product.name} – 50 ml: 7 → 5 (-2, Damaged)."]


def test_removing_more_variant_stock_than_there_is_is_refused_with_a_clear_message(admin_client):
    product = ProductFactory(allow_backorders=False)
    variant = ProductVariantFactory(product=product, name="50 ml", stock_quantity=3)

    response = admin_client.post(
        f"/admin/catalog/product/{product.pk}/stock/", {"variant": variant.pk, "delta": "-5", "reason": "lost"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"delta": ["At most 3 can be removed."]}
    variant.refresh_from_db()
    assert variant.stock_quantity == 3
    assert not StockAdjustment.objects.exists()


# --- CSV import ---------------------------------------------------------------

HEADER = "sku,name,brand,category,product_type,price,stock_quantity\n"


def _import(client, text):
    upload = SimpleUploadedFile("products.csv", io.BytesIO(text.encode()).getvalue())
    return client.post("/admin/catalog/product/import-csv/", {"file": upload})


def test_import_records_one_adjustment_per_changed_stock_and_none_when_unchanged(admin_client, admin_user):
    brand, category = BrandFactory(slug="b"), CategoryFactory(slug="c")
    more = ProductFactory(sku="MORE", brand=brand, category=category, stock_quantity=4)
    same = ProductFactory(sku="SAME", brand=brand, category=category, stock_quantity=9)
    fewer = ProductFactory(sku="FEWER", brand=brand, category=category, stock_quantity=6)
    blank = ProductFactory(sku="BLANK", brand=brand, category=category, stock_quantity=2)
    text = HEADER + (
        "MORE,More,b,c,serum,5.00,10\nSAME,Same,b,c,serum,5.00,9\nFEWER,Fewer,b,c,serum,5.00,1\n"
        "BLANK,Blank,b,c,serum,5.00,\nNEW,Brand new,b,c,serum,5.00,12\n"
    )

    response = _import(admin_client, text)

    assert response.status_code == 302
    stocks = dict(Product.objects.values_list("sku", "stock_quantity"))
    assert stocks == {"MORE": 10, "SAME": 9, "FEWER": 1, "BLANK": 2, "NEW": 12}
    new = Product.objects.get(sku="NEW")
    rows = set(
        StockAdjustment.objects.values_list("product_id", "delta", "quantity_before", "quantity_after", "reason")
    )
    assert rows == {
        (more.pk, 6, 4, 10, "import"),
        (fewer.pk, -5, 6, 1, "import"),
        (new.pk, 12, 0, 12, "import"),
    }
    assert set(StockAdjustment.objects.values_list("created_by", flat=True)) == {admin_user.pk}
    assert not StockAdjustment.objects.filter(product__in=[same, blank]).exists()
    assert _messages(response) == [
        "Imported: 1 created, 4 updated; stock changed for 3 product(s), each recorded as a stock adjustment "
        "(reason: import)."
    ]

    again = _import(admin_client, text)  # the same file twice changes nothing more

    assert again.status_code == 302
    assert StockAdjustment.objects.count() == 3


def test_an_import_going_below_zero_is_refused_whole(admin_client):
    brand, category = BrandFactory(slug="b"), CategoryFactory(slug="c")
    ok = ProductFactory(sku="OK", brand=brand, category=category, stock_quantity=4, allow_backorders=False)
    ProductFactory(sku="NEG", brand=brand, category=category, stock_quantity=4, allow_backorders=False)

    response = _import(admin_client, HEADER + "OK,Ok,b,c,serum,5.00,8\nNEG,Neg,b,c,serum,5.00,-1\n")

    assert response.status_code == 200
    assert any(m.startswith("Row 3: Only 4 in stock: cannot remove 5.") for m in _messages(response))
    ok.refresh_from_db()
    assert ok.stock_quantity == 4
    assert dict(Product.objects.values_list("sku", "stock_quantity")) == {"OK": 4, "NEG": 4}
    assert not StockAdjustment.objects.exists()
