"""Liveness (`/health`) and readiness (`/health/ready`).

Readiness checks every backing service the configuration asks for and answers 503
when a required one is down (the database, the analytics store, and Redis when the cache does
not ignore its errors), so a load balancer stops sending traffic. The broker and an ignored
Redis being down, or a stale Celery worker or beat heartbeat, only make the answer ``degraded``
(still 200): this web process can serve pages and take orders without them (tasks wait in
the outbox or the broker, cache reads miss), and taking every web process out of the load
balancer would stop the shop without bringing them back.
In eager mode (no broker) there is no worker or beat: both are ``not_applicable``.
"""

import time
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from skincare.observability.celery_hooks import BEAT_HEARTBEAT_KEY, WORKER_HEARTBEAT_KEY
from skincare.service_outage import broker_outage

CHECK_TIMEOUT_SECONDS = 2


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"backend": connection.vendor}


def check_cache():
    # Within this process's hold after a Redis failure (skincare/service_outage.py) the check fails at once, as
    # every cache call does: a probe that waited for a Redis that does not answer would hold a web worker.
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return {"backend": "eager"}
    from kombu import Connection

    if broker_outage.known():  # as for the cache: answered at once within this process's hold
        raise ConnectionError(broker_outage.not_asked())
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
    except Exception:
        broker_outage.seen()
        raise
    return {"backend": "broker"}


def check_analytics_store():
    if not settings.MONGODB_URL:
        check_database()
        return {"backend": "relational"}
    import pymongo

    client = pymongo.MongoClient(settings.MONGODB_URL, serverSelectionTimeoutMS=CHECK_TIMEOUT_SECONDS * 1000)
    try:
        client.admin.command("ping")
    finally:
        client.close()
    return {"backend": "mongodb"}


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "analytics_store": check_analytics_store,
}


def heartbeat_check(key):
    """``ok`` when the heartbeat is younger than HEALTH_HEARTBEAT_MAX_AGE, else ``stale`` (or never seen)."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return {"status": "not_applicable"}
    try:
        beat_at = cache.get(key)
    except Exception as exc:  # noqa: BLE001 - the cache check reports the outage itself
        return {"status": "unknown", "error": f"{type(exc).__name__}: {exc}"[:300]}
    if beat_at is None:
        return {"status": "stale", "last_seen": None, "age_seconds": None}
    age = max(time.time() - float(beat_at), 0.0)
    return {
        "status": "ok" if age <= settings.HEALTH_HEARTBEAT_MAX_AGE else "stale",
        "last_seen": datetime.fromtimestamp(float(beat_at), UTC).isoformat().replace("+00:00", "Z"),
        "age_seconds": round(age, 1),
    }


HEARTBEATS = {"worker": WORKER_HEARTBEAT_KEY, "beat": BEAT_HEARTBEAT_KEY}


def required(name):
    """Whether this process cannot serve without the service. It sells without the broker (tasks wait in the
    outbox, skincare/outbox.py) and without Redis while the cache ignores its errors (reads miss, writes are
    skipped): a load balancer that took every web process out when one of those is down would stop a shop that
    could go on selling (docs/operations.md, Runbook)."""
    if name == "broker":
        return False
    if name == "cache":
        ignored = getattr(settings, "DJANGO_REDIS_IGNORE_EXCEPTIONS", False)
        return not settings.CACHES["default"].get("OPTIONS", {}).get("IGNORE_EXCEPTIONS", ignored)
    return True


def run_checks():
    """``(healthy, services_ok, results)``: healthy is False when a required service is down."""
    results, healthy, all_ok = {}, True, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = check()
            results[name] = {"status": "ok", **detail}
        except Exception as exc:  # noqa: BLE001 - any failure means "down"
            all_ok = False
            healthy = healthy and not required(name)
            results[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["required"] = required(name)
        results[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return healthy, all_ok, results


@never_cache
@require_GET
def liveness(request):
    return JsonResponse({"status": "ok"})


def run_heartbeats():
    results = {name: heartbeat_check(key) for name, key in HEARTBEATS.items()}
    fresh = all(result["status"] in ("ok", "not_applicable") for result in results.values())
    return fresh, results


@never_cache
@require_GET
def readiness(request):
    """503 ``error`` when a required service is down; 200 ``degraded`` when a service the shop sells without
    (``required``) is down or a heartbeat is stale."""
    healthy, all_ok, results = run_checks()
    fresh, heartbeats = run_heartbeats()
    status = "error" if not healthy else "ok" if fresh and all_ok else "degraded"
    return JsonResponse({"status": status, "checks": results, "heartbeats": heartbeats}, status=200 if healthy else 503)
