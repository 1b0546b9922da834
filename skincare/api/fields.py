"""Serializer fields shared by the apps' output serializers."""

from django.conf import settings
from rest_framework import serializers

# The closed set the shop sells in (settings.SHOP_CURRENCIES; CURRENCY must be one of them).
CURRENCY_CHOICES = [(code, code) for code in settings.SHOP_CURRENCIES]


class CurrencyField(serializers.ChoiceField):
    """An ISO 4217 code from the shop's currency set (the ``CurrencyEnum`` of the schema)."""

    def __init__(self, **kwargs):
        super().__init__(choices=CURRENCY_CHOICES, **kwargs)


def datetime_text(value, zone):
    """``value`` as DRF's ``DateTimeField`` writes it, for views that render value rows without a serializer:
    ISO 8601 in ``zone`` (the current time zone), UTC written ``Z``; None stays None."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
