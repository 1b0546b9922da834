import pytest
from django.core.cache import cache

from shop.cart import cache as cart_cache
from shop.cart.cache import cart_cache_invalidate, cart_lines_cached
from shop.cart.models import Cart, CartLine
from shop.cart.tests.factories import ProductFactory
from shop.testing import ChangeBeforeStore

pytestmark = pytest.mark.django_db


def test_a_reader_that_read_before_a_change_leaves_no_stale_lines(monkeypatch):
    cart = Cart.objects.create()
    first = CartLine.objects.create(cart=cart, product=ProductFactory(), quantity=1)
    second_product = ProductFactory()
    late = []

    def add_line():
        late.append(CartLine.objects.create(cart=cart, product=second_product, quantity=2))
        cart_cache_invalidate(cart.pk)

    monkeypatch.setattr(cart_cache, "cache", ChangeBeforeStore(add_line))
    assert [row[0] for row in cart_lines_cached(cart.pk)] == [first.pk]  # read before the change
    monkeypatch.setattr(cart_cache, "cache", cache)
    assert [row[0] for row in cart_lines_cached(cart.pk)] == [first.pk, late[0].pk]
    assert [row[0] for row in cart_lines_cached(cart.pk)] == [first.pk, late[0].pk]  # now from the cache
