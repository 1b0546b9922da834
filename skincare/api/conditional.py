"""Conditional GETs for the catalog reads: ``ETag`` / ``Last-Modified`` and ``304 Not Modified``.

The ETag is a digest of the answer itself (with the language and the origin it is rendered
for), taken from the payload the view serves, which comes from the catalog cache (rebuilt
under a new catalog version on every write). A 304 therefore never hides a change, even one
that does not replace the version (a stock count at checkout).

``Last-Modified`` is when this resource (the path and the parameters that change the answer)
first answered with this digest. It is kept per resource in the cache and only moves forward:
a change within the same second still gets a later date, so ``If-Modified-Since`` alone cannot
hide it either. ``If-None-Match`` wins when both are sent (RFC 9110).
"""

import functools
import hashlib
import json
import time

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework.response import Response

FIRST_SEEN_TIMEOUT = 60 * 60 * 24


def _digest(*parts):
    raw = json.dumps(parts, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def first_seen_key(request, params):
    """Cache key of the ``Last-Modified`` record of this resource (path and ``params``, as rendered)."""
    return f"http:first-seen:{_digest(_render_context(request), request.path, sorted(params))}"


def first_seen_update(record, etag):
    """``(when the resource first answered with etag, the record to store or None)`` from its stored record
    (whole seconds, strictly increasing per resource)."""
    if record is not None and record[0] == etag:
        return record[1], None
    seen = int(time.time())
    if record is not None:
        seen = max(seen, record[1] + 1)
    return seen, (etag, seen)


def _first_seen(key, etag):
    seen, record = first_seen_update(cache.get(key), etag)
    if record is not None:
        cache.set(key, record, FIRST_SEEN_TIMEOUT)
    return seen


def _render_context(request):
    return [translation.get_language(), request.scheme, request.get_host()]


def _validators(request, data, params):
    etag = f'"{_digest(_render_context(request), data)}"'
    return etag, _first_seen(first_seen_key(request, params), etag)


@functools.lru_cache(maxsize=1024)
def _http_date(seconds):
    """``http_date`` of whole seconds, remembered: cached answers repeat the same few dates."""
    return http_date(seconds)


_VARY = ("Accept-Language", "Authorization")
_VARY_VALUE = ", ".join(_VARY)


def _with_validators(response, etag, last_modified):
    response["ETag"] = etag
    response["Last-Modified"] = _http_date(last_modified) if type(last_modified) is int else http_date(last_modified)
    response["Cache-Control"] = "no-cache"  # may be stored, but revalidated on every use
    if response.has_header("Vary"):
        patch_vary_headers(response, _VARY)
    else:  # a new response: what patch_vary_headers would set
        response.headers["Vary"] = _VARY_VALUE
    return response


# The request headers ``get_conditional_response`` reads: without any of them it answers nothing.
_CONDITIONAL_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


def _is_conditional(request):
    meta = request.META
    return any(header in meta for header in _CONDITIONAL_HEADERS)


def conditional_response(request, data, *, params=(), enveloped=False):
    """``Response(data)`` with validators, or an empty 304 when the client's copy is current.

    ``params`` are the query parameters that can change the answer (``[(name, [values])]``);
    with the path they name the resource whose ``Last-Modified`` is kept, so parameters the
    view ignores cannot fill the cache with dates.
    """
    etag, last_modified = _validators(request, data, params)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if isinstance(not_modified, HttpResponseNotModified):
        response = not_modified
    else:
        response = Response(data)
        response.enveloped = enveloped
    return _with_validators(response, etag, last_modified)


# --- Whole rendered answers ----------------------------------------------------------------
# A cached page still cost a JSON digest of the payload (the ETag), a cache read for its
# Last-Modified, per-item absolute URLs and JSON rendering on every hit. A rendered entry keeps the
# finished bytes with their validators, per language and origin, so a hit is one cache read.


def rendered_key(request, prefix, *parts):
    """Cache key of a rendered answer: ``prefix`` + the language and origin it is rendered for + ``parts``."""
    return f"{prefix}:{_digest(_render_context(request), request.path, *parts)}"


# (scope, prefix, language, scheme, host, path, query string) -> rendered_key: bounded, per process.
_QUERY_KEYS = {}
QUERY_KEYS_MAX = 8192


def rendered_key_of_query(request, prefix, parts, *, scope=None):
    """``rendered_key(request, prefix, *parts())`` for ``parts`` that depend on nothing but the query string
    (and ``scope``, e.g. the view class), remembered per language, origin, path and query string: a cached
    answer's key was a JSON digest (~40 µs) on every request."""
    memo = (
        scope,
        prefix,
        translation.get_language(),
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
    )
    key = _QUERY_KEYS.get(memo)
    if key is None:
        key = rendered_key(request, prefix, *parts())
        if len(_QUERY_KEYS) >= QUERY_KEYS_MAX:
            _QUERY_KEYS.clear()
        _QUERY_KEYS[memo] = key
    return key


def render_answer(view, data, *, enveloped=True):
    """``data`` rendered as the API renders a successful answer of ``view`` (bytes)."""
    from skincare.api.renderers import EnvelopeJSONRenderer

    stub = Response(data)
    stub.enveloped = enveloped
    return EnvelopeJSONRenderer().render(data, "application/json", {"response": stub, "view": view})


def rendered_entry(request, view, data, *, params=(), enveloped=True, tag=None):
    """Render ``data`` once, as the API would, for the cache: ``(tag, etag, last_modified, content)``.

    ``tag`` is stored alongside (e.g. the cache version it was built under) for the caller to check.
    """
    etag, last_modified = _validators(request, data, params)
    return (tag, etag, last_modified, render_answer(view, data, enveloped=enveloped))


def content_entry(request, content, *, first_seen_record=None, tag=None):
    """``rendered_entry`` for an answer the caller rendered itself (``content``, bytes), whose resource's
    ``Last-Modified`` record (``first_seen_key``) it read already: ``(entry, record to store or None)``.
    The ETag is a digest of the rendered bytes (with the language and origin), not of the payload."""
    context = json.dumps(_render_context(request), separators=(",", ":"), ensure_ascii=False).encode()
    digest = hashlib.sha256(context + b"\n" + content).hexdigest()[:32]
    etag = f'"{digest}"'
    last_modified, record = first_seen_update(first_seen_record, etag)
    return (tag, etag, last_modified, content), record


def rendered_response(request, entry):
    """The answer of a rendered entry, or an empty 304 when the client's copy is current."""
    _, etag, last_modified, content = entry
    not_modified = None
    if _is_conditional(request):
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if isinstance(not_modified, HttpResponseNotModified):
        response = not_modified
    else:
        response = HttpResponse(content, content_type="application/json")
    return _with_validators(response, etag, last_modified)
