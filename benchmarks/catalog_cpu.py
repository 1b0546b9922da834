"""In-process CPU per request of the catalog rows of ``hot_paths.py``, as a ratio to ``/health``.

    DATABASE_URL=... REDIS_URL=... DEBUG=false SECRET_KEY=... N=100 \\
        .venv/bin/python benchmarks/catalog_cpu.py health list-cold search-cold typo

Requests go through Django's test ``Client`` (the whole middleware stack, no server). Each row's URLs
are built like ``hot_paths.py``'s (cold rows: a ``max_price`` different per request, so neither page
nor total is cached); ``WARM`` untimed warm-up requests (default 10; a few hundred also fill the products'
cached list items, as a long run has them), then ``N`` timed with ``time.process_time()``: CPU
milliseconds per request survive a loaded machine where wall-clock throughput does not. Prints CPU and
wall ms, SQL statements per request and ``/health``'s CPU over the row's (name ``health`` first), then
two exact counts per request of 50 more that the machine's load does not change: Redis round trips and
Python function calls. ``PROFILE=<row>`` adds a cProfile of that row by CPU time (``TOP`` lines).
"""

import cProfile
import os
import pstats
import random
import re
import sys
import time
from itertools import count
from urllib.parse import urlencode

from _inprocess import count_redis_trips, django_setup, logs_to_devnull, test_client, timed

django_setup()

from catalog import LIST_QUERIES, SEARCH_QUERIES  # noqa: E402
from hot_paths import typos  # noqa: E402

from shop.catalog.models import Product  # noqa: E402
from shop.catalog.selectors import category_nodes  # noqa: E402

N = int(os.environ.get("N", "60"))
ROWS = ["health", "list-cold", "search-cold", "typo", "search-cached", "list-cached"]
ROWS += ["page-home", "page-category", "page-search"]


def url_makers():
    names = Product.objects.filter(status="active").values_list("name", flat=True)[:400]
    words = sorted({word.lower() for name in names for word in re.findall(r"[A-Za-z]{5,}", name)})
    typo_words = [typo for word in words for typo in typos(word)]
    random.Random(1).shuffle(typo_words)
    categories = [node["slug"] for node in category_nodes()]
    unique, cycle = count(int(time.time()) % 100000 * 1000), count()

    def cold_list():
        n = next(unique)
        max_price = {"max_price": str(100000 + n)}
        if n % 2:
            return f"/api/v1/products?{urlencode({**LIST_QUERIES[n % len(LIST_QUERIES)], **max_price})}"
        return f"/api/v1/categories/{categories[n % len(categories)]}/products?{urlencode(max_price)}"

    def search(word_list):
        def make():
            n = next(unique)
            return f"/api/v1/products/search?{urlencode({'q': word_list[n % len(word_list)], 'max_price': 100000 + n})}"

        return make

    return {
        "health": lambda: "/health",
        "list-cold": cold_list,
        "search-cold": search(words),
        "typo": search(typo_words),
        "search-cached": lambda: f"/api/v1/products/search?{urlencode({'q': SEARCH_QUERIES[next(cycle) % 10]})}",
        "list-cached": lambda: f"/api/v1/products?{urlencode(LIST_QUERIES[next(cycle) % len(LIST_QUERIES)])}",
        "page-home": lambda: "/",
        "page-category": lambda: f"/c/{categories[next(cycle) % len(categories)]}/",
        "page-search": lambda: f"/search/?{urlencode({'q': SEARCH_QUERIES[next(cycle) % 6]})}",
    }


def exact_counts(client, make, n=50):
    """Redis round trips and Python function calls per request, over ``n`` requests of the row."""
    urls = [make() for _ in range(2 * n)]
    with count_redis_trips() as trips:
        for i, url in enumerate(urls[:n]):
            client.get(url, REMOTE_ADDR=f"10.2.{i}.1")
    profiler = cProfile.Profile()
    profiler.enable()
    for i, url in enumerate(urls[n:]):
        client.get(url, REMOTE_ADDR=f"10.3.{i}.1")
    profiler.disable()
    return trips[0] / n, sum(stat[1] for stat in pstats.Stats(profiler).stats.values()) / n


def main():
    logs_to_devnull()
    makers = url_makers()
    client = test_client(HTTP_X_FORWARDED_PROTO="https")
    profile_row, base = os.environ.get("PROFILE"), None
    for row in sys.argv[1:] or ROWS:
        make = makers[row]
        for i in range(int(os.environ.get("WARM", "10"))):
            response = client.get(make(), REMOTE_ADDR=f"10.0.{i % 250}.1")
            assert response.status_code == 200, (row, response.status_code, response.content[:300])
        urls = [make() for _ in range(N)]
        profiler = cProfile.Profile(time.process_time) if row == profile_row else None
        timing = timed(
            lambda i, urls=urls: client.get(urls[i], REMOTE_ADDR=f"10.1.{i % 250}.{i % 249 + 1}"),
            N,
            capture=True,
            profiler=profiler,
        )
        cpu, wall = timing.cpu_ms, timing.wall_ms
        base = cpu if row == "health" else base
        sql = sum(float(query["time"]) for query in timing.queries) / N * 1000
        print(
            f"{row:15s} cpu {cpu:6.2f} ms  wall {wall:6.2f} ms  sql(wall) {sql:5.2f} ms  "
            f"statements {len(timing.queries) / N:4.2f}  health/cpu {base / cpu if base else 0:5.3f}  "
            "Redis trips {:4.2f}  Python calls {:6.0f}".format(*exact_counts(client, make)),
            flush=True,
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(int(os.environ.get("TOP", "45")))


if __name__ == "__main__":
    main()
