"""Outage drill: shopper traffic against a running server while a backing service is taken away and
given back (docs/operations.md, "Runbook"). Loopback only.

It sends, in a loop, the requests a shop lives on: ``/health``, ``/health/ready``, the product list (a
different page size each time, so the cache cannot answer), the home page, a guest's cart add and that
guest's checkout with the test card. After ``--before`` seconds it runs ``--down`` (a shell command: stop
the database, fill the disk, ...), waits ``--outage`` seconds, runs ``--up``, and keeps going for
``--after`` seconds. A checkout that got no order (a 5xx, or no answer) is sent again at the end with the
same cart and ``Idempotency-Key``, as a shopper's app retries: once at once, and once more after
``--retry-wait`` seconds (a charge answer lost in the outage is asked again after two minutes, see
docs/operations.md). Every answer is recorded with its phase; the summary lists, per phase and request,
the statuses, whether 5xx answers were the 503 envelope / page with ``Retry-After``, and whether any
answer carried a stack trace. ``--timeline`` writes every request as CSV.

    python tools/outage_drill.py http://127.0.0.1:8470 \\
        --down "pg_ctlcluster 15 drill stop -m fast" --up "pg_ctlcluster 15 drill start"

Exit status 1 when any answer was a 5xx other than 503 (or a 503 without Retry-After; ``/health/ready``'s
own 503 for load balancers excepted), carried a traceback, or when the shop did not sell again (a 201
checkout) after ``--up``.
"""

import argparse
import csv
import itertools
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from urllib.parse import urlsplit

ADDRESS = {
    "first_name": "Drill",
    "last_name": "Shopper",
    "address_line1": "12 Street 51",
    "city": "Phnom Penh",
    "postal_code": "12000",
    "country": "KH",
}
TRACE_MARKERS = (b"Traceback", b'File "/', b"OperationalError", b"psycopg")


def call(base, method, path, body=None, headers=None, timeout=15):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310 - loopback checked
    request.add_header("X-Forwarded-Proto", "https")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except OSError as error:  # refused, reset, timed out: the server itself did not answer
        return 0, {}, str(error).encode()


def code_of(body):
    try:
        return json.loads(body).get("code") or ""
    except (ValueError, AttributeError):
        return ""


