"""The wishlist's page posts: each says what it did, or why it did nothing, and goes where it should."""

import pytest
from django.contrib.messages import get_messages

from shop.catalog.tests.factories import ProductFactory
from shop.wishlist.models import WishlistItem

pytestmark = pytest.mark.django_db


def said(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def test_adding_says_so_and_goes_back(shopper_client, shopper):
    product = ProductFactory()
    added = shopper_client.post("/wishlist/add/", {"product_id": product.pk})
    assert (added.status_code, added["Location"]) == (302, "/")
    assert said(added) == [("success", "Saved to your wishlist.")]
    assert WishlistItem.objects.filter(user=shopper, product=product).exists()


def test_removing_says_so_and_goes_to_the_wishlist(shopper_client, shopper):
    product = ProductFactory()
    WishlistItem.objects.create(user=shopper, product=product)
    removed = shopper_client.post("/wishlist/remove/", {"product_id": product.pk})
    assert (removed.status_code, removed["Location"]) == (302, "/account/wishlist/")
    assert said(removed) == [("success", "Removed from your wishlist.")]
    assert not WishlistItem.objects.filter(user=shopper).exists()


@pytest.mark.parametrize(
    ("path", "product_id", "message"),
    [
        ("/wishlist/add/", "", "Choose a product."),
        ("/wishlist/remove/", "x", "Choose a product."),
        ("/wishlist/remove/", "12345", "Not in your wishlist."),
    ],
)
def test_a_post_that_changes_nothing_says_why(shopper_client, shopper, path, product_id, message):
    response = shopper_client.post(path, {"product_id": product_id})
    assert response.status_code == 302
    assert said(response) == [("error", message)]
    assert not WishlistItem.objects.filter(user=shopper).exists()
