"""Refuse text PostgreSQL cannot store (NUL, lone surrogates) on the shop's pages before a view
or query sees it: the page twin of ``skincare.api.middleware.ApiRequestTextMiddleware``.

A bad path is a 404 (nothing has such a slug or number); a bad query parameter or form field is
a 400 page that names it. The API and the admin are left to their own checks.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.views import defaults

from skincare.api.text import bad_text_reason

SKIPPED_PREFIXES = ("/api/", "/admin/", "/static/", "/media/")


def _bad_field(query_dict):
    for name, values in query_dict.lists():
        for value in [name, *values]:
            if isinstance(value, str) and bad_text_reason(value):
                return name if not bad_text_reason(name) else "?"
    return None


class PageRequestTextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(SKIPPED_PREFIXES):
            if bad_text_reason(request.path):
                return defaults.page_not_found(request, None)
            field = _bad_field(request.GET)
            if field is None and request.method == "POST":
                field = _bad_field(request.POST)
            if field is not None:
                return render(request, "storefront/bad_request.html", {"field": field}, status=400)
        return self.get_response(request)


class ProfileLanguageMiddleware:
    """A signed-in shopper without a language cookie on this device reads the shop in the language
    kept on the profile (set by the header's switch), before the browser's Accept-Language.

    After ``AuthenticationMiddleware``; the API and the admin keep ``LocaleMiddleware``'s choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not request.path.startswith(SKIPPED_PREFIXES)
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and request.user.is_authenticated
            and request.user.language
        ):
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
