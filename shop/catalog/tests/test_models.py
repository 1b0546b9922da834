from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from shop.catalog.models import Category, Product, ProductMedia, ProductVariant
from shop.catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def _violates(constraint_name, func, *, sqlite_message=None):
    """``func`` fails on exactly this constraint (not any CHECK or UNIQUE), on SQLite and PostgreSQL.
    SQLite names CHECK constraints in its message; for a UNIQUE one it names the columns (``sqlite_message``)."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        func()
    if connection.vendor == "postgresql":
        assert excinfo.value.__cause__.diag.constraint_name == constraint_name
    else:
        assert str(excinfo.value) == (sqlite_message or f"CHECK constraint failed: {constraint_name}")


def test_price_must_be_positive():
    product = ProductFactory()
    _violates("catalog_product_price_gt_0", lambda: Product.objects.filter(pk=product.pk).update(price=0))


def test_compare_at_price_cannot_be_below_price():
    product = ProductFactory(price=Decimal("10.00"))
    _violates(
        "catalog_product_compare_at_gte_price",
        lambda: Product.objects.filter(pk=product.pk).update(compare_at_price=Decimal("9.99")),
    )
    Product.objects.filter(pk=product.pk).update(compare_at_price=Decimal("10.00"))


def test_negative_stock_needs_backorders():
    product = ProductFactory()
    _violates(
        "catalog_product_stock_gte_0_unless_backorders",
        lambda: Product.objects.filter(pk=product.pk).update(stock_quantity=-1),
    )
    Product.objects.filter(pk=product.pk).update(stock_quantity=-1, allow_backorders=True)


def test_active_product_needs_published_at():
    product = ProductFactory()
    unpublish = lambda: Product.objects.filter(pk=product.pk).update(published_at=None)  # noqa: E731
    _violates("catalog_product_active_has_published_at", unpublish)


def test_variant_price_must_be_positive():
    _violates("catalog_variant_price_gt_0", lambda: ProductVariantFactory(price=Decimal("0")))


def test_cost_price_cannot_be_negative():
    product = ProductFactory()
    _violates("catalog_product_cost_gte_0", lambda: Product.objects.filter(pk=product.pk).update(cost_price=-1))


def test_rating_between_0_and_5():
    product = ProductFactory()
    _violates("catalog_product_rating_0_5", lambda: Product.objects.filter(pk=product.pk).update(rating_avg=6))


def test_blank_barcodes_do_not_clash_but_real_ones_do():
    ProductFactory(barcode="")
    ProductFactory(barcode="")
    ProductFactory(barcode="885000000001")
    _violates(
        "catalog_product_barcode_uniq",
        lambda: ProductFactory(barcode="885000000001"),
        sqlite_message="UNIQUE constraint failed: catalog_product.barcode",
    )


def test_one_primary_image_per_product(django_user_model):
    from shop.files.models import UploadedFile

    product = ProductFactory()

    def file(n):
        return UploadedFile.objects.create(
            context="product", file=f"k{n}.jpg", original_filename="a.jpg", size=10, mime_type="image/jpeg",
            extension="jpg", media_type="image", sha256=f"{n:064d}", status="active",
        )  # fmt: skip

    ProductMedia.objects.create(product=product, file=file(1), is_primary=True)
    ProductMedia.objects.create(product=product, file=file(2), is_primary=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductMedia.objects.create(product=product, file=file(3), is_primary=True)


def test_full_clean_rejects_unknown_skin_types_and_concerns():
    product = ProductFactory.build(
        brand=ProductFactory().brand, category=CategoryFactory(), skin_types=["oily", "scaly"], concerns=["wrinkles"]
    )
    with pytest.raises(ValidationError) as excinfo:
        product.full_clean()
    assert set(excinfo.value.message_dict) == {"skin_types", "concerns"}


def test_discount_and_stock_properties():
    product = ProductFactory.build(price=Decimal("8.00"), compare_at_price=Decimal("10.00"), stock_quantity=0)
    assert product.discount_percent == 20
    assert product.in_stock is False
    product.allow_backorders = True
    assert product.in_stock is True
    assert product.currency == "USD"


def test_category_parent_check_walks_the_stored_tree():
    from shop.catalog.services import category_parent_check
    from skincare.errors import ApplicationError

    top = CategoryFactory(name="Cleansers")
    child = CategoryFactory(parent=top)
    grandchild = CategoryFactory(parent=child)
    other = CategoryFactory()

    for parent in (top, child, grandchild):
        with pytest.raises(ApplicationError) as refused:
            category_parent_check(category=top, parent=parent)
        assert refused.value.error_code == "CATEGORY_CYCLE" and list(refused.value.errors) == ["parent"]
    category_parent_check(category=top, parent=other)
    category_parent_check(category=top, parent=None)

    # a loop already stored (two rows pointing at each other) does not hang the check
    Category.objects.filter(pk=other.pk).update(parent=grandchild)
    Category.objects.filter(pk=top.pk).update(parent=other)
    with pytest.raises(ApplicationError):
        category_parent_check(category=child, parent=other)
    category_parent_check(category=CategoryFactory(), parent=other)


def test_variant_negative_stock_needs_backorders():
    variant = ProductVariantFactory(stock_quantity=2)
    _violates(
        "catalog_variant_stock_gte_0_unless_backorders",
        lambda: ProductVariant.objects.filter(pk=variant.pk).update(stock_quantity=-1),
    )
    ProductVariant.objects.filter(pk=variant.pk).update(stock_quantity=-1, allow_backorders=True)
