"""Rendered HTML fragments of the shop's pages, cached under a digest of everything they show.

A fragment's key is a digest of its name, the page's language and its *inputs* (the cached payload it
shows, a list version, the viewer's flags...): the same inputs give the same HTML, so a changed input is
a different entry and nothing needs invalidating; old entries expire after ``TIMEOUT``. Inputs must be
picklable and describe everything the HTML depends on.

Forms need the visitor's own CSRF token, which must never be shared: a fragment is rendered with
``CSRF_PLACEHOLDER`` as its token and each request puts its own in (``with_csrf_token``), so one
cached entry serves every visitor and every page still sets the CSRF cookie as before.
"""

import hashlib
import pickle

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe

TIMEOUT = 60 * 60
CSRF_PLACEHOLDER = "csrftokenplaceholder0f3b9c2e7a"  # letters and digits only: nothing escapes it


def fragment_key(name, inputs):
    digest = hashlib.sha256(pickle.dumps((name, translation.get_language(), inputs), protocol=5))
    return f"storefront:fragment:v1:{digest.hexdigest()[:40]}"


def with_csrf_token(html, request):
    """The cached ``html`` with this request's CSRF token in place of the placeholder (if it has forms)."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it


def cached_html(name, inputs, render, *, request=None, timeout=TIMEOUT):
    """``render()``'s HTML (rendered with the CSRF placeholder as its token), cached under ``name`` and
    ``inputs``, with this ``request``'s CSRF token put in."""
    key = fragment_key(name, inputs)
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, timeout)
    return with_csrf_token(html, request) if request is not None else mark_safe(html)  # noqa: S308


def rendered_fragment(template_name, context, *, inputs, request=None, timeout=TIMEOUT):
    """``template_name`` rendered with ``context`` (its ``csrf_token`` the placeholder), cached (``cached_html``)."""
    return cached_html(
        template_name,
        inputs,
        lambda: get_template(template_name).render({**context, "csrf_token": CSRF_PLACEHOLDER}),
        request=request,
        timeout=timeout,
    )
