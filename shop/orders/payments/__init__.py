"""Payment providers behind one small interface (``base.PaymentProvider``).

``cash_on_delivery`` always; card payments go to ``settings.PAYMENT_PROVIDER``:
``test`` (default, offline test card numbers) or ``stripe`` (needs STRIPE_SECRET_KEY).
"""

from django.conf import settings
from django.utils.translation import gettext

from shop.orders import error_codes
from shop.orders.models import PaymentMethod
from shop.orders.payments.base import ChargeResult, PaymentProvider, RefundResult  # noqa: F401
from shop.orders.payments.cod import CashOnDeliveryProvider
from shop.orders.payments.stripe import StripeProvider
from shop.orders.payments.test_card import TestCardProvider
from skincare.errors import ApplicationError

PROVIDERS = {
    CashOnDeliveryProvider.name: CashOnDeliveryProvider,
    TestCardProvider.name: TestCardProvider,
    StripeProvider.name: StripeProvider,
}


def provider_by_name(name):
    try:
        return PROVIDERS[name]()
    except KeyError as exc:
        raise ApplicationError(
            error_codes.PAYMENT_METHOD_UNAVAILABLE, gettext("Unknown payment provider %(name)r.") % {"name": name}
        ) from exc


def provider_for_method(method):
    if method == PaymentMethod.CASH_ON_DELIVERY:
        return CashOnDeliveryProvider()
    provider = provider_by_name(settings.PAYMENT_PROVIDER)
    if not provider.is_configured():
        raise ApplicationError(
            error_codes.PAYMENT_METHOD_UNAVAILABLE,
            gettext("Card payments are not available right now."),
            errors={"payment_method": [gettext("Card payments are not configured.")]},
        )
    return provider