class Drill:
    def __init__(self, base, product_id):
        self.base = base
        self.product_id = product_id
        self.phase = "before"
        self.rows = []
        self.stop = threading.Event()
        self.started = time.monotonic()
        self.unanswered = []  # (cart token, order body, Idempotency-Key) of checkouts that got no order

    def record(self, name, status, headers, body):
        self.rows.append(
            {
                "t": round(time.monotonic() - self.started, 2),
                "phase": self.phase,
                "request": name,
                "status": status,
                "code": code_of(body) if headers.get("Content-Type", "").startswith("application/json") else "",
                "retry_after": headers.get("Retry-After", ""),
                "content_type": headers.get("Content-Type", "").split(";")[0],
                "trace": any(marker in body for marker in TRACE_MARKERS),
            }
        )
        return status, body

    def loop(self):
        for n in itertools.count():
            if self.stop.is_set():
                return
            self.record("GET /health", *call(self.base, "GET", "/health"))
            self.record("GET /health/ready", *call(self.base, "GET", "/health/ready"))
            self.record("GET /api/v1/products", *call(self.base, "GET", f"/api/v1/products?per_page={n % 20 + 1}"))
            self.record("GET / (page)", *call(self.base, "GET", "/"))
            status, body = self.record(
                "POST /api/v1/cart/items",
                *call(self.base, "POST", "/api/v1/cart/items", {"product_id": self.product_id, "quantity": 1}),
            )
            if status == 201:
                token = json.loads(body)["data"]["token"]
                order = {
                    "email": f"drill{n}@example.com",
                    "shipping_address": ADDRESS,
                    "card_number": "4242424242424242",
                }
                key = f"drill-{n}-{time.time()}"
                status, _ = self.record(
                    "POST /api/v1/orders",
                    *call(self.base, "POST", "/api/v1/orders", order, {"X-Cart-Token": token, "Idempotency-Key": key}),
                )
                if status == 0 or status >= 500:
                    self.unanswered.append((token, order, key))
            time.sleep(0.2)

    def retry_unanswered(self, phase):
        """Each checkout that got no order, again with its cart and key; prints what it answers now."""
        self.phase = phase
        for token, order, key in self.unanswered:
            status, body = self.record(
                "POST /api/v1/orders",
                *call(self.base, "POST", "/api/v1/orders", order, {"X-Cart-Token": token, "Idempotency-Key": key}),
            )
            data = json.loads(body).get("data") or {} if body.startswith(b"{") else {}
            print(
                f"{phase}: {key}: {status} {code_of(body)} order {data.get('order_number', '-')} "
                f"status {data.get('status', '-')} payment {data.get('payment_status', '-')}",
                flush=True,
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="e.g. http://127.0.0.1:8470 (loopback only)")
    parser.add_argument("--down", required=True, help="shell command that takes the service away")
    parser.add_argument("--up", required=True, help="shell command that gives it back")
    parser.add_argument("--before", type=float, default=10)
    parser.add_argument("--outage", type=float, default=20)
    parser.add_argument("--after", type=float, default=20)
    parser.add_argument("--product-id", type=int, help="product to buy (default: the first in stock)")
    parser.add_argument("--timeline", help="write every request to this CSV file")
    parser.add_argument(
        "--retry-wait", type=float, default=0, help="seconds before the second retry of unanswered checkouts"
    )
    args = parser.parse_args(argv)
    if urlsplit(args.base).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only")

    product_id = args.product_id
    if product_id is None:
        status, _, body = call(args.base, "GET", "/api/v1/products?per_page=50", timeout=60)
        if status != 200:
            sys.exit(f"cannot list products: {status} {body[:200]!r}")
        product_id = next(p["id"] for p in json.loads(body)["data"] if p.get("in_stock", True))

    drill = Drill(args.base, product_id)
    worker = threading.Thread(target=drill.loop, daemon=True)
    worker.start()
    time.sleep(args.before)
    drill.phase = "outage"
    down_at = time.monotonic() - drill.started
    print(f"[{down_at:6.1f}s] down: {args.down}", flush=True)
    subprocess.run(args.down, shell=True, check=False)  # noqa: S602 - the operator's own command
    time.sleep(args.outage)
    up_at = time.monotonic() - drill.started
    print(f"[{up_at:6.1f}s] up: {args.up}", flush=True)
    subprocess.run(args.up, shell=True, check=False)  # noqa: S602
    drill.phase = "after"
    time.sleep(args.after)
    drill.stop.set()
    worker.join(timeout=30)
    drill.retry_unanswered("retry")
    if args.retry_wait and drill.unanswered:
        time.sleep(args.retry_wait)
        drill.retry_unanswered("retry2")

    if args.timeline:
        with open(args.timeline, "w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(drill.rows[0]))
            writer.writeheader()
            writer.writerows(drill.rows)

    table = defaultdict(Counter)
    for row in drill.rows:
        label = str(row["status"]) + (f" {row['code']}" if row["code"] and row["status"] >= 400 else "")
        if row["status"] >= 500:
            label += " Retry-After" if row["retry_after"] else " no-Retry-After"
            label += f" {row['content_type']}"
        table[(row["phase"], row["request"])][label] += 1
    print(f"{'phase':7} {'request':26} answers")
    for phase in ("before", "outage", "after", "retry", "retry2"):
        for (row_phase, name), counts in sorted(table.items()):
            if row_phase == phase:
                print(f"{phase:7} {name:26} " + ", ".join(f"{n}x {label}" for label, n in sorted(counts.items())))

    # /health/ready answers its own 503 to load balancers, naming the failing check's error for the
    # operator (docs/observability.md): not a shopper's answer.
    bad = [
        r
        for r in drill.rows
        if r["request"] != "GET /health/ready"
        and (r["trace"] or (r["status"] >= 500 and (r["status"] != 503 or not r["retry_after"])))
    ]
    first_sale = next(
        (
            r["t"]
            for r in drill.rows
            if r["phase"] == "after" and r["request"] == "POST /api/v1/orders" and r["status"] == 201
        ),
        None,
    )
    after_5xx = [
        r for r in drill.rows if r["phase"] == "after" and r["status"] >= 500 and r["request"] != "GET /health/ready"
    ]
    print(
        f"requests {len(drill.rows)}; shopper 5xx other than a 503 with Retry-After, or a trace: {len(bad)}; "
        f"first checkout after up: {'none' if first_sale is None else f'{first_sale - up_at:.1f} s after'}; "
        f"5xx after up (not counting /health/ready): {len(after_5xx)}"
        + (f", last at {max(r['t'] for r in after_5xx) - up_at:.1f} s after" if after_5xx else "")
    )
    return 1 if bad or first_sale is None else 0


if __name__ == "__main__":
    sys.exit(main())
