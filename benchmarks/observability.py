"""Per-request cost of the observability layer (request id, log context, access log line, Prometheus
series, the per-query counter), measured against the same stack without it, in the same run.

Three measurements, each alternating rounds of "with" and "without" so machine noise hits both alike:

* ``isolated``: the middleware alone around a view that returns at once, with and without its
  access log line, against the bare view; the difference is the layer's own cost per request, also
  shown as a fraction of a whole in-process ``/health`` request measured in the same rounds;
* ``inprocess``: Django's test client, two handlers in one process, one built without
  ``ObservabilityMiddleware`` (and its rounds run with the query counter detached);
* ``loopback``: two gunicorn servers (1 sync worker each) on 127.0.0.1, one started with
  ``OBSERVABILITY_BENCH_DISABLED=1`` read by this script's settings wrapper; plain HTTP/1.0 requests.

Both use this module as the settings: the project's, with the API rate limits off.

Usage (the demo shop seeded; the figures in docs/observability.md came from this)::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare REDIS_URL=redis://127.0.0.1:6379/0
    python benchmarks/observability.py --rounds 20 --requests 50 --port 8402 2>/dev/null

It prints, per path and mode, the median time per request with and without, the ratio and the
difference in microseconds.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OBS_MIDDLEWARE = "skincare.observability.middleware.ObservabilityMiddleware"
SETTINGS_MODULE = "benchmarks.observability"

if __name__ != "__main__" and os.environ.get("DJANGO_SETTINGS_MODULE") == SETTINGS_MODULE:
    # This module is the settings of every measured stack: the project's, without rate limits (the
    # anonymous throttle's per-IP history would grow with every request and slow both sides), and for
    # the "without" server, without the observability middleware.
    from skincare.settings import *  # noqa: F403

    REST_FRAMEWORK = {  # noqa: F405
        **REST_FRAMEWORK,  # noqa: F405
        "DEFAULT_THROTTLE_CLASSES": [],
        "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": None, "user": None},  # noqa: F405
    }
    if os.environ.get("OBSERVABILITY_BENCH_DISABLED") == "1":
        MIDDLEWARE = [entry for entry in MIDDLEWARE if entry != OBS_MIDDLEWARE]  # noqa: F405

PATHS = ["/health", "/api/v1/products?per_page=20", "/"]


def _timed(call, requests):
    started = time.perf_counter()
    for _ in range(requests):
        call()
    return (time.perf_counter() - started) / requests


def _report(label, path, with_times, without_times):
    with_median, without_median = statistics.median(with_times), statistics.median(without_times)
    print(
        f"{label:9} {path:32} with {with_median * 1e3:8.3f} ms  without {without_median * 1e3:8.3f} ms  "
        f"ratio {with_median / without_median:6.3f}  diff {(with_median - without_median) * 1e6:+8.1f} µs",
        flush=True,
    )


def isolated(rounds, requests):
    import django

    django.setup()
    from django.http import HttpResponse
    from django.test import Client, RequestFactory
    from django.urls import resolve

    from skincare.observability.middleware import ObservabilityMiddleware

    match, answer = resolve("/health"), HttpResponse("ok")

    def view(request):
        request.resolver_match = match
        return answer

    logged, quiet = ObservabilityMiddleware(view), ObservabilityMiddleware(view)
    quiet.log_requests = False
    request, client = RequestFactory().get("/health"), Client()
    times = {"bare": [], "with access log": [], "without access log": [], "/health": []}
    for _ in range(rounds):
        times["bare"].append(_timed(lambda: view(request), requests))
        times["with access log"].append(_timed(lambda: logged(request), requests))
        times["without access log"].append(_timed(lambda: quiet(request), requests))
        times["/health"].append(_timed(lambda: client.get("/health"), requests))
    bare, health = statistics.median(times["bare"]), statistics.median(times["/health"])
    for name in ("with access log", "without access log"):
        cost = statistics.median(times[name]) - bare
        print(
            f"isolated  middleware {name:19} {cost * 1e6:7.1f} µs per request  "
            f"= {cost / health:6.3f} of a whole in-process /health request ({health * 1e3:.3f} ms)",
            flush=True,
        )


def inprocess(rounds, requests):
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    with_client = Client()
    without_client = Client()
    with override_settings(MIDDLEWARE=[entry for entry in settings.MIDDLEWARE if entry != OBS_MIDDLEWARE]):
        without_client.get("/health")  # builds its middleware chain now, without the layer

    def counters(attach):
        connection.ensure_connection()
        ours = [w for w in connection.execute_wrappers if getattr(w, "skincare_metrics", False)]
        if attach and not ours:
            from skincare.observability.metrics import db_execute_wrapper

            connection.execute_wrappers.insert(0, db_execute_wrapper(connection.alias, connection.vendor))
        if not attach:
            for wrapper in ours:
                connection.execute_wrappers.remove(wrapper)

    for path in PATHS:
        for client in (with_client, without_client):
            assert client.get(path).status_code == 200, path
        with_times, without_times = [], []
        for _ in range(rounds):
            counters(True)
            with_times.append(_timed(lambda p=path: with_client.get(p), requests))
            counters(False)
            without_times.append(_timed(lambda p=path: without_client.get(p), requests))
        counters(True)
        _report("inprocess", path, with_times, without_times)


def loopback(rounds, requests, port):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    servers = {}
    for name, offset in (("with", 0), ("without", 1)):
        env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "true")}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn.conf.py makes a private one per server
        if name == "without":
            env["OBSERVABILITY_BENCH_DISABLED"] = "1"
        command = [str(gunicorn), "skincare.wsgi:application", "--bind", f"127.0.0.1:{port + offset}", "--workers", "1"]
        servers[name] = (
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),  # noqa: S603
            f"http://127.0.0.1:{port + offset}",
        )
    try:
        for _, base in servers.values():
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"{base}/health", timeout=5).read()  # noqa: S310 - loopback
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                raise SystemExit(f"{base} did not start")
        with_base, without_base = servers["with"][1], servers["without"][1]
        assert "X-Request-ID" in urllib.request.urlopen(f"{with_base}/health").headers  # noqa: S310
        assert "X-Request-ID" not in urllib.request.urlopen(f"{without_base}/health").headers  # noqa: S310

        def fetch(url):
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
                response.read()

        for path in PATHS:
            fetch(with_base + path), fetch(without_base + path)
            with_times, without_times = [], []
            for _ in range(rounds):
                with_times.append(_timed(lambda u=with_base + path: fetch(u), requests))
                without_times.append(_timed(lambda u=without_base + path: fetch(u), requests))
            _report("loopback", path, with_times, without_times)
    finally:
        for process, _ in servers.values():
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50, help="requests per round")
    parser.add_argument("--port", type=int, default=8402, help="loopback servers use this port and the next")
    parser.add_argument("--mode", choices=["all", "isolated", "inprocess", "loopback"], default="all")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    print(f"{args.rounds} alternating rounds of {args.requests} requests per path and mode; medians of rounds")
    if args.mode in ("all", "isolated"):
        isolated(args.rounds, args.requests * 10)
    if args.mode in ("all", "inprocess"):
        inprocess(args.rounds, args.requests)
    if args.mode in ("all", "loopback"):
        loopback(args.rounds, args.requests, args.port)


if __name__ == "__main__":
    main()
