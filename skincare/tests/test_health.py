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


def test_within_the_hold_the_cache_check_fails_at_once_instead_of_waiting_for_redis(client: Client, settings):
    """A readiness probe that waited for a Redis that does not answer would hold a web worker each time
    (10 s per probe in the compose trial's Redis drill)."""
    import time

    from skincare.service_outage import redis_outage
    from skincare.testing import SilentServer

    settings.SERVICE_DOWN_HOLD_SECONDS = 60
    server = SilentServer()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {
                "CLIENT_CLASS": "skincare.observability.cache.RedisClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    try:
        assert client.get("/health/ready").json()["checks"]["cache"]["status"] == "down"  # waited once
        assert redis_outage.known() and server.connections == 1

        started = time.perf_counter()
        response = client.get("/health/ready")
        assert time.perf_counter() - started < 0.5
        assert response.status_code == 200 and response.json()["status"] == "degraded"
        assert response.json()["checks"]["cache"]["status"] == "down"
        assert server.connections == 1
    finally:
        server.close()


def test_within_the_hold_the_broker_check_fails_at_once_and_asks_again_after_it(client: Client, settings, monkeypatch):
    from skincare import service_outage
    from skincare.service_outage import broker_outage

    now = [1000.0]
    monkeypatch.setattr(service_outage.time, "monotonic", lambda: now[0])
    settings.SERVICE_DOWN_HOLD_SECONDS = 15
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"  # refuses
    assert client.get("/health/ready").json()["checks"]["broker"]["status"] == "down"
    assert broker_outage.known()  # the failed probe opened the hold, as a failed publish does

    broker = client.get("/health/ready").json()["checks"]["broker"]  # within the hold: not asked
    assert broker["status"] == "down" and "not asked again" in broker["error"]

    now[0] += 15  # after it: asked again (and refused again)
    broker = client.get("/health/ready").json()["checks"]["broker"]
    assert broker["status"] == "down" and "not asked again" not in broker["error"]
    assert broker_outage.known()
