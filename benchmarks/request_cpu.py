"""CPU time per request of the cached read rows, in process, as a ratio to ``/health`` (survives machine load).

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/6 \\
        python benchmarks/request_cpu.py --requests 2000 [--profile ROW] [--top 40]

Every request goes through Django's whole stack (the test ``Client``: middleware, URL resolving, the
view), with the settings ``benchmarks/hot_paths.py`` gives its gunicorn (``DEBUG=false``, one proxy,
``X-Query-Count`` on, a prometheus multiprocess directory, request log lines on, written to
``/dev/null``). The rows are the ones whose answer comes from the cache: after one warm-up pass each is
``time.process_time()`` over ``--requests`` requests, interleaved with ``/health`` in blocks so a change
of machine load hits both alike. Printed: CPU ms per request, × /health (``/health``'s CPU time divided by
the row's, the throughput ratio one worker would reach if CPU were all), and three exact counts per
request that machine load does not change: SQL statements, Redis round trips, Python function calls.
``--profile ROW`` runs cProfile over that row's requests instead and prints the top functions by
internal and cumulative time. ``--sections`` prints, per row, the CPU time spent inside each middleware (its
own part, without the layers below it) and in the stages of DRF's dispatch and of the cached views (time
around each function, inclusive; a few µs of timer overhead each), to say where a row's cost over
``/health`` goes.
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from urllib.parse import urlencode

from _inprocess import BENCH_ENV, ROOT, count_redis_trips, django_setup, logs_to_devnull, print_profile, test_client

sys.path.insert(0, str(ROOT / "benchmarks"))


def rows_for(data):
    """The cached rows of ``benchmarks/hot_paths.py``, with its paths."""
    from catalog import LIST_QUERIES, SEARCH_QUERIES

    return {
        "health": ["/health"],
        "product list, cached page": [f"/api/v1/products?{urlencode(x)}" for x in LIST_QUERIES],
        "product detail": [f"/api/v1/products/{slug}" for slug in data["slugs"]],
        "search, cached": [f"/api/v1/products/search?{urlencode({'q': w})}" for w in SEARCH_QUERIES],
        "review summary": [f"/api/v1/products/{pk}/reviews/summary" for pk in data["popular"]],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--blocks", type=int, default=4, help="interleaved blocks per row (with /health)")
    parser.add_argument("--profile", help="a row name: cProfile its requests instead of timing")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", nargs="*", help="row names (default: all)")
    parser.add_argument("--sections", action="store_true", help="CPU µs per request in each section")
    args = parser.parse_args(argv)

    django_setup(**BENCH_ENV, PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(prefix="request-cpu-metrics-"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shop.catalog.models import Product, ProductStatus

    logs_to_devnull()

    active = Product.objects.filter(status=ProductStatus.ACTIVE)
    data = {
        "slugs": list(active.order_by("-sales_count", "pk").values_list("slug", flat=True)[:50]),
        "popular": list(active.order_by("-review_count", "pk").values_list("pk", flat=True)[:5]),
    }
    rows = rows_for(data)
    if args.only:
        rows = {name: paths for name, paths in rows.items() if name == "health" or name in args.only}
    from catalog import client_address

    # Timers installed before the client's first request, which captures the handler's methods.
    spent = install_section_timers() if args.sections else None
    client = test_client(HTTP_ACCEPT="application/json")
    counter = iter(range(10**9))

    def run(paths, n):
        for i in range(n):
            # Many anonymous shoppers (one proxy in front), as hot_paths.py's clients are.
            response = client.get(paths[i % len(paths)], HTTP_X_FORWARDED_FOR=client_address(next(counter)))
            if response.status_code != 200:
                raise SystemExit(f"{paths[i % len(paths)]} answered {response.status_code}")

    for name, paths in rows.items():  # warm-up: caches filled, per-process lookups made
        # A smaller demo shop may not have every page of hot_paths.py's queries: those are left out.
        paths[:] = [
            path
            for path in paths
            if client.get(path, HTTP_X_FORWARDED_FOR=client_address(next(counter))).status_code == 200
        ]
        if not paths:
            raise SystemExit(f"no path of {name!r} answers 200")
        run(paths, 2 * len(paths))

    if args.profile:
        paths = rows[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        run(paths, args.requests)
        profiler.disable()
        print_profile(profiler, name=args.profile, per=args.requests, top=args.top)
        return 0

    if args.sections:
        print_sections(rows, run, args.requests, spent)
        return 0

    per_block = max(1, args.requests // args.blocks)
    cpu = {name: 0.0 for name in rows}
    for _ in range(args.blocks):
        for name, paths in rows.items():
            started = time.process_time()
            run(paths, per_block)
            cpu[name] += time.process_time() - started
    n = per_block * args.blocks
    health = cpu["health"] / n
    print(f"{n} requests per row, in process (CPU time), load average {os.getloadavg()[0]:.2f}")
    print(f"{'row':32} {'CPU ms':>8} {'x /health':>10} {'statements':>11} {'Redis trips':>12} {'Python calls':>13}")
    for name, paths in rows.items():
        with CaptureQueriesContext(connection) as queries, count_redis_trips() as trips:
            run(paths, len(paths))
        profiler = cProfile.Profile()
        profiler.enable()
        run(paths, len(paths))
        profiler.disable()
        calls = sum(stat[1] for stat in pstats.Stats(profiler).stats.values())
        each = cpu[name] / n
        print(
            f"{name:32} {each * 1000:8.3f} {health / each:10.2f} {len(queries) / len(paths):11.1f} "
            f"{trips[0] / len(paths):12.1f} {calls / len(paths):13.0f}"
        )
    return 0


# What ``--sections`` times below the middleware, outermost first: "label | module[.Class].function".
SECTIONS_BELOW_MIDDLEWARE = """
view stage (below the middleware)      | django.core.handlers.base.BaseHandler._get_response
view: resolve URL                      | django.core.handlers.base.BaseHandler.resolve_request
DRF dispatch                           | rest_framework.views.APIView.dispatch
  initialize_request                   | rest_framework.views.APIView.initialize_request
  content negotiation                  | rest_framework.views.APIView.perform_content_negotiation
  authentication                       | rest_framework.views.APIView.perform_authentication
  permissions                          | rest_framework.views.APIView.check_permissions
  throttles                            | rest_framework.views.APIView.check_throttles
    prefetch keys                      | skincare.api.cache_prefetch.keys_to_prefetch
    joined increment                   | skincare.api.cache_prefetch.incr_to_join
    count_windows                      | skincare.api.throttling.count_windows
      script call (round trip)         | skincare.api.throttling._run_script
    decode prefetched                  | skincare.api.cache_prefetch.keep
  finalize_response                    | rest_framework.views.APIView.finalize_response
  list view                            | shop.catalog.apis.ProductListApi.list
  search view                          | shop.catalog.apis.ProductSearchApi.list
    search event: encoded              | ml.receivers.search_event_encoded
    search event: batched              | ml.services.events_record_batched
      batch pushed                     | ml.services.events_record
        flush scheduled                | ml.services._flush_soon
          buffer flushed (eager)       | ml.services.events_flush
  detail view                          | shop.catalog.apis.ProductDetailApi.get
    rendered_response                  | skincare.api.conditional.rendered_response
    view count (own round trip)        | shop.catalog.services.product_record_view
