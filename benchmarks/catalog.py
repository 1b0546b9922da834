"""Catalog read benchmark: requests/s and p50/p95 latency of the product list (filtered +
sorted), product detail and search, each as a ratio to ``/health`` measured in the same run.

Standard library only. Run it against a server that is already up, e.g.::

    DATABASE_URL=postgres://... REDIS_URL=redis://... DEBUG=false SECRET_KEY=... \\
      NUM_PROXIES=1 ALLOWED_HOSTS=127.0.0.1 DB_CONN_MAX_AGE=60 \\
      gunicorn skincare.wsgi -w 4 -b 127.0.0.1:8100
    python benchmarks/catalog.py --base-url http://127.0.0.1:8100 --duration 20 --concurrency 8

Each scenario runs for ``--duration`` seconds with ``--concurrency`` threads, each thread
on its own keep-alive connection, cycling through a fixed list of URLs (several filter
combinations, 200 product slugs, a mix of exact, ingredient, Khmer and misspelt queries).
The list scenario cycles 7 URLs, so after the warm-up it measures cached pages; the
"product list, distinct pages" scenario cycles 630 URLs (7 filters x per_page 10..99),
each requested about once a run, so it measures the page-cache miss path (the total
per filter combination is still shared). ``client CPU`` is the load generator's own
CPU time as a share of one core: it runs on the same machine as the server, so a high
share means the figure is partly the client's limit (mostly for ``/health``).
Anonymous requests only, spread over CLIENTS addresses with ``X-Forwarded-For`` (start
the server with ``NUM_PROXIES=1``) so the default anonymous throttle (120/min per client)
stays in the measured path without refusing the run.
"""

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

LIST_QUERIES = [
    {"skin_type": "oily", "sort": "price"},
    {"category": "serums", "sort": "rating"},
    {"concern": "acne,pores", "in_stock": "true", "sort": "popularity"},
    {"category": "sunscreens", "min_price": "10", "max_price": "25", "sort": "newest"},
    {"brand": "lotus-lab", "skin_type": "sensitive", "sort": "-price"},
    {"ingredient": "niacinamide", "min_rating": "4", "sort": "rating"},
    {"category": "moisturisers", "featured": "false", "sort": "popularity", "page": "3"},
]
SEARCH_QUERIES = [
    "niacinamide serum",
    "sunscreen spf50",
    "vitamin c",
    "retinol night",
    "centella",
    "ceramides barrier",
    "niacinimide",  # typo
    "sunscrean",  # typo
    "សេរ៉ូម",  # Khmer: serum
    "hyaluronic",
]


CLIENTS = 5000


def client_address(n):
    """One of CLIENTS fake shopper addresses: the server runs with NUM_PROXIES=1, so the
    per-client anonymous throttle sees many shoppers (as in production) instead of one
    client whose throttle history grows with every request of the run."""
    n %= CLIENTS
    return f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


class Target:
    def __init__(self, base_url):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80

    def connection(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def get_json(self, path):
        conn = self.connection()
        try:
            conn.request("GET", path, headers={"Accept": "application/json", "X-Forwarded-For": "10.255.0.1"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} -> {response.status}: {body[:200]!r}")
            return json.loads(body)
        finally:
            conn.close()


def hammer(connect, request_for, *, duration, concurrency, expected=200):
    """``concurrency`` threads, each on its own connection (``connect()``, again after a failure), send
    ``request_for(i)`` -> ``(method, path, body, headers)`` for ``duration`` seconds, thread n taking
    i = n, n + concurrency, ... Returns the latencies in ms (sorted), the errors (status or exception
    name), the elapsed seconds and the client's CPU share of them. Shared with ``analytics.py``."""
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    started = time.perf_counter()
    cpu_started = time.process_time()

    def worker(offset):
        conn, local, local_errors, i = connect(), [], [], offset
        while time.perf_counter() < deadline:
            method, path, body, headers = request_for(i)
            i += concurrency
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != expected:
                    local_errors.append(response.status)
            except (OSError, http.client.HTTPException) as exc:
                local_errors.append(type(exc).__name__)
                conn.close()
                conn = connect()
                continue
            local.append((time.perf_counter() - t0) * 1000)
        conn.close()
        with lock:
            latencies.extend(local)
            errors.extend(local_errors)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return latencies, errors, elapsed, (time.process_time() - cpu_started) / elapsed


def run_scenario(target, paths, *, duration, concurrency):
    """Hammer ``paths`` (round robin) for ``duration`` seconds. Returns stats in ms."""

    def request_for(i):
        return "GET", paths[i % len(paths)], None, {"Accept": "application/json", "X-Forwarded-For": client_address(i)}

    latencies, errors, elapsed, client_cpu = hammer(
        target.connection, request_for, duration=duration, concurrency=concurrency
    )
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_sample": sorted({str(e) for e in errors})[:5],
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        "client_cpu": client_cpu,
    }


def scenario_paths(target):
    slugs = []
    page = 1
    while len(slugs) < 200:
        data = target.get_json(f"/api/v1/products/?{urlencode({'per_page': 100, 'page': page, 'sort': 'popularity'})}")
        slugs += [item["slug"] for item in data["data"]]
        if page >= data["meta"]["total_pages"]:
            break
        page += 1
    if not slugs:
        raise SystemExit("No products: seed the demo shop first (manage.py seed_demo --scale 34).")
    total = target.get_json("/api/v1/products/?per_page=1")["meta"]["total"]
    return total, {
        "health": ["/health"],
        "product list (filtered + sorted)": [f"/api/v1/products/?{urlencode(q)}" for q in LIST_QUERIES],
        "product list, distinct pages": [
            f"/api/v1/products/?{urlencode({**q, 'page': '1', 'per_page': n})}"
            for n in range(10, 100)
            for q in LIST_QUERIES
        ],
        "product detail": [f"/api/v1/products/{slug}" for slug in slugs[:200]],
        "search": [f"/api/v1/products/search/?{urlencode({'q': q})}" for q in SEARCH_QUERIES],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8100")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of untimed warm-up per scenario")
    parser.add_argument("--json", action="store_true", help="print raw results as JSON too")
    args = parser.parse_args(argv)

    target = Target(args.base_url)
    total, scenarios = scenario_paths(target)
    setup = f"{total} active products; {args.concurrency} connections; {args.duration:.0f}s per scenario"
    print(setup, file=sys.stderr)
    results = {}
    for name, paths in scenarios.items():
        if args.warmup:
            run_scenario(target, paths, duration=args.warmup, concurrency=args.concurrency)
        results[name] = run_scenario(target, paths, duration=args.duration, concurrency=args.concurrency)
        print(f"  {name}: {results[name]['rps']:.0f} req/s", file=sys.stderr)

    health = results["health"]
    print(
        "| endpoint | req/s | p50 ms | p95 ms | req/s vs /health | p50 vs /health | p95 vs /health "
        "| client CPU | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['rps'] / health['rps']:.2f} "
            f"| {r['p50'] / health['p50']:.1f}x | {r['p95'] / health['p95']:.1f}x | {r['client_cpu']:.0%} "
            f"| {r['errors']} |"
        )
    if args.json:
        print(json.dumps(results, indent=2))
    return 1 if any(r["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
