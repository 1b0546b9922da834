"""What every shop page's header needs. Both values are lazy: a page that does not show the
header (the admin, an e-mail) runs no query for them."""

from django.utils.functional import SimpleLazyObject

from shop.storefront import selectors


def storefront(request):
    return {
        "menu_categories": SimpleLazyObject(selectors.menu_categories),
        "cart_count": SimpleLazyObject(lambda: selectors.cart_item_count(request=request)),
    }
