"""Recommendation and ingredient-warning widgets for the shop's pages.

The shop's templates load this library by name (``{% load ml_widgets %}``), so the pages of the
lower apps show recommendations without importing ``ml``. Each widget runs a constant number of
queries, records what it showed (one buffered event, no query), and links every product through
``ml:recommendation-go``, which records the click and redirects (no JavaScript needed). A widget
whose store is down shows nothing rather than breaking the page."""

import logging

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ml import ingredients, rec_services, serving
from shop.catalog import cache as catalog_cache
from shop.catalog.serializers import product_list_item
from skincare.errors import ApplicationError

register = template.Library()
logger = logging.getLogger(__name__)

SHOWN = 8
WIDGET_TEMPLATE = "ml/widgets/recommendations.html"
TITLES = {
    "for_you": _("Recommended for you"),
    "popular": _("Popular right now"),
    "similar": _("Similar products"),
    "bought_together": _("Often bought together"),
}


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _list_version(context):
    """The page's catalog list version (read once per request by the shop's context processor)."""
    version = context.get("list_version")
    return str(version) if version is not None else catalog_cache.product_list_version()


def _load(kind, load):
    """``(items, complete)``: the list as plain dicts; an unreachable store shows nothing (not cached)."""
    try:
        loaded = load()
    except ApplicationError as exc:
        logger.warning("Recommendations %s not shown: %s", kind, exc.message)
        return [], False
    return [{"product": product_list_item(item.product), "reason": item.reason} for item in loaded], True


def _guest_timeout(page_type):
    """How long a guest's rendered list is kept: the product page's own bound (``PRODUCT_PAGE_LIST_TIMEOUT``)
    there, the catalog lists' minute elsewhere."""
    return settings.PRODUCT_PAGE_LIST_TIMEOUT if page_type == "product_page" else catalog_cache.LIST_TIMEOUT


def _widget(context, kind, page_type, load, *, anchor="", shared=None):
    """The widget's HTML. ``shared``: what the list depends on besides the catalog, when it is the same
    for every guest; a guest's list is then cached rendered, with the ids it shows, like the catalog's list
    sections (under the catalog's list version, for ``_guest_timeout``), per language (the reasons are
    translated). Impressions are recorded on every view."""
    user = _user(context)
    request = context.get("request")
    data = {
        "kind": kind,
        "page_type": page_type,
        "title": TITLES[kind],
        "anchor": anchor or kind.replace("_", "-"),
        "signed_in": user is not None,
        "request": request,
    }
    template = get_template(WIDGET_TEMPLATE)
    entry = key = None
    if shared is not None and user is None:
        name = f"ml:widget-html:{kind}:{page_type}:{shared}:{translation.get_language()}"
        key = catalog_cache.product_list_page_key(name, [], _list_version(context))
        entry = cache.get(key)
    if entry is None:
        items, complete = _load(kind, load)
        # A cached (guest's) list has no forms and nothing of the visitor; a signed-in one has forms.
        csrf_token = context.get("csrf_token") if key is None else None
        html = template.render({**data, "items": items, "csrf_token": csrf_token})
        entry = {"ids": [item["product"]["id"] for item in items], "html": html}
        if key is not None and complete:
            cache.set(key, entry, _guest_timeout(page_type))
    if entry["ids"] and request is not None:
        rec_services.recommendation_impressions_record(
            user=user,
            product_ids=entry["ids"],
            recommendation_type=kind,
            page_type=page_type,
            session_id=getattr(getattr(request, "session", None), "session_key", None) or "",
        )
    return mark_safe(entry["html"])  # noqa: S308 - rendered by the template engine, which escaped it


@register.simple_tag(takes_context=True)
def recommendations_for_you(context):
    """Home: the shopper's list, or what is popular for a guest (the same for every guest)."""
    user = _user(context)
    if user is None:
        return _widget(
            context, "popular", "homepage", lambda: serving.recommendations_popular(limit=SHOWN), shared="all"
        )
    return _widget(context, "for_you", "homepage", lambda: serving.recommendations_for_user(user=user, limit=SHOWN))


@register.simple_tag(takes_context=True)
def similar_products(context, product):
    """Product page: content-similar products (``product`` is the page's product payload)."""
    return _widget(
        context,
        "similar",
        "product_page",
        lambda: serving.recommendations_similar(
            product_id=product["id"], product_name=product["name"], user=_user(context), limit=SHOWN
        ),
        shared=product["id"],
    )


def _ids(products):
    """A product id, or ids, or cart lines / order items (``product_id`` or ``product``)."""
    if isinstance(products, int):
        return [products]
    ids = []
    for item in products or ():
        if isinstance(item, int):
            ids.append(item)
        else:
            ids.append(getattr(item, "product_id", None) or item.product.id)
    return list(dict.fromkeys(ids))


@register.simple_tag(takes_context=True)
def bought_together(context, products, page_type="product_page"):
    """Products most often ordered with these (product page, cart, order just placed)."""
    ids = _ids(products)
    return _widget(
        context,
        "bought_together",
        page_type,
        lambda: serving.bought_together(product_ids=ids, user=_user(context), limit=SHOWN),
        anchor=f"bought-together-{page_type.replace('_', '-')}",
        shared=",".join(map(str, ids)) if page_type == "product_page" else None,
    )


@register.inclusion_tag("ml/widgets/conflicts.html", takes_context=True)
def ingredient_warnings(context, products):
    """Cart page: products in the cart that should not be combined, with each other or with the
    shopper's orders of the last 90 days."""
    user = _user(context)
    ids = _ids(products)
    recent = ingredients.recent_order_product_ids(user=user) if user is not None else []
    conflicts = []
    if len(set(ids) | set(recent)) >= 2:
        _checked, conflicts = ingredients.compatibility_check(product_ids=ids, recent_product_ids=recent, source="cart")
    return {"conflicts": conflicts}


@register.simple_tag
def routine_step_label(step):
    from ml.routines import STEP_LABELS

    return STEP_LABELS.get(step, step)
