"""URL resolution order (``skincare/urls.py``): the API's include comes first, so an API request is
resolved without trying the shop's page patterns; that must not change which view answers any path."""

import re
import uuid

from django.urls import URLPattern, URLResolver, get_resolver, resolve

SAMPLES = {
    "int": "7",
    "product": "7",
    "slug": "sample-slug",
    "str": "sample",
    "path": "a/b",
    "uuid": str(uuid.UUID(int=7)),
}


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _sample_path(route):
    if route.startswith("^"):  # a regex route (none in the API today): no sample
        return None
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "sample"), route)


def api_patterns():
    return [(route, entry) for route, entry in _patterns(get_resolver()) if route.startswith("api/v1/")]


def test_the_api_include_is_resolved_first():
    first = get_resolver().url_patterns[0]
    assert isinstance(first, URLResolver) and str(first.pattern) == "api/v1/"


def test_every_api_route_answers_its_own_sample_path():
    """No API route is shadowed by another route (API or page) for a path built from it."""
    checked = 0
    for route, entry in api_patterns():
        path = _sample_path(route)
        if path is None:
            continue
        match = resolve(path)
        assert (match.func, match.url_name) == (entry.callback, entry.name), f"{path} resolved to {match.view_name}"
        checked += 1
    assert checked > 100


def test_no_page_route_can_match_an_api_path():
    """Every non-API route starts with a fixed prefix other than api/v1/ (or is the home page), so
    putting the API first changes nothing for the pages either."""
    for route, _ in _patterns(get_resolver()):
        if route.startswith("api/v1/") or not route:
            continue
        if route.startswith("^"):  # a regex route (public media): it must not match under api/v1/
            assert re.match(route, "api/v1/products/7") is None, route
        else:
            assert not route.startswith("<"), route
