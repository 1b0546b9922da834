"""Outermost middleware: request id in and out, log context, latency/status/query metrics."""

import logging
import time

from django.conf import settings

from skincare.observability import context as log_context
from skincare.observability.metrics import HTTP_DB_QUERIES, HTTP_LATENCY, HTTP_REQUESTS, STATIC_ROUTE, UNMATCHED_ROUTE

REQUEST_ID_HEADER = "X-Request-ID"

access_logger = logging.getLogger("skincare.request")


class ObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.log_requests = settings.LOG_REQUESTS
        self.static_prefix = settings.STATIC_URL

    def __call__(self, request):
        started = time.perf_counter()
        request_id = log_context.request_id_accept(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        context = log_context.LogContext(request_id=request_id, request=request)
        token = log_context.bind(context)
        try:
            response = self.get_response(request)
            match = request.resolver_match
            if match is not None:
                route = match.view_name
            else:  # WhiteNoise answers static files before URL resolution
                route = STATIC_ROUTE if request.path.startswith(self.static_prefix) else UNMATCHED_ROUTE
            context.route = route
            elapsed = time.perf_counter() - started
            method = request.method if request.method in _METHODS else "other"
            _series(route, method, response.status_code, elapsed, context.queries)
            if self.log_requests:
                access_logger.info(
                    "%s %s %s",
                    method,
                    route,
                    response.status_code,
                    extra={
                        "method": method,
                        "status": response.status_code,
                        "duration_ms": round(elapsed * 1000, 1),
                        "db_queries": context.queries,
                    },
                )
        finally:
            log_context.unbind(token)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        context = log_context.current()
        if context is not None and request.resolver_match is not None:
            context.route = request.resolver_match.view_name


def _series(route, method, status, elapsed, queries):
    """Record one response; the labelled children are looked up once per (route, method, status)."""
    key = (route, method, status)
    children = _children.get(key)
    if children is None:
        children = _children[key] = (
            HTTP_REQUESTS.labels(route, method, status),
            HTTP_LATENCY.labels(route, method),
            HTTP_DB_QUERIES.labels(route),
        )
    requests, latency, db_queries = children
    requests.inc()
    latency.observe(elapsed)
    db_queries.observe(queries)


# Bounded: routes are URL names, methods a fixed set, statuses the few the views answer.
_children = {}

# Methods get their own label value; anything else (made-up verbs) shares one, so labels stay bounded.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
