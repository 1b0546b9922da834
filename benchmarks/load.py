"""Load test with Locust: a realistic mix of page and API traffic against a running shop.

Headless, bounded in time, loopback only (the host must be 127.0.0.1, localhost or [::1]). Run the whole
stack (gunicorn on PostgreSQL + Redis, a Celery worker over RabbitMQ, demo data) with
``benchmarks/load_stack.sh``, or point this at a server you started::

    python benchmarks/load.py --host http://127.0.0.1:8460 --users 20 --duration 120 --json out.json

The server must lift the per-client throttles (every simulated client comes from 127.0.0.1):
``THROTTLE_ANON``, ``THROTTLE_USER``, ``THROTTLE_AUTH`` (see ``load_stack.sh``).

Traffic (weights per simulated person):
- ``Browser`` (anonymous, 6): home page, category page, search page, product page, the catalogue API
  (list, search, product detail, reviews, review summary), popular and similar-product recommendations,
  analytics events (page and product views, searches) and ``/health``.
- ``Shopper`` (signed in with a demo account, 3): the above plus add to cart, cart, checkout with the
  test provider's approving card (an ``Idempotency-Key`` per order), own orders, a review of a product not reviewed yet,
  personal recommendations and recommendation click feedback.

Printed per endpoint: requests, requests/s, p50/p95/p99 (ms), errors, and two ratios to ``/health``
measured in the same run: ``rps/health`` (the endpoint's share of the traffic against /health's) and
``capacity/health`` = /health's mean latency / the endpoint's mean latency (how many of this endpoint
one worker serves per /health it could serve). Exits 1 if any request failed (the error rate must be 0).
"""

import argparse
import itertools
import json
import random
import sys
import time
import uuid
from collections import Counter
from urllib.parse import urlparse

REFUSALS = Counter()
# The shop's correct answers once a randomly chosen product has sold out during the run.
SOLD_OUT = ("OUT_OF_STOCK", "INSUFFICIENT_STOCK")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
PASSWORD = "skincare-demo"  # noqa: S105 - the demo accounts' published password (seed_demo)
SHIPPING = {
    "first_name": "Load",
    "last_name": "Test",
    "address_line1": "1 Loopback Street",
    "city": "Phnom Penh",
    "postal_code": "12000",
    "country": "KH",
}


def _check_host(host):
    hostname = urlparse(host).hostname or ""
    if hostname not in LOOPBACK and f"[{hostname}]" not in LOOPBACK:
        sys.exit(f"refusing to load {host}: loopback only (127.0.0.1, localhost, [::1])")


def discover(host):
    """Ids, slugs and words from the running shop, read once through its own API before the run."""
    import requests

    session = requests.Session()
    products = []
    for page in range(1, 6):
        response = session.get(f"{host}/api/v1/products", params={"per_page": 100, "page": page}, timeout=60)
        if response.status_code != 200:
            break
        body = response.json()
        products += body["data"]
        if page >= body["meta"]["total_pages"]:
            break
    categories = session.get(f"{host}/api/v1/categories", timeout=60).json()["data"]
    words = sorted({word.lower() for p in products for word in p["name"].split() if word.isalpha() and len(word) > 3})
    in_stock = [p for p in products if p.get("in_stock", True) and not p.get("variants")]
    return {
        "products": [{"id": p["id"], "slug": p["slug"]} for p in products],
        "buyable": [p["id"] for p in in_stock] or [p["id"] for p in products],
        "categories": [c["slug"] for c in categories],
        "words": words[:200] or ["cream"],
    }


