"""Prometheus series of the web processes and Celery workers, and the restricted ``/metrics`` view.

Under gunicorn (several worker processes) or a prefork Celery worker, prometheus_client must run
in multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR`` names a directory every process writes its
samples to, and a scrape merges them (``gunicorn.conf.py`` sets one up when it is unset).

prometheus_client names each process's files by its pid. In the compose deploy the directory is a volume that
the web and worker containers share, and each container numbers its processes from 1: a gunicorn worker and a
Celery pool process both had pid 7 and wrote ``counter_7.db`` at once, and the scrape failed on the mangled file
(``UnicodeDecodeError``, a 500; docs/operations.md, "Session 20"). The files are named by host and pid instead
(``process_identifier``); a container's hostname is its own.
"""

import hmac
import ipaddress
import logging
import os
import socket

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from skincare.observability.context import current

logger = logging.getLogger(__name__)

# Routes are resolved URL names (bounded); a path that resolves to nothing is one label value.
UNMATCHED_ROUTE = "<unmatched>"
STATIC_ROUTE = "<static>"

_HOST = socket.gethostname()


def process_identifier(pid=None):
    """This process's name in the multiprocess directory: unique across the hosts and containers sharing it."""
    return f"{_HOST}-{os.getpid() if pid is None else pid}"


if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # before any metric below is made: each takes the class then
    values.ValueClass = values.MultiProcessValue(process_identifier)

HTTP_REQUESTS = Counter("http_requests", "HTTP responses by route, method and status.", ["route", "method", "status"])
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from the request entering the middleware stack to the response leaving it.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HTTP_DB_QUERIES = Histogram(
    "http_request_db_queries",
    "Database queries run while answering one request, by route.",
    ["route"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
)
DB_QUERIES = Counter("db_queries", "Database queries run (web and tasks), by connection.", ["alias", "vendor"])
CACHE_GETS = Counter("cache_gets", "Cache reads by cache and result (hit or miss).", ["cache", "result"])
CELERY_TASKS = Counter("celery_tasks", "Finished Celery task runs by task and outcome.", ["task", "outcome"])
CELERY_TASK_DURATION = Histogram(
    "celery_task_duration_seconds",
    "Run time of Celery tasks, by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600),
)

TASK_OUTCOMES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried", "REJECTED": "rejected"}


def db_execute_wrapper(alias, vendor):
    """An ``execute_wrappers`` entry that counts each query, and the request's share of them."""
    counter = DB_QUERIES.labels(alias, vendor)

    def count_query(execute, sql, params, many, context):
        counter.inc()
        log_context = current()
        if log_context is not None:
            log_context.queries += 1
        return execute(sql, params, many, context)

    count_query.skincare_metrics = True
    return count_query


def db_connection_instrument(sender, connection, **kwargs):
    """``connection_created`` receiver: the counter goes first, so a caller's own
    ``connection.execute_wrapper()`` block (which pops the last entry) never removes it."""
    if not any(getattr(wrapper, "skincare_metrics", False) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.insert(0, db_execute_wrapper(connection.alias, connection.vendor))


def celery_queue_names():
    from skincare.celery import app

    return sorted(app.amqp.queues)


def broker_queue_lengths(queues=None):
    """``{queue: messages waiting}`` read from the broker now; empty in eager mode."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return {}
    from kombu import Connection

    lengths = {}
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
        channel = connection.default_channel
        for name in celery_queue_names() if queues is None else queues:
            try:
                lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except connection.channel_errors:  # not declared yet: nobody consumed or published to it
                lengths[name] = 0
                channel = connection.channel()  # AMQP closes the channel on a failed passive declare
    return lengths


class QueueLengthCollector:
    """``celery_queue_length`` per queue, asked from the broker at scrape time (nothing stored)."""

    def collect(self):
        family = GaugeMetricFamily("celery_queue_length", "Messages waiting in each Celery queue.", labels=["queue"])
        try:
            lengths = broker_queue_lengths()
        except Exception:  # noqa: BLE001 - a down broker must not break the scrape
            logger.warning("celery queue length unavailable", exc_info=True)
            lengths = {}
        for queue, length in sorted(lengths.items()):
            family.add_metric([queue], length)
        yield family


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def metrics_text() -> bytes:
    if multiprocess_mode():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    queues = CollectorRegistry()
    queues.register(QueueLengthCollector())
    return generate_latest(registry) + generate_latest(queues)


def metrics_allowed(request) -> bool:
    """A matching ``Authorization: Bearer <METRICS_TOKEN>``, or a client address in METRICS_ALLOWED_IPS."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
            return True
    networks = settings.METRICS_ALLOWED_IPS
    if networks:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(network, strict=False) for network in networks)
    return False


@never_cache
@require_GET
def metrics_view(request):
    """Prometheus text format; answers 404 (as if it did not exist) to anyone not allowed."""
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