request log line                       | logging.Logger.info
"""


def _owner(dotted):
    """The module, or the class in a module, that ``dotted`` names."""
    import importlib

    try:
        return importlib.import_module(dotted)
    except ImportError:
        module, name = dotted.rsplit(".", 1)
        return getattr(importlib.import_module(module), name)


def _timed_sections():
    """``[(label, owner, attribute)]``: what ``--sections`` times, outermost first."""
    from django.conf import settings
    from django.core.handlers import base
    from django.utils.module_loading import import_string

    sections = [("get_response", base.BaseHandler, "get_response")]
    sections += [
        (f"middleware {path.rsplit('.', 1)[1]}", import_string(path), "__call__") for path in settings.MIDDLEWARE
    ]
    for line in SECTIONS_BELOW_MIDDLEWARE.strip("\n").splitlines():
        label, dotted = (part.rstrip() for part in line.split("| "))
        owner, attribute = dotted.rsplit(".", 1)
        sections.append((label, _owner(owner), attribute))
    return sections


def install_section_timers():
    """Time each section of ``_timed_sections`` (CPU, inclusive): ``{label: seconds}``, filled as requests run."""
    from shop.catalog import apis
    from skincare.api import conditional

    spent = {}

    def wrap(label, owner, attribute):
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - started

        setattr(owner, attribute, timed)

    for label, owner, attribute in _timed_sections():
        wrap(label, owner, attribute)
    apis.rendered_response = conditional.rendered_response  # imported by name: the timed one
    return spent


def print_sections(rows, run, n, spent):
    """CPU µs per request of each section of ``_timed_sections`` (middleware: own part), per row."""
    sections = _timed_sections()
    middleware = [label for label, _, _ in sections if label.startswith("middleware ")]
    for name, paths in rows.items():
        spent.clear()
        started = time.process_time()
        run(paths, n)
        total = time.process_time() - started
        own = dict(spent)
        for outer, below in zip(middleware, [*middleware[1:], None], strict=True):
            # A middleware's own part: its time less the layer below it (the view stage for the innermost).
            below_time = spent.get(below or "view stage (below the middleware)", 0.0)
            own[outer] = spent.get(outer, 0.0) - below_time
        print(f"== {name}: {total / n * 1e6:.0f} µs CPU per request (with the timers)")
        for label, _, _ in sections:
            if label in own:
                print(f"   {label:40} {own[label] / n * 1e6:8.1f}")


if __name__ == "__main__":
    sys.exit(main())