def build_users(data, shopper_count):
    from locust import FastHttpUser, between, task

    shopper_numbers = itertools.count(1)
    refusals = REFUSALS

    class Browser(FastHttpUser):
        weight = 6
        wait_time = between(0.5, 2.0)

        def on_start(self):
            self.session_id = uuid.uuid4().hex

        def call(self, method, url, name, expected=(), **kwargs):
            """One request; a failure is recorded with the API's error code. ``expected`` codes are the
            shop's correct answers to a state the load made (``OUT_OF_STOCK`` once a random product sold
            out): counted apart as refusals, not as errors."""
            with self.client.request(method, url, name=name, catch_response=True, **kwargs) as response:
                if response.status_code >= 400 or response.status_code == 0:
                    try:
                        code = json.loads(response.text or "{}").get("code", "")
                    except ValueError:
                        code = (response.text or "")[:80]
                    if code in expected:
                        refusals[f"{name}: {response.status_code} {code}"] += 1
                        response.success()
                    else:
                        response.failure(f"{response.status_code} {code}")
                return response

        def _product(self):
            return random.choice(data["products"])

        def _event(self, kind, **fields):
            payload = {"events": [{"type": kind, "session_id": self.session_id, **fields}]}
            self.call("POST", "/api/v1/analytics/events", json=payload, name="POST /api/v1/analytics/events")

        @task(3)
        def home(self):
            self.call("GET", "/", name="page /")

        @task(3)
        def category_page(self):
            self.call("GET", f"/c/{random.choice(data['categories'])}/", name="page /c/{slug}/")

        @task(3)
        def search_page(self):
            self.call("GET", f"/search/?q={random.choice(data['words'])}", name="page /search/?q=")

        @task(5)
        def product_page(self):
            product = self._product()
            self.call("GET", f"/p/{product['slug']}/", name="page /p/{slug}/")
            self._event("product_view", product_id=product["id"], page_url=f"/p/{product['slug']}/")

        @task(3)
        def api_products(self):
            self.call("GET", "/api/v1/products?per_page=20", name="GET /api/v1/products")

        @task(3)
        def api_search(self):
            word = random.choice(data["words"])
            self.call("GET", f"/api/v1/products/search?q={word}", name="GET /api/v1/products/search")
            self._event("search", query=word, results_count=1)

        @task(3)
        def api_product(self):
            product = self._product()
            self.call("GET", f"/api/v1/products/{product['slug']}", name="GET /api/v1/products/{slug}")
            self.call("GET", f"/api/v1/products/{product['id']}/reviews", name="GET /api/v1/products/{id}/reviews")
            self.call(
                "GET",
                f"/api/v1/products/{product['id']}/reviews/summary",
                name="GET /api/v1/products/{id}/reviews/summary",
            )

        @task(2)
        def recommendations(self):
            self.call("GET", "/api/v1/recommendations/popular", name="GET /api/v1/recommendations/popular")
            product = self._product()
            self.call(
                "GET",
                f"/api/v1/recommendations/similar/{product['id']}",
                name="GET /api/v1/recommendations/similar/{id}",
            )

        @task(2)
        def health(self):
            self.call("GET", "/health", name="GET /health")

    class Shopper(Browser):
        weight = 3
        wait_time = between(1.0, 3.0)

        def on_start(self):
            super().on_start()
            number = (next(shopper_numbers) - 1) % shopper_count + 1
            response = self.call(
                "POST",
                "/api/v1/auth/login",
                json={"email": f"shopper{number}@skincare.local", "password": PASSWORD},
                name="POST /api/v1/auth/login",
            )
            token = response.json()["data"]["access"]
            self.headers = {"Authorization": f"Bearer {token}"}
            mine = self.call(
                "GET", "/api/v1/user/reviews?per_page=100", headers=self.headers, name="GET /api/v1/user/reviews"
            ).json()
            self.reviewed = {review["product"]["id"] for review in mine["data"] if review.get("product")}

        @task(4)
        def add_to_cart(self):
            self.call(
                "POST",
                "/api/v1/cart/items",
                json={"product_id": random.choice(data["buyable"]), "quantity": 1},
                headers=self.headers,
                name="POST /api/v1/cart/items",
                expected=SOLD_OUT,
            )
            self.call("GET", "/api/v1/cart", headers=self.headers, name="GET /api/v1/cart")

        @task(2)
        def checkout(self):
            added = self.call(
                "POST",
                "/api/v1/cart/items",
                json={"product_id": random.choice(data["buyable"]), "quantity": 1},
                headers=self.headers,
                name="POST /api/v1/cart/items",
                expected=SOLD_OUT,
            )
            # The product sold out and the cart held nothing else: CART_EMPTY is the shop's correct answer then.
            sold_out = added.status_code == 409
            self.call(
                "POST",
                "/api/v1/orders",
                json={"payment_method": "card", "card_number": "4242424242424242", "shipping_address": SHIPPING},
                headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex},
                name="POST /api/v1/orders (checkout)",
                expected=SOLD_OUT + (("CART_EMPTY",) if sold_out else ()),
            )
            self.call("GET", "/api/v1/orders", headers=self.headers, name="GET /api/v1/orders")

        @task(2)
        def for_me(self):
            response = self.call(
                "GET", "/api/v1/recommendations/for-me", headers=self.headers, name="GET /api/v1/recommendations/for-me"
            )
            shown = response.json().get("data") or []
            if shown:
                self.call(
                    "POST",
                    "/api/v1/recommendations/feedback",
                    json={"product_id": shown[0]["product"]["id"], "interaction_type": "click", "position": 1},
                    headers=self.headers,
                    name="POST /api/v1/recommendations/feedback",
                )

        @task(1)
        def write_review(self):
            candidates = [p for p in data["products"] if p["id"] not in self.reviewed]
            if not candidates:
                return
            product = random.choice(candidates)
            self.reviewed.add(product["id"])
            self.call(
                "POST",
                f"/api/v1/products/{product['id']}/reviews",
                json={
                    "rating": random.randint(3, 5),
                    "title": "Load test review",
                    "review_text": "Gentle on my skin, absorbs quickly and the bottle lasts a long time.",
                },
                headers=self.headers,
                name="POST /api/v1/products/{id}/reviews",
            )

    return [Browser, Shopper]


