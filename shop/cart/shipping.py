"""Shipping methods and their price rule (``settings.SHIPPING_METHODS``, per currency).

A method costs its ``price``, or nothing when the goods cost at least ``free_over`` after the
goods discount (no threshold when ``free_over`` is null). The first method is the default.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from shop.coupons.calculations import ZERO, money

NAMES = {"standard": _("Standard delivery"), "express": _("Express delivery")}
CODES = ["standard", "express"]  # the schema's ShippingMethodEnum (settings.SPECTACULAR_SETTINGS)
DEFAULT_CODE = "standard"


@dataclass(frozen=True)
class ShippingMethod:
    code: str
    name: str
    price: Decimal
    free_over: Decimal | None
    currency: str

    def cost(self, amount):
        """Shipping for non-empty goods costing ``amount`` after the goods discount."""
        if self.free_over is not None and amount >= self.free_over:
            return ZERO
        return self.price


def shipping_methods(currency=None):
    """The methods of ``currency`` (the shop's by default), in checkout order."""
    currency = currency or settings.CURRENCY
    methods = []
    for code, rule in (settings.SHIPPING_METHODS.get(currency) or {}).items():
        if code not in NAMES:
            raise ImproperlyConfigured(f"Unknown shipping method {code!r}: use one of {', '.join(NAMES)}.")
        free_over = rule.get("free_over")
        methods.append(
            ShippingMethod(
                code=code,
                name=NAMES[code],
                price=money(Decimal(str(rule["price"]))),
                free_over=None if free_over is None else money(Decimal(str(free_over))),
                currency=currency,
            )
        )
    return methods


def shipping_method(code=None, currency=None):
    """The method ``code`` (the default when empty), or None when this currency has no such method."""
    methods = shipping_methods(currency)
    if not code:
        return methods[0]
    return next((method for method in methods if method.code == code), None)


def method_name(code):
    return NAMES.get(code, code)
