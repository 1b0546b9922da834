from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from shop.catalog.selectors import product_active_get
from shop.wishlist.error_codes import WishlistErrorCode
from shop.wishlist.models import WishlistFeedback, WishlistItem
from skincare.errors import ApplicationError


def wishlist_add(*, user, product_id):
    """Idempotent: adding a product twice keeps one entry. Returns (item, created)."""
    product = product_active_get(product_id=product_id, field="product_id")
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
        raise ApplicationError(WishlistErrorCode.WISHLIST_ITEM_NOT_FOUND, gettext("Not in your wishlist."))


def wishlist_clear(*, user):
    return WishlistItem.objects.filter(user=user).delete()[0]


def wishlist_feedback_save(*, user, product_id, **data):
    if not WishlistItem.objects.filter(user=user, product__pk=product_id).exists():
        raise ApplicationError(WishlistErrorCode.WISHLIST_ITEM_NOT_FOUND, gettext("Not in your wishlist."))
    feedback, _ = WishlistFeedback.objects.update_or_create(user=user, product_id=product_id, defaults=data)
    return feedback
