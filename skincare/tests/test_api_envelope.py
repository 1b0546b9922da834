import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def plumbing(settings):
    settings.ROOT_URLCONF = "skincare.tests.urls"
    client = APIClient(raise_request_exception=False)
    return client


def test_unknown_api_url_is_enveloped_404(api_client):
    response = api_client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {"status": "error", "code": "NOT_FOUND", "message": "Not found.", "errors": {}}


@pytest.mark.parametrize("url", ["/api/v1/does-not-exist", "/api/v1/reviews/null,null", "/api/v1/products/x/reviews"])
def test_unknown_api_url_is_enveloped_404_with_debug_on(api_client, settings, url):
    # Fuzzing (DEBUG=true, the embedded default): a URL no route matches answered Django's HTML 404 page.
    settings.DEBUG = True
    response = api_client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "error", "code": "NOT_FOUND", "message": "Not found.", "errors": {}}


def test_method_not_allowed_is_enveloped(auth_client):
    response = auth_client.delete("/api/v1/auth/me")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_malformed_json_is_enveloped(api_client):
    response = api_client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "PARSE_ERROR"


def test_unsupported_media_type_is_enveloped(api_client):
    response = api_client.post("/api/v1/auth/login", data="<x/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_validation_errors_list_fields(api_client):
    response = api_client.post("/api/v1/auth/login", {"email": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert set(body["errors"]) == {"email", "password"}
    assert body["message"].startswith("email: ")


def test_unexpected_exception_gives_json_500(plumbing):
    response = plumbing.get("/api/v1/test/boom")
    assert response.status_code == 500
    assert response.json() == {
        "status": "error",
        "code": "SERVER_ERROR",
        "message": "Internal server error.",
        "errors": {},
    }


def test_business_error_keeps_code_and_status(plumbing):
    response = plumbing.get("/api/v1/test/business")
    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "code": "COUPON_EXPIRED",
        "message": "This coupon has expired.",
        "errors": {"code": ["expired"]},
    }


def test_throttling_answers_429_with_retry_after(plumbing, throttle_rates):
    throttle_rates(test="2/min")
    assert plumbing.get("/api/v1/test/throttled").json() == {"status": "success", "data": {"ok": True}}
    assert plumbing.get("/api/v1/test/throttled").status_code == 200
    response = plumbing.get("/api/v1/test/throttled")
    assert response.status_code == 429
    assert response.json()["code"] == "THROTTLED"
    assert int(response["Retry-After"]) > 0


def test_auth_rate_limit_applies_to_real_endpoints(api_client, throttle_rates):
    throttle_rates(auth="3/min")
    codes = [api_client.post("/api/v1/auth/forgot-password", {"email": "a@example.com"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_anonymous_rate_limit_applies_by_default(api_client, throttle_rates):
    throttle_rates(anon="2/min")
    codes = [api_client.post("/api/v1/auth/login", {}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_pagination_meta_and_per_page_cap(auth_client, user):
    from shop.accounts.tests.factories import AddressFactory

    AddressFactory.create_batch(3, user=user)
    body = auth_client.get("/api/v1/user/addresses?per_page=2&page=2").json()
    assert body["meta"] == {"page": 2, "per_page": 2, "total": 3, "total_pages": 2}
    assert len(body["data"]) == 1
    for bad in ("1000", "0", "-1", "ten"):
        response = auth_client.get(f"/api/v1/user/addresses?per_page={bad}")
        assert response.status_code == 400
        assert response.json()["errors"] == {"per_page": ["Expected 1..100."]}
    assert auth_client.get("/api/v1/user/addresses?per_page=100").json()["meta"]["per_page"] == 100
    response = auth_client.get("/api/v1/user/addresses?page=99")
    assert response.status_code == 404
    assert response.json()["status"] == "error"


def test_schema_documents_envelopes(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    login = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert login["200"]["content"]["application/json"]["schema"]["properties"]["status"]["enum"] == ["success"]
    assert login["400"]["content"]["application/json"]["schema"] == {
        "allOf": [
            {"$ref": "#/components/schemas/ErrorEnvelope"},
            {
                "type": "object",
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": ["PARSE_ERROR", "TOO_MANY_FIELDS", "VALIDATION_ERROR"],
                    }
                },
            },
        ]
    }
    addresses = schema["paths"]["/api/v1/user/addresses"]["get"]["responses"]["200"]
    ref = addresses["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    listing = schema["components"]["schemas"][ref]
    assert listing["properties"]["meta"] == {"$ref": "#/components/schemas/PageMeta"}


def test_swagger_ui_is_served_offline(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"/static/drf_spectacular_sidecar/" in response.content
