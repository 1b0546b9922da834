"""Where a cold catalog row's CPU goes, without a profiler's distortion: process-time timers around the parts.

    DATABASE_URL=... REDIS_URL=... DEBUG=false SECRET_KEY=... N=300 \\
        .venv/bin/python benchmarks/catalog_cold_parts.py health list-cold search-cold typo

cProfile multiplies the cost of the many small calls of a list request (query cloning, Redis
replies); here only a few functions are wrapped, each with one ``time.process_time()`` pair, and
their inclusive CPU per request is printed (nested parts are counted in their callers too) with
how often each ran, next to the row's whole CPU. Rows and URLs are ``catalog_cpu.py``'s; a part
that does not exist in the code measured (an older commit) is left out.
"""

import collections
import functools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

import django  # noqa: E402

django.setup()

import redis.client  # noqa: E402
from catalog_cpu import url_makers  # noqa: E402
from django.db.models.sql import compiler  # noqa: E402
from django.test import Client  # noqa: E402
from django_redis.client import DefaultClient  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from shop.catalog import apis, search  # noqa: E402
from skincare.api import conditional, renderers  # noqa: E402

cpu = collections.defaultdict(float)
calls = collections.Counter()


def timed(owner, name, label=None):
    original = getattr(owner, name, None) if owner is not None else None
    if original is None:
        return
    label = label or f"{getattr(owner, '__name__', owner)}.{name}"

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            cpu[label] += time.process_time() - start
            calls[label] += 1

    setattr(owner, name, wrapper)


PARTS = [
    (apis.ProductListApi, "list"),
    (apis.ProductListApi, "filter_queryset"),
    (apis.ProductListApi, "get_queryset"),
    (apis.ProductListApi, "paginate_queryset"),
    (apis.ProductListApi, "page_ids"),  # the ids: filters and pagination (list_ids on the list's path)
    (apis.ProductFilter, "is_valid"),  # the filter form
    (apis.ProductFilter, "filter_statement"),
    (getattr(apis, "ProductIdsStatement", None), "page_rows_with_total"),
    (apis.listing, "product_list_items"),
    (apis.listing, "product_list_fragments"),
    (apis.listing, "product_list_fragments_joined"),
    (apis, "product_list_item_absolute"),
    (apis, "rendered_entry"),
    (apis, "content_entry"),
    (apis, "render_answer"),
    (conditional, "_validators"),
    (conditional, "_first_seen"),
    (apis.catalog_cache, "set_many_expiring"),
    (renderers.EnvelopeJSONRenderer, "render"),
    (search, "correct_spelling"),
    (APIView, "initial"),  # authentication and the throttle (with its cache prefetch)
    (compiler.SQLCompiler, "as_sql"),
    (compiler.SQLCompiler, "execute_sql"),
    (redis.client.Redis, "execute_command"),
    (redis.client.Pipeline, "execute"),
    (DefaultClient, "decode"),
]


def main():
    for owner, name in PARTS:
        timed(owner, name)
    makers = url_makers()
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    n = int(os.environ.get("N", "200"))
    for row in sys.argv[1:] or ["health", "list-cold", "search-cold", "typo"]:
        make = makers[row]
        for i in range(10):
            client.get(make(), REMOTE_ADDR=f"10.0.{i}.1")
        urls = [make() for _ in range(n)]
        cpu.clear()
        calls.clear()
        start = time.process_time()
        for i, url in enumerate(urls):
            client.get(url, REMOTE_ADDR=f"10.1.{i % 250}.{i % 249 + 1}")
        print(f"{row}: {(time.process_time() - start) / n * 1000:.2f} ms CPU per request", flush=True)
        for label, seconds in sorted(cpu.items(), key=lambda item: -item[1]):
            print(f"    {label:50s} {seconds / n * 1000:6.3f} ms  {calls[label] / n:5.2f} calls")


if __name__ == "__main__":
    main()
