from django.db import IntegrityError, transaction
from rest_framework import status

from shop.catalog.models import Product, ProductStatus
from shop.wishlist.models import WishlistFeedback, WishlistItem
from skincare.api.exceptions import ApiError

PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND"
WISHLIST_ITEM_NOT_FOUND = "WISHLIST_ITEM_NOT_FOUND"


def _product(product_id):
    product = Product.objects.filter(pk=product_id, status=ProductStatus.ACTIVE).first()
    if product is None:
        raise ApiError(PRODUCT_NOT_FOUND, "Product not found.", errors={"product_id": ["Product not found."]})
    return product


def wishlist_add(*, user, product_id):
    """Idempotent: adding a product twice keeps one entry. Returns (item, created)."""
    product = _product(product_id)
    try:
        with transaction.atomic():
            return WishlistItem.objects.get_or_create(user=user, product=product)
    except IntegrityError:
        return WishlistItem.objects.get(user=user, product=product), False


# Ids from the URL are matched as ``product__pk``: Django answers "no rows" for an id past the
# column's range there, while a plain ``product_id=`` sends it to the database (OverflowError).


def wishlist_remove(*, user, product_id):
    deleted, _ = WishlistItem.objects.filter(user=user, product__pk=product_id).delete()
    if not deleted:
        raise ApiError(WISHLIST_ITEM_NOT_FOUND, "Not in your wishlist.", status_code=status.HTTP_404_NOT_FOUND)


def wishlist_clear(*, user):
    return WishlistItem.objects.filter(user=user).delete()[0]


def wishlist_feedback_save(*, user, product_id, **data):
    if not WishlistItem.objects.filter(user=user, product__pk=product_id).exists():
        raise ApiError(WISHLIST_ITEM_NOT_FOUND, "Not in your wishlist.", status_code=status.HTTP_404_NOT_FOUND)
    feedback, _ = WishlistFeedback.objects.update_or_create(user=user, product_id=product_id, defaults=data)
    return feedback
