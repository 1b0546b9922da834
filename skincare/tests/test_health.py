import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_liveness(client: Client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_all_up(client: Client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert {name: c["status"] for name, c in checks.items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "analytics_store": "ok",
    }


def test_readiness_reports_cache_down(client: Client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"


def test_readiness_reports_broker_down(client: Client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "down"


def test_readiness_reports_analytics_store_down(client: Client, settings):
    settings.MONGODB_URL = "mongodb://127.0.0.1:1/"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["analytics_store"]["status"] == "down"
