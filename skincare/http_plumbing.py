"""Cheaper versions of two middlewares every request passes through.

A profile of a cached API answer (``benchmarks/hot_paths.py``, docs/performance.md) showed two
fixed costs that did not depend on the answer at all:

* ``csp.middleware.CSPMiddleware`` rebuilt the same Content-Security-Policy string (dataclass
  ``asdict`` + ``build_policy``) twice per response, about a quarter of a cached list answer.
  ``CachedPolicyCSPMiddleware`` builds it once per policy setting and reuses it while nothing
  varies it per response (no nonce used, no ``@csp_update``-style attributes); otherwise it defers
  to django-csp unchanged.
* ``MessageMiddleware`` created the messages storage (a cookie signer and the session storage)
  on every request, although API answers never read messages. ``LazyMessageMiddleware`` creates it
  on first use and stores nothing when it was never used.
"""

import http.client
from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.utils.functional import SimpleLazyObject, empty

_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


class CachedPolicyCSPMiddleware(CSPMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        self._built = None  # (policy setting, report-only setting, header, report-only header)

    def _policies(self, request, response):
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = self._built
        if built is None or built[0] is not policy or built[1] is not report_only:
            parts = self.get_policy_parts(request=request, response=response)
            parts_ro = self.get_policy_parts(request=request, response=response, report_only=True)
            csp, csp_ro = build_policy(**asdict(parts)), build_policy(**asdict(parts_ro), report_only=True)
            built = (policy, report_only, csp, csp_ro)
            self._built = built
        return built

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, a) for a in _PER_RESPONSE):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND):
            return response
        policy, report_only, csp, csp_ro = self._policies(request, response)
        for header, value, exempt, setting in (
            (HEADER, csp, "_csp_exempt", policy),
            (HEADER_REPORT_ONLY, csp_ro, "_csp_exempt_ro", report_only),
        ):
            prefixes = tuple((setting or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
            if (
                value
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = value
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class LazyMessageMiddleware(MessageMiddleware):
    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response  # never used: nothing to store
        return super().process_response(request, response)
