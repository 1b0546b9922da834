from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    """The shop's server-rendered pages: thin views over the shop apps' services and selectors.

    It sits above catalog, cart, coupons and orders (it imports them, they never import it)
    and below reviews: review widgets on its pages come from ``reviews.templatetags``.
    """

    name = "shop.storefront"
    label = "storefront"
    verbose_name = "Storefront"
