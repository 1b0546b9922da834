"""Bodies and query strings the API refuses in the envelope, never a 500 or Django's HTML 400
(issue 8, section 5): deep JSON, bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields."""

import io

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from skincare.api.parsers import MAX_JSON_DEPTH, JSONParser, json_depth_exceeds

pytestmark = pytest.mark.django_db

DEPTH_MESSAGE = "JSON may nest arrays and objects at most 64 levels deep."
# The API takes JSON only; form and multipart bodies (uploads) are checked on a test view that takes them.
FORM_URLCONF = "skincare.tests.urls"
FORM_VIEW = "/api/v1/test/lookup"


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def client(request, settings):
    # With DEBUG on, Django answers a SuspiciousOperation with its HTML debug page instead of handler400.
    settings.DEBUG = request.param
    return APIClient(raise_request_exception=False)


def envelope(response):
    assert response["Content-Type"] == "application/json", response.content[:200]
    body = response.json()
    assert set(body) == {"status", "code", "message", "errors"} and body["status"] == "error"
    return response.status_code, body["code"], body["message"], body["errors"]


def nested(depth):
    return '{"email": ' + "[" * depth + "]" * depth + ', "password": "x"}'


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_json_to_anonymous_login_is_400(client, depth):
    response = client.post("/api/v1/auth/login", nested(depth), content_type="application/json")

    assert envelope(response) == (400, "VALIDATION_ERROR", f"body: {DEPTH_MESSAGE}", {"body": [DEPTH_MESSAGE]})


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_json_to_an_authenticated_endpoint_is_400(client, user, depth):
    client.force_authenticate(user)

    response = client.patch("/api/v1/auth/profile", '{"first_name": ' + "[" * depth, content_type="application/json")

    assert envelope(response) == (400, "VALIDATION_ERROR", f"body: {DEPTH_MESSAGE}", {"body": [DEPTH_MESSAGE]})


def test_json_depth_limit_is_exact_and_ignores_brackets_in_strings():
    def parse(text):
        return JSONParser().parse(io.BytesIO(text.encode()), "application/json", {})

    deepest = []
    for _ in range(MAX_JSON_DEPTH - 2):
        deepest = [deepest]
    at_limit = '{"a": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"  # the object is level 1
    assert parse(at_limit) == {"a": deepest}
    with pytest.raises(ValidationError):
        parse('{"a": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}")
    assert parse('{"a": "' + "[{" * 1000 + '\\"]"}') == {"a": "[{" * 1000 + '"]'}
    assert json_depth_exceeds("[" * 65 + "]" * 65) is True
    assert json_depth_exceeds("[" * 64 + "]" * 64) is False
    assert json_depth_exceeds('["\\\\"' + "[" * 64) is True  # an escaped backslash ends the string
    assert json_depth_exceeds('"' + "[" * 100) is False  # an unterminated string swallows the rest


def test_json_body_over_the_memory_limit_is_413_before_parsing(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"email": "a@example.com", "password": "' + "x" * 1000 + '"}'

    response = client.post("/api/v1/auth/login", body, content_type="application/json")

    assert envelope(response) == (413, "PAYLOAD_TOO_LARGE", "The request body is too large.", {})


def test_form_body_over_the_memory_limit_is_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(
        "/api/v1/auth/login",
        "email=a%40example.com&password=" + "x" * 1000,
        content_type="application/x-www-form-urlencoded",
    )

    assert envelope(response) == (413, "PAYLOAD_TOO_LARGE", "The request body is too large.", {})


def test_multipart_fields_over_the_memory_limit_are_413(client, settings):
    # Multipart bodies are only capped by UPLOAD_MAX_REQUEST_BYTES up front; Django's parser then
    # refuses non-file fields over DATA_UPLOAD_MAX_MEMORY_SIZE with RequestDataTooBig.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.ROOT_URLCONF = FORM_URLCONF

    response = client.post(FORM_VIEW, {"email": "a@example.com", "password": "x" * 2000}, format="multipart")

    assert envelope(response) == (413, "PAYLOAD_TOO_LARGE", "The request body is too large.", {})


def test_multipart_body_over_the_upload_ceiling_is_413(client, settings):
    settings.UPLOAD_MAX_REQUEST_BYTES = 1000

    response = client.post("/api/v1/auth/login", {"email": "a@example.com", "password": "x" * 2000}, format="multipart")

    assert envelope(response) == (413, "PAYLOAD_TOO_LARGE", "The request body is too large.", {})


def test_too_many_form_fields_is_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    settings.ROOT_URLCONF = FORM_URLCONF
    body = "&".join(f"f{i}=1" for i in range(11))

    response = client.post(FORM_VIEW, body, content_type="application/x-www-form-urlencoded")

    assert envelope(response) == (400, "TOO_MANY_FIELDS", "The request has too many fields.", {})


def test_too_many_multipart_fields_is_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    settings.ROOT_URLCONF = FORM_URLCONF

    response = client.post(FORM_VIEW, {f"f{i}": "1" for i in range(11)}, format="multipart")

    assert envelope(response) == (400, "TOO_MANY_FIELDS", "The request has too many fields.", {})


def test_too_many_query_parameters_is_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10

    response = client.get("/api/v1/products/?" + "&".join(f"p{i}=1" for i in range(11)))

    assert envelope(response) == (400, "TOO_MANY_FIELDS", "The request has too many fields.", {})


def test_bodies_within_the_limits_still_reach_the_view(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(
        "/api/v1/auth/login", {"email": "nobody@example.com", "password": "wrong-password"}, format="json"
    )

    assert response.status_code == 401
    assert response.json()["code"] != "PAYLOAD_TOO_LARGE"