def percentile_ms(entry, fraction):
    return entry.get_response_time_percentile(fraction) if entry.num_requests else 0


def report(stats, duration):
    rows = []
    health = stats.entries.get(("GET /health", "GET"))
    health_rps = health.num_requests / duration if health and health.num_requests else 0
    health_mean = health.avg_response_time if health and health.num_requests else 0
    for (name, method), entry in sorted(stats.entries.items(), key=lambda item: -item[1].avg_response_time):
        rps = entry.num_requests / duration
        rows.append(
            {
                "endpoint": name,
                "method": method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "rps": round(rps, 2),
                "p50_ms": percentile_ms(entry, 0.50),
                "p95_ms": percentile_ms(entry, 0.95),
                "p99_ms": percentile_ms(entry, 0.99),
                "mean_ms": round(entry.avg_response_time, 1),
                "rps_vs_health": round(rps / health_rps, 2) if health_rps else None,
                "capacity_vs_health": round(health_mean / entry.avg_response_time, 3)
                if entry.avg_response_time and health_mean
                else None,
            }
        )
    total = stats.total
    summary = {
        "duration_s": duration,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "error_rate": round(total.num_failures / total.num_requests, 5) if total.num_requests else None,
        "rps": round(total.num_requests / duration, 2),
        "p50_ms": percentile_ms(total, 0.5),
        "p95_ms": percentile_ms(total, 0.95),
        "p99_ms": percentile_ms(total, 0.99),
    }
    return summary, rows


def print_table(summary, rows, errors, refusals):
    header = (
        f"{'endpoint':48} {'reqs':>6} {'rps':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4} {'rps/h':>6} {'cap/h':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['endpoint'][:48]:48} {row['requests']:6d} {row['rps']:6.2f} {row['p50_ms']:6.0f} "
            f"{row['p95_ms']:6.0f} {row['p99_ms']:6.0f} {row['failures']:4d} "
            f"{row['rps_vs_health'] if row['rps_vs_health'] is not None else '-':>6} "
            f"{row['capacity_vs_health'] if row['capacity_vs_health'] is not None else '-':>6}"
        )
    print("-" * len(header))
    print(
        f"total: {summary['requests']} requests in {summary['duration_s']} s = {summary['rps']} req/s, "
        f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, "
        f"errors {summary['failures']} (rate {summary['error_rate']})"
    )
    for error in errors:
        print(f"ERROR {error['occurrences']}x {error['method']} {error['name']}: {error['error']}")
    for what, count in sorted(refusals.items()):
        print(f"refused (a correct answer, not an error) {count}x {what}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="http://127.0.0.1:8460")
    parser.add_argument("--users", type=int, default=20, help="simulated people at once")
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="people started per second")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load after the ramp-up starts")
    parser.add_argument("--shoppers", type=int, default=50, help="demo accounts shopper1..N to sign in as")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="write the summary and per-endpoint rows here")
    parser.add_argument("--timeline", help="write per-second request and failure counts here (CSV)")
    args = parser.parse_args(argv)
    _check_host(args.host)
    random.seed(args.seed)

    import gevent
    from locust.env import Environment

    data = discover(args.host)
    print(
        f"target {args.host}: {len(data['products'])} products, {len(data['categories'])} categories, "
        f"{args.users} users for {args.duration} s",
        flush=True,
    )
    env = Environment(user_classes=build_users(data, args.shoppers), host=args.host)
    runner = env.create_local_runner()
    timeline = []

    def sample():
        previous = (0, 0)
        started = time.monotonic()
        while True:
            gevent.sleep(1)
            now = (env.stats.total.num_requests, env.stats.total.num_failures)
            timeline.append((round(time.monotonic() - started), now[0] - previous[0], now[1] - previous[1]))
            previous = now
            if len(timeline) % 10 == 0:
                print(f"  {timeline[-1][0]:4d} s: {now[0]} requests, {now[1]} failures", flush=True)

    sampler = gevent.spawn(sample)
    started = time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.spawn_later(args.duration, runner.quit)
    runner.greenlet.join()
    sampler.kill()
    duration = round(time.monotonic() - started, 1)

    summary, rows = report(env.stats, duration)
    errors = [
        {"method": e.method, "name": e.name, "error": str(e.error)[:300], "occurrences": e.occurrences}
        for e in env.stats.errors.values()
    ]
    print_table(summary, rows, errors, REFUSALS)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(
                {"summary": summary, "endpoints": rows, "errors": errors, "refusals": REFUSALS, "users": args.users},
                handle,
                indent=2,
            )
    if args.timeline:
        with open(args.timeline, "w") as handle:
            handle.write("second,requests,failures\n")
            handle.writelines(f"{s},{r},{f}\n" for s, r, f in timeline)
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
