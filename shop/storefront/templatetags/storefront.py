"""Template helpers of the shop's pages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.translation import get_language

from shop.storefront import labels

register = template.Library()


def _value(obj, name):
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


@register.filter
def localized(obj, field):
    """``obj.<field>_km`` when the page is in Khmer and that text is filled in, else ``obj.<field>``.

    Works on models and on the catalog's cached dicts alike (both carry ``name`` / ``name_km``).
    """
    if obj is None:
        return ""
    if (get_language() or "").startswith("km"):
        khmer = _value(obj, f"{field}_km")
        if khmer:
            return khmer
    return _value(obj, field) or ""


@register.filter
def money(value):
    """12.5 / "12.50" / Decimal -> "$12.50" (the shop has one currency)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    symbol = "$" if settings.CURRENCY == "USD" else f"{settings.CURRENCY} "
    return f"{symbol}{amount.quantize(Decimal('0.01')):,}"


@register.filter
def skin_type_label(value):
    return labels.SKIN_TYPES.get(value, value)


@register.filter
def concern_label(value):
    return labels.CONCERNS.get(value, value)


@register.filter
def usage_time_label(value):
    return labels.USAGE_TIMES.get(value, value)


@register.filter
def order_status_label(value):
    return labels.ORDER_STATUSES.get(value, value)


@register.filter
def event_label(value):
    return labels.ORDER_EVENTS.get(value, value)


@register.filter
def stars(value):
    """A rating as text that does not rely on colour or glyph fonts: "4.5 out of 5"."""
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.1'))}"
    except (InvalidOperation, TypeError, ValueError):
        return "0.0"
