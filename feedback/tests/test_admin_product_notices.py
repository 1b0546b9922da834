"""Price and stock edits made in the Django admin notify wishers like API edits do."""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from feedback.models import Notification
from shop.catalog.models import Product
from shop.wishlist.models import WishlistItem

pytestmark = pytest.mark.django_db


def _admin_save(product, staff_user, **changes):
    model_admin = site._registry[Product]
    request = RequestFactory().post("/admin/catalog/product/")
    request.user = staff_user
    edited = Product.objects.get(pk=product.pk)
    for field, value in changes.items():
        setattr(edited, field, value)
    model_admin.save_model(request, edited, form=None, change=True)


def test_admin_price_drop_notifies_wishers(product, user, staff_user):
    WishlistItem.objects.create(user=user, product=product)
    _admin_save(product, staff_user, price=product.price - Decimal("1.00"))
    assert Notification.objects.filter(user=user, type="wishlist_sale").count() == 1


def test_admin_restock_notifies_wishers(product, user, staff_user):
    _admin_save(product, staff_user, stock_quantity=0)
    WishlistItem.objects.create(user=user, product=product)
    _admin_save(product, staff_user, stock_quantity=12)
    assert Notification.objects.filter(user=user, type="wishlist_restock").count() == 1
    assert Product.objects.get(pk=product.pk).stock_quantity == 12
