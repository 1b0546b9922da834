"""The benchmark-only ``X-Query-Count`` header (``QUERY_COUNT_HEADER=true``) counts the SQL a request ran."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

HEADER_MIDDLEWARE = "skincare.api.query_count.QueryCountHeaderMiddleware"


@pytest.fixture
def with_header(settings):
    settings.MIDDLEWARE = [HEADER_MIDDLEWARE, *settings.MIDDLEWARE]


def test_header_counts_the_statements_of_the_request(client, with_header):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/health/ready")
    assert response.status_code == 200
    assert len(captured) >= 1  # readiness checks the database
    assert response["X-Query-Count"] == str(len(captured))


def test_header_is_zero_without_sql(client, with_header):
    assert client.get("/health")["X-Query-Count"] == "0"


def test_no_header_without_the_setting(client):
    assert "X-Query-Count" not in client.get("/health")


def test_setting_is_off_by_default(settings):
    assert settings.QUERY_COUNT_HEADER is False
    assert HEADER_MIDDLEWARE not in settings.MIDDLEWARE
