"""Text PostgreSQL cannot store (NUL characters, lone surrogates) and non-object JSON bodies are
refused by the shared API plumbing (``skincare.api.middleware.ApiRequestTextMiddleware`` and
``skincare.api.parsers``) with a 4xx in the envelope, before any view or query sees them.

Found by fuzzing on PostgreSQL (docs/fuzzing.md, "PostgreSQL pass"): psycopg raised
``DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes`` (a 500). The checks are
the same on every database, so most of these tests run on SQLite too.
"""

import json

import pytest
from django.db import connection
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

NUL = "Null characters are not allowed."


def _envelope(response, status, code="VALIDATION_ERROR"):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "error" and body["code"] == code
    assert isinstance(body["message"], str) and isinstance(body["errors"], dict)
    return body


@pytest.fixture
def plumbing(settings):
    settings.ROOT_URLCONF = "skincare.tests.urls"
    return APIClient(raise_request_exception=False)


@pytest.mark.parametrize(
    "query",
    ["q=a%00b", "q=ok&brand=x%00", "a%00b=1", "page=1%00"],
)
def test_nul_in_a_query_parameter_is_400(api_client, query):
    body = _envelope(api_client.get(f"/api/v1/products/?{query}"), 400)
    assert list(body["errors"].values()) == [[NUL]]


def test_nul_in_a_query_parameter_names_the_parameter(api_client):
    body = _envelope(api_client.get("/api/v1/products/?q=a%00b"), 400)
    assert body["errors"] == {"q": [NUL]}
    assert body["message"] == f"q: {NUL}"


def test_nul_outside_the_api_is_left_to_django(client):
    # The middleware only speaks for /api/; pages keep Django's own handling.
    assert client.get("/?q=a%00b")["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", ["/api/v1/products/a%00b", "/api/v1/categories/a%00b/products"])
def test_nul_in_the_path_is_an_enveloped_404(api_client, url):
    # On PostgreSQL the slug lookup raised DataError (500).
    _envelope(api_client.get(url), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "a\x00b@example.com"}, "email"),
        ({"email": "a@example.com", "extra": ["ok", "x\x00"]}, "extra.1"),
        ({"email": "a@example.com", "nested": {"k": "\x00"}}, "nested.k"),
        ({"email": "a@example.com", "k\x00": 1}, "body"),
        ({"email": "\ud800@example.com"}, "email"),
    ],
)
def test_nul_or_surrogate_in_a_json_body_is_400(plumbing, payload, field):
    # The view looks ``request.data["email"]`` up without a serializer: on PostgreSQL a NUL made
    # psycopg raise DataError and a surrogate UnicodeEncodeError (500s).
    raw = json.dumps(payload)  # \u0000 and \ud800 escapes, as a client sends them
    body = _envelope(plumbing.post("/api/v1/test/lookup", raw, content_type="application/json"), 400)
    assert list(body["errors"]) == [field]
    assert body["errors"][field][0] in (NUL, "Surrogate characters are not allowed: U+D800.")


@pytest.mark.parametrize("fmt", ["multipart", None])
def test_nul_in_a_form_field_is_400(plumbing, fmt):
    if fmt:
        response = plumbing.post("/api/v1/test/lookup", {"email": "a\x00b@example.com"}, format=fmt)
    else:
        response = plumbing.post(
            "/api/v1/test/lookup", "email=a%00b%40example.com", content_type="application/x-www-form-urlencoded"
        )
    body = _envelope(response, 400)
    assert body["errors"] == {"email": [NUL]}


def test_clean_bodies_still_reach_the_view(plumbing):
    response = plumbing.post("/api/v1/test/lookup", {"email": "nobody@example.com"}, format="json")
    assert response.json() == {"status": "success", "data": {"found": False}}
    response = plumbing.post("/api/v1/test/lookup", {"email": "nobody@example.com"}, format="multipart")
    assert response.json() == {"status": "success", "data": {"found": False}}


@pytest.mark.parametrize("raw", ["null", "[]", "1", '"x"'])
def test_a_json_body_must_be_an_object(auth_client, raw):
    # POST /auth/resend-verification with a ``null`` body: TypeError in ``"email" in request.data`` (500).
    response = auth_client.post("/api/v1/auth/resend-verification", raw, content_type="application/json")
    body = _envelope(response, 400)
    assert body["errors"] == {"non_field_errors": [body["message"]]}
    assert body["message"].startswith("Invalid data. Expected a JSON object")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses NUL in text; SQLite stores it")
def test_nul_in_a_json_body_never_reaches_postgresql(plumbing):
    # Without the parser check this is psycopg's DataError, a 500 (SQLite answers 200).
    response = plumbing.post("/api/v1/test/lookup", '{"email": "a\\u0000b"}', content_type="application/json")
    _envelope(response, 400)
