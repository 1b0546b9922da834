"""What the shop answered in each phase of tools/compose_trial/run.sh, and whether every order got its e-mail.

Reads the web container's request log (one JSON line per request: time at the end, route, status, duration_ms;
LOG_REQUESTS), the phase marks run.sh wrote, the worker's log (the console e-mail backend prints each e-mail)
and the numbers of the orders placed during the load. A request belongs to the phase it started in. Exit 1 when
any request other than /health/ready answered 5xx, gunicorn killed a worker (a request that took longer than
its timeout), or an order has no e-mail.
"""

import argparse
import csv
import json
import re
import sys
from collections import Counter
from datetime import datetime, timedelta

PHASES = (  # (name, from the mark, to the mark)
    ("before", "load_start", "rabbitmq_stop"),
    ("broker down", "rabbitmq_stop", "rabbitmq_started"),
    ("broker back", "rabbitmq_started", "redis_stop"),
    ("cache down", "redis_stop", "redis_started"),
    ("cache back", "redis_started", "load_end"),
)
CHECKOUT = "order-list"
READY = "health-ready"
SUBJECT = re.compile(r"Subject: Order (\S+) received")


def when(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", required=True)
    parser.add_argument("--web", required=True)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--orders", required=True)
    args = parser.parse_args()

    with open(args.phases) as handle:
        marks = {row["event"]: when(row["at"]) for row in csv.DictReader(handle)}
    requests, errors, killed = [], Counter(), 0
    with open(args.web) as handle:
        for line in handle:
            if not line.startswith("{"):
                killed += "WORKER TIMEOUT" in line  # gunicorn killed a worker mid-request: never logged as one
                continue
            entry = json.loads(line)
            if entry.get("level") in ("ERROR", "CRITICAL"):
                errors[f"{entry.get('logger')}: {entry.get('message', '')[:90]}"] += 1
            if entry.get("logger") == "skincare.request":
                end = when(entry["time"])
                requests.append((end - timedelta(milliseconds=entry["duration_ms"]), entry))

    failed = 0
    print(f"{'phase':12} {'s':>4} {'requests':>8} {'5xx':>4} {'checkouts':>9} {'201':>4} {'p95 ms':>7} {'max ms':>7}")
    for name, start, end in PHASES:
        inside = [entry for started, entry in requests if marks[start] <= started < marks[end]]
        server_errors = [e for e in inside if e["status"] >= 500 and e["route"] != READY]
        failed += len(server_errors)
        checkouts = [e for e in inside if e["route"] == CHECKOUT and e["method"] == "POST"]
        took = [e["duration_ms"] for e in checkouts]
        print(
            f"{name:12} {(marks[end] - marks[start]).total_seconds():4.0f} {len(inside):8d} {len(server_errors):4d} "
            f"{len(checkouts):9d} {sum(e['status'] == 201 for e in checkouts):4d} {percentile(took, 0.95):7.0f} "
            f"{max(took, default=0):7.0f}"
        )
        for route, count in Counter(f"{e['route']} {e['status']}" for e in server_errors).most_common():
            print(f"    5xx: {count}x {route}")
    ready = Counter(
        (name, entry["status"])
        for started, entry in requests
        if entry["route"] == READY
        for name, start, end in PHASES
        if marks[start] <= started < marks[end]
    )
    if ready:
        answers = (f"{name} {status} x{count}" for (name, status), count in sorted(ready.items()))
        print("/health/ready:", ", ".join(answers))
    if killed:
        print(f"gunicorn workers killed mid-request (WORKER TIMEOUT): {killed}")
    failed += killed
    for message, count in errors.most_common(8):
        print(f"  logged error {count}x {message}")

    with open(args.worker) as handle:
        mailed = Counter(match for line in handle for match in SUBJECT.findall(line))
    with open(args.orders) as handle:
        orders = [line.strip() for line in handle if line.strip()]
    missing = [number for number in orders if number not in mailed]
    twice = sorted(number for number in orders if mailed[number] > 1)
    print(
        f"orders placed during the load: {len(orders)}; with their e-mail: {len(orders) - len(missing)}; "
        f"missing: {len(missing)} {missing[:10]}; sent more than once: {len(twice)} {twice[:10]}"
    )
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
