"""Variant stock: the database constraint's backorder flag follows the product; restocking a
sold-out variant (a recorded adjustment) announces ``product_back_in_stock``."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from shop.catalog import services
from shop.catalog.admin import ProductVariantInline
from shop.catalog.models import Product, ProductVariant
from shop.catalog.tests.factories import ProductFactory, ProductVariantFactory
from skincare import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_in_stock(run_on_commit):
    received = []

    def receiver(sender, product, **kwargs):
        received.append(product.pk)

    events.product_back_in_stock.connect(receiver, dispatch_uid="test-variant-back-in-stock")
    yield received
    events.product_back_in_stock.disconnect(dispatch_uid="test-variant-back-in-stock")


def test_variants_follow_the_products_backorder_flag():
    product = ProductFactory(allow_backorders=True)
    variant = services.product_variant_create(product=product, name="30 ml", sku="V-30", price="9.00", stock_quantity=0)
    assert variant.allow_backorders is True
    ProductVariant.objects.filter(pk=variant.pk).update(stock_quantity=-2)  # a backorder sale
    product.allow_backorders = False
    with pytest.raises(ValidationError) as excinfo:
        services.product_save(product=product)
    assert excinfo.value.message_dict == {
        "allow_backorders": ["A variant has negative stock: set its stock before turning backorders off."]
    }
    ProductVariant.objects.filter(pk=variant.pk).update(stock_quantity=0)
    services.product_save(product=product)
    variant.refresh_from_db()
    assert variant.allow_backorders is False


def test_variant_restock_announces_back_in_stock(back_in_stock, django_user_model):
    staff = django_user_model.objects.create_superuser(email="restock@example.com", password="pw-Long-enough-1")
    product = ProductFactory()
    sold_out = ProductVariantFactory(product=product, stock_quantity=0)
    stocked = ProductVariantFactory(product=product, stock_quantity=3)
    services.stock_adjust(product=product, variant=stocked, delta=2, reason="received", by=staff)
    assert back_in_stock == []
    services.stock_adjust(product=product, variant=sold_out, delta=4, reason="received", by=staff)
    assert back_in_stock == [product.pk]


def _inline_formset(product, rows):
    request = RequestFactory().post("/")
    request.user, _ = get_user_model().objects.get_or_create(
        email="inline@example.com", defaults={"is_staff": True, "is_superuser": True}
    )
    inline = ProductVariantInline(Product, site)
    FormSet = inline.get_formset(request, product)
    data = {"variants-TOTAL_FORMS": str(len(rows)), "variants-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"variants-{index}-{key}": value for key, value in row.items()})
    return FormSet(data, instance=product, prefix="variants")


def test_admin_inline_refuses_negative_stock_without_backorders_and_copies_the_flag():
    row = {"kind": "size", "name": "50 ml", "sku": "S-50", "price": "10.00", "stock_quantity": "-1", "sort_order": "0"}
    formset = _inline_formset(ProductFactory(), [row])
    assert not formset.is_valid()
    assert formset.errors == [{"stock_quantity": ["Stock cannot be negative unless the product takes backorders."]}]

    backorder = ProductFactory(allow_backorders=True)
    formset = _inline_formset(backorder, [row])
    assert formset.is_valid(), formset.errors
    formset.save()
    variant = ProductVariant.objects.get(sku="S-50")
    assert (variant.stock_quantity, variant.allow_backorders) == (-1, True)
    assert list(variant.stock_adjustments.values_list("delta", "quantity_before", "reason")) == [(-1, 0, "received")]
