"""Liveness (`/health`) and readiness (`/health/ready`).

Readiness checks every backing service the configuration asks for and answers 503
when a required one is down, so a load balancer stops sending traffic.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

CHECK_TIMEOUT_SECONDS = 2


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"backend": connection.vendor}


def check_cache():
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

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
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


def run_checks():
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = check()
            results[name] = {"status": "ok", **detail}
        except Exception as exc:  # noqa: BLE001 - any failure means "down"
            healthy = False
            results[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return healthy, results


@never_cache
@require_GET
def liveness(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readiness(request):
    healthy, results = run_checks()
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)
