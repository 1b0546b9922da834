"""A database outage answers 503 with Retry-After, in the envelope on the API and as a short page on the
site, never a 500 (``skincare.outages``; the drill with a real PostgreSQL stopped under traffic is in
docs/operations.md, "Database down").

The outage is made by refusing every statement at the connection, as a stopped server does at the
first query of the request (``psycopg.OperationalError`` surfaces as ``django.db.OperationalError``).
"""

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import resolve

from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def refuse(execute, sql, params, many, context):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def closed(execute, sql, params, many, context):
    raise InterfaceError("connection already closed")


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_an_api_read_answers_503_in_the_envelope_with_retry_after(client):
    ProductFactory()
    with connection.execute_wrapper(refuse):
        response = client.get("/api/v1/products")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "error",
        "code": "SERVICE_UNAVAILABLE",
        "message": "The service is temporarily unavailable. Try again shortly.",
        "errors": {},
    }
    assert response["X-Request-ID"]

    # The database is back: the same request is served.
    response = client.get("/api/v1/products")
    assert response.status_code == 200
    assert response.json()["meta"]["total"] == 1


def test_the_message_follows_the_language(client):
    with connection.execute_wrapper(refuse):
        response = client.get("/api/v1/products", HTTP_ACCEPT_LANGUAGE="km")

    assert response.status_code == 503
    assert response.json()["message"] == "សេវាកម្មមិនអាចប្រើបានជាបណ្តោះអាសន្ន។ សូមព្យាយាមម្តងទៀតក្នុងពេលបន្តិចទៀត។"


def test_a_signed_in_shoppers_write_answers_503_when_the_session_cannot_be_read(client, user):
    product = ProductFactory(stock_quantity=5)
    client.force_login(user)
    with connection.execute_wrapper(closed):
        response = client.post(
            "/api/v1/cart/items", {"product_id": product.id, "quantity": 1}, content_type="application/json"
        )

    assert response.status_code == 503
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert response["Retry-After"] == "30"
    assert client.get("/api/v1/cart").json()["data"]["items"] == []


def test_a_page_answers_a_short_503_page_without_a_trace(client):
    ProductFactory()
    with connection.execute_wrapper(refuse):
        response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The shop is briefly unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page

    assert client.get("/").status_code == 200


def test_any_other_unexpected_error_is_still_a_500(client, monkeypatch):
    view = resolve("/api/v1/products").func.view_class

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(view, "get", broken)
    response = client.get("/api/v1/products")

    assert response.status_code == 500
    assert response.json()["code"] == "SERVER_ERROR"
    assert "Retry-After" not in response


def test_the_log_names_the_error_once_without_a_traceback_for_a_lost_connection(client, caplog):
    with connection.execute_wrapper(refuse), caplog.at_level("INFO"):
        client.get("/api/v1/products")

    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [(r.name, r.getMessage()) for r in errors] == [
        (
            "skincare.outages",
            "Database unavailable, answered 503: GET catalog:product-list: OperationalError: "
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused',
        )
    ]
    assert errors[0].exc_info is None


def test_a_full_disk_under_uploads_answers_503_with_retry_after(user, monkeypatch):
    from django.core.files.storage import storages
    from rest_framework.test import APIClient

    from shop.files.tests.factories import jpeg_bytes, upload
    from shop.files.tests.test_api_upload import post_files

    def full(name, content, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storages["default"], "save", full)
    client = APIClient()
    client.force_authenticate(user)
    response = post_files(client, "review", upload(jpeg_bytes((400, 400))))

    assert response.status_code == 503
    assert response.json()["code"] == "FILE_STORAGE_UNAVAILABLE"
    assert response["Retry-After"] == "30"


def test_a_domain_error_that_asks_to_wait_keeps_its_own_retry_after():
    from skincare.api.error_codes import ApiErrorCode
    from skincare.api.exceptions import exception_handler
    from skincare.errors import ApplicationError

    error = ApplicationError(ApiErrorCode.SERVICE_UNAVAILABLE)
    assert exception_handler(error, {})["Retry-After"] == "30"
    error.wait = 120
    assert exception_handler(error, {})["Retry-After"] == "120"
    assert "Retry-After" not in exception_handler(ApplicationError(ApiErrorCode.CONFLICT), {})
