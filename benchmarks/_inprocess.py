"""What the in-process CPU benchmarks share (``cart_requests``, ``request_cpu``, ``catalog_cpu``,
``signed_in_reads``, ``inprocess_ratio``, ``checkout_inprocess``, ``pages_cpu``, ``cart_cpu``): Django set
up in this process with the settings ``hot_paths.py`` gives its gunicorn, test clients of the whole stack,
CPU time per request with ``time.process_time()`` (it survives a loaded machine where wall-clock
throughput does not), exact Redis round trips and cProfile listings per request.
"""

import contextlib
import logging
import os
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The settings ``benchmarks/hot_paths.py`` gives its gunicorn (``request_cpu``, ``pages_cpu``, ``cart_cpu``).
BENCH_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "request-cpu-benchmark",
    "SECURE_SSL_REDIRECT": "false",
    "NUM_PROXIES": "1",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DB_CONN_MAX_AGE": "60",
    "QUERY_COUNT_HEADER": "true",
    "DJANGO_SETTINGS_MODULE": "skincare.settings",
}


def django_setup(**defaults):
    """Django set up in this process: the project importable, ``defaults`` for the environment variables
    not set already (``DJANGO_SETTINGS_MODULE``: ``skincare.settings``)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


def logs_to_devnull():
    """The log lines (request log included) written to ``/dev/null``: still formatted, as under gunicorn."""
    devnull = open(os.devnull, "w")  # noqa: SIM115 - for the whole run
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)


@contextlib.contextmanager
def count_redis_trips():
    """Round trips to Redis (commands or pipelines sent), counted while the block runs: ``[n]``."""
    from redis.connection import AbstractConnection

    count = [0]
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        count[0] += 1
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = counting
    try:
        yield count
    finally:
        AbstractConnection.send_packed_command = original


def test_client(**defaults):
    """Django's test client as ``127.0.0.1`` (an allowed host), with ``defaults`` on every request."""
    from django.test import Client

    return Client(HTTP_HOST="127.0.0.1", **defaults)


def jwt_client(user):
    """A client signed in as ``user`` with a JWT access token, as the mobile apps and ``hot_paths.py`` are."""
    from rest_framework_simplejwt.tokens import RefreshToken

    return test_client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")


@dataclass
class Timing:
    cpu_ms: float  # per call
    wall_ms: float  # per call
    queries: list | None  # the statements captured (``capture``)
    last: object  # what the last call answered


def timed(call, n, *, capture=False, profiler=None):
    """``call(i)`` for i in 0..n-1, timed as one block: CPU and wall milliseconds per call, the SQL statements
    when ``capture`` (captured during the block, so their capture is in the time), under ``profiler``
    (enabled around the calls) when given."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    last = None
    with CaptureQueriesContext(connection) if capture else nullcontext() as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(n):
            last = call(i)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return Timing(cpu / n * 1000, wall / n * 1000, queries.captured_queries if capture else None, last)


def print_profile(profiler, *, name, per, top):
    """A cProfile of ``per`` requests of row ``name``: the time per request, then the ``top`` functions by
    internal and by cumulative time (``pstats`` listings)."""
    import pstats

    stats = pstats.Stats(profiler, stream=sys.stdout)
    total = sum(tt for (_, _, tt, _, _) in stats.stats.values())
    print(f"{name}: {total / per * 1000:.3f} ms per request (profiled)")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def print_functions(stats, *, per, top, key="cumulative", where, keep=None):
    """The ``top`` functions of ``stats`` (``pstats.Stats``) by ``key`` time ("cumulative" or "tottime"),
    per one of the ``per`` profiled requests: milliseconds, calls and ``where(filename)``:line; ``keep``
    chooses the files listed."""
    column = {"tottime": 2, "cumulative": 3}[key]
    rows = sorted(
        (
            (figures[column], figures[1], filename, line, function)
            for (filename, line, function), figures in stats.stats.items()
        ),
        reverse=True,
    )
    for spent, calls, filename, line, function in [row for row in rows if keep is None or keep(row[2])][:top]:
        print(f"  {spent / per * 1000:8.2f}  {calls / per:6.1f}x  {where(filename)}:{line} {function}")


def where_in_project(filename):
    """A profiled file as the listings show it: relative to the project, or from ``site-packages/`` on."""
    if filename.startswith(str(ROOT)):
        return os.path.relpath(filename, ROOT)
    return filename.split("site-packages/")[-1]


def checkout_shoppers(shoppers, products):
    """``(clients, product ids)`` for in-process checkouts on a demo database: ``[(user, JWT client, address
    id)]`` of the first ``shoppers`` demo shoppers with an address (their default first), and the ``products``
    most stocked active products without variants (what ``benchmarks/hot_paths.py``'s checkout row buys)."""
    from shop.accounts.models import Role, User
    from shop.catalog.models import Product, ProductStatus

    users = User.objects.filter(email__startswith="shopper", role=Role.CUSTOMER, is_active=True)
    users = list(users.exclude(addresses=None).order_by("pk")[:shoppers])
    ids = list(
        Product.objects.filter(status=ProductStatus.ACTIVE, variants__isnull=True)
        .order_by("-stock_quantity", "pk")
        .values_list("pk", flat=True)[:products]
    )
    clients = [(u, jwt_client(u), u.addresses.order_by("-is_default", "pk").first().pk) for u in users]
    return clients, ids


def checkout_post(client, address_id):
    """``POST /api/v1/orders`` with the test card, the address and a new ``Idempotency-Key``, as
    ``benchmarks/hot_paths.py``'s checkout row sends it; stops the run unless the order was placed (201)."""
    import uuid

    response = client.post(
        "/api/v1/orders",
        {"payment_method": "card", "card_number": "4242424242424242", "address_id": address_id},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    if response.status_code != 201:
        raise SystemExit(f"checkout answered {response.status_code}: {response.content[:500]}")
    return response
