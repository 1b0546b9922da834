"""Template helpers of the shop's pages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.functional import LazyObject, empty
from django.utils.translation import get_language

from shop.storefront import fragments, labels

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, inputs, timeout):
        self.nodelist, self.name, self.inputs, self.timeout = nodelist, name, inputs, timeout

    def render(self, context):
        request = context.get("request")
        if request is None:  # rendered outside a request (no visitor, no CSRF token to put in): not cached
            return self.nodelist.render(context)
        inputs = [_plain(value.resolve(context)) for value in self.inputs]
        timeout = self.timeout.resolve(context) if self.timeout is not None else fragments.TIMEOUT

        def render():
            with context.push(csrf_token=fragments.CSRF_PLACEHOLDER):
                return self.nodelist.render(context)

        return fragments.cached_html(self.name, inputs, render, request=request, timeout=timeout)


def _plain(value):
    """A lazy context value (``SimpleLazyObject``) as the value it wraps, for the fragment's key."""
    if isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        return value._wrapped
    return value


@register.tag
def fragment(parser, token):
    """``{% fragment "name" input1 input2 ... [timeout=seconds] %}...{% endfragment %}``: the enclosed HTML
    cached under the name, the language and the inputs (``shop.storefront.fragments``), forms keeping each
    visitor's CSRF token. The inputs must name everything the enclosed HTML shows; a fragment keyed by the
    catalog's list version takes ``timeout=list_timeout``, the lists' own bound on staleness."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'fragment' needs a name and the inputs the fragment depends on")
    timeout = None
    if bits[-1].startswith("timeout="):
        timeout = parser.compile_filter(bits.pop()[len("timeout=") :])
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return FragmentNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]], timeout)


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


def _label_filter(table):
    """A filter naming a stored value in the page's language (the value itself when ``table`` does not know it)."""
    return lambda value: table.get(value, value)


skin_type_label = register.filter("skin_type_label", _label_filter(labels.SKIN_TYPES))
concern_label = register.filter("concern_label", _label_filter(labels.CONCERNS))
usage_time_label = register.filter("usage_time_label", _label_filter(labels.USAGE_TIMES))
order_status_label = register.filter("order_status_label", _label_filter(labels.ORDER_STATUSES))
event_label = register.filter("event_label", _label_filter(labels.ORDER_EVENTS))


@register.filter
def stars(value):
    """A rating as text that does not rely on colour or glyph fonts: "4.5 out of 5"."""
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.1'))}"
    except (InvalidOperation, TypeError, ValueError):
        return "0.0"
