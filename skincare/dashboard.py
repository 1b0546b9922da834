"""The back-office dashboard's panel registry.

The admin site lives in ``shop`` but panels come from every app: each app registers its panels in
its ``AppConfig.ready()`` (so ``shop`` never imports ``feedback`` or ``reviews``). A panel is shown
only to users holding its permission (a moderator never sees money); its figures are built by the
app's selectors and cached briefly, so the dashboard costs a few queries a minute however often
staff reload it.

A panel's ``build()`` returns a plain dict (cached as it is)::

    {
        "link": "/admin/orders/order/?status__in=confirmed,processing",  # the list behind the panel
        "items": [{"label": "Today", "value": "3 orders · 120.00", "url": "..."}, ...],
        "chart": "<svg ...>",  # optional, from skincare.charts
        "table": "<table ...>",  # optional, the chart's text alternative
        "note": "...",  # optional one line
        "export": "/api/v1/staff/analytics/...export?...",  # optional: the same figures as CSV
    }

Panels are cached per language (their labels are translated when built).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import get_language

CACHE_SECONDS = 60
CACHE_PREFIX = "dashboard:"


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    permission: str
    build: Callable[..., dict]
    order: int = 100


_panels: dict[str, Panel] = {}


def register_panel(*, key, title, permission, build, order=100):
    """Add (or replace, by ``key``) a panel; called from ``AppConfig.ready()``."""
    _panels[key] = Panel(key=key, title=title, permission=permission, build=build, order=order)


def registered_panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.key))


def cached(key, build, *, timeout=CACHE_SECONDS):
    """``build()`` cached under ``dashboard:<key>`` for ``timeout`` seconds (shared by panels)."""
    return cache.get_or_set(f"{CACHE_PREFIX}{key}", build, timeout)


def panels_for(user) -> list[dict]:
    """The panels ``user`` may see, with their figures (from the cache when fresh)."""
    shown = []
    for panel in registered_panels():
        if not user.has_perm(panel.permission):
            continue
        built = cached(f"panel:{panel.key}:{get_language()}", panel.build)
        shown.append({"key": panel.key, "title": panel.title, **built})
    return shown


# --- The customer page's activity sections ------------------------------------------------------
# The same idea for one customer: orders (shop), reviews (reviews), reports (feedback), each app
# contributing its own section without the accounts admin importing it. ``build(user)`` returns
# ``{"link": url, "items": [{"label", "value", "url"}, ...]}``; it is not cached (one customer).

_customer_sections: dict[str, Panel] = {}


def register_customer_section(*, key, title, permission, build, order=100):
    _customer_sections[key] = Panel(key=key, title=title, permission=permission, build=build, order=order)


def customer_sections_for(viewer, customer) -> list[dict]:
    """The sections ``viewer`` may see about ``customer`` (a moderator never sees their orders)."""
    sections = sorted(_customer_sections.values(), key=lambda section: (section.order, section.key))
    return [
        {"key": section.key, "title": section.title, **section.build(customer)}
        for section in sections
        if viewer.has_perm(section.permission)
    ]
