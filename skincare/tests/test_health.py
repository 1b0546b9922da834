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
    assert body["checks"]["cache"]["status"] == "down" and body["checks"]["cache"]["required"] is True
    assert body["checks"]["database"]["status"] == "ok"


def test_readiness_reports_broker_down_as_degraded_since_the_shop_sells_without_it(client: Client, settings):
    """Tasks wait in the outbox: a 503 would make a load balancer stop a shop that can go on selling."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["status"] == "down" and body["checks"]["broker"]["required"] is False


def test_readiness_reports_an_ignored_cache_down_as_degraded(client: Client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
        }
    }
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"] == {**body["checks"]["cache"], "status": "down", "required": False}


def test_readiness_reports_analytics_store_down(client: Client, settings):
    settings.MONGODB_URL = "mongodb://127.0.0.1:1/"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["analytics_store"]["status"] == "down"


def test_readiness_asks_redis_whatever_the_hold_and_ends_it(client: Client):
    """After Redis failed, a process does not ask it again for SERVICE_DOWN_HOLD_SECONDS; readiness still probes
    Redis itself, so it reports the service, and a Redis that answers ends the hold."""
    from skincare.service_outage import redis_outage
    from skincare.testing import redis_only

    redis_only()
    redis_outage.seen()
    response = client.get("/health/ready")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["cache"]["status"] == "ok"
    assert not redis_outage.known()


def test_readiness_ends_the_broker_hold_when_the_broker_answers(client: Client, settings):
    from skincare.service_outage import broker_outage

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    broker_outage.seen()
    response = client.get("/health/ready")
    assert response.json()["checks"]["broker"]["status"] == "ok"
    assert not broker_outage.known()

    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"  # a broker that refuses
    response = client.get("/health/ready")
    assert response.json()["checks"]["broker"]["status"] == "down"
    assert not broker_outage.known()  # the probe is not a publish: it neither opens nor closes the hold
