"""The cheaper CSP and messages middlewares answer exactly as django-csp's and Django's do."""

import pytest
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from skincare.http_plumbing import CachedPolicyCSPMiddleware, LazyMessageMiddleware


def plain_view(request):
    return HttpResponse("ok")


@csp_update({"img-src": ["https://cdn.example.com"]})
def updated_view(request):
    return HttpResponse("ok")


def header_of(middleware_class, view, path="/api/v1/products"):
    middleware = middleware_class(view)
    request = RequestFactory().get(path)
    middleware.process_request(request)
    return middleware.process_response(request, view(request))


@pytest.mark.parametrize("view", [plain_view, updated_view])
def test_same_headers_as_django_csp(view):
    ours, theirs = header_of(CachedPolicyCSPMiddleware, view), header_of(CSPMiddleware, view)
    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert "default-src 'self'" in ours["Content-Security-Policy"]


def test_per_view_update_is_not_cached_for_other_views():
    middleware = CachedPolicyCSPMiddleware(plain_view)
    for view, expect_cdn in ((plain_view, False), (updated_view, True), (plain_view, False)):
        request = RequestFactory().get("/")
        middleware.process_request(request)
        header = middleware.process_response(request, view(request))["Content-Security-Policy"]
        assert ("https://cdn.example.com" in header) is expect_cdn


def test_policy_follows_a_changed_setting(settings):
    middleware = CachedPolicyCSPMiddleware(plain_view)

    def header():
        request = RequestFactory().get("/")
        middleware.process_request(request)
        return middleware.process_response(request, plain_view(request))["Content-Security-Policy"]

    assert "object-src 'none'" in header()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert header() == "default-src 'none'"


def test_messages_storage_is_only_built_when_used(rf):
    request = rf.get("/")
    request.session = {}
    middleware = LazyMessageMiddleware(plain_view)
    middleware.process_request(request)
    response = middleware.process_response(request, HttpResponse("ok"))
    assert request._messages._wrapped is empty  # never built
    assert "messages" not in response.cookies

    request = rf.get("/")
    request.session = {}
    middleware.process_request(request)
    messages.success(request, "Saved.")
    response = middleware.process_response(request, HttpResponse("ok"))
    later = rf.get("/")
    later.COOKIES["messages"] = response.cookies["messages"].value  # stored as Django's middleware stores it
    assert [str(m) for m in CookieStorage(later)] == ["Saved."]
