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


def _bumps(monkeypatch):
    calls = []
    bump = cart_cache._bump
    monkeypatch.setattr(cart_cache, "_bump", lambda cart_id, **kw: (calls.append(cart_id), bump(cart_id, **kw)))
    return calls


@pytest.mark.django_db(transaction=True)
def test_an_addition_bumps_the_version_once_after_its_commit(monkeypatch):
    from shop.cart.services import cart_add_line

    cart = Cart.objects.create()
    product = ProductFactory()
    assert cart_lines_cached(cart.pk) == []  # stored under the current version
    bumps = _bumps(monkeypatch)

    cart_add_line(cart=cart, product_id=product.pk, quantity=2)

    assert bumps == [cart.pk]
    assert [row[1:] for row in cart_lines_cached(cart.pk)] == [(product.pk, None, 2)]


def test_inside_a_larger_transaction_an_addition_bumps_now_too(monkeypatch):
    from django.db import transaction

    from shop.cart.services import cart_add_line

    cart = Cart.objects.create()
    product = ProductFactory()
    with transaction.atomic():  # the caller's transaction (the test's is around it too)
        assert cart_lines_cached(cart.pk) == []
        bumps = _bumps(monkeypatch)
        cart_add_line(cart=cart, product_id=product.pk, quantity=2)
        assert bumps == [cart.pk]  # the one after commit is still to come
        assert [row[1:] for row in cart_lines_cached(cart.pk)] == [(product.pk, None, 2)]


@pytest.mark.django_db(transaction=True)
def test_a_checkout_bumps_its_carts_version_once_after_its_commit(monkeypatch, auth_client, user):
    """Checkout reads the lines once, by the statement that deletes them, and nothing reads them through the
    cache before its transaction commits: the bump after the commit is the only one, and the cart then reads
    empty."""
    from shop.orders.tests.helpers import checkout, fill_cart

    cart = fill_cart(user, (ProductFactory(), 2))
    assert [row[3] for row in cart_lines_cached(cart.pk)] == [2]  # stored under the current version
    bumps = _bumps(monkeypatch)

    response = checkout(auth_client, user)

    assert response.status_code == 201, response.json()
    assert bumps == [cart.pk]
    assert cart_lines_cached(cart.pk) == []
