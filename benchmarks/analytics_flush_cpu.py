"""CPU of one analytics flush batch (``ml.services.events_write``) of server search events, with the
relational store's PostgreSQL path (one JSON parameter) and with ``bulk_create`` (``jsonb[]``).

    DATABASE_URL=postgres://... REDIS_URL=... DEBUG=false SECRET_KEY=... \\
        .venv/bin/python benchmarks/analytics_flush_cpu.py [batch size, default 500] [rounds, default 3]

Each batch is written in a transaction that is rolled back: the database keeps nothing.
"""

import os
import sys
import time
import uuid
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from ml import services  # noqa: E402
from ml.store import get_store, relational  # noqa: E402

DEVICE = {"user_agent": "python-requests/2.32", "ip_address": "10.1.2.0/24", "device_type": "desktop",
          "browser": "other", "os": "other"}  # fmt: skip


def search_events(n):
    data = {"query": "vitamin c", "normalized_query": "vitamin c", "filters": {}, "results_count": 12}
    return [
        services.event_build(
            source="server",
            event_type="search",
            data={**data, "search_id": uuid.uuid4().hex},
            user_id=None,
            session_id="",
            device_info=DEVICE,
        )  # fmt: skip
        for _ in range(n)
    ]


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    one_statement = relational._bulk_sql
    for _ in range(rounds):
        for name, choose in (("bulk_create", lambda: False), ("one JSON statement", one_statement)):
            relational._bulk_sql = choose
            events = search_events(size)
            with transaction.atomic():
                cpu, wall = time.process_time(), time.perf_counter()
                services.events_write(store=get_store(), events=events)
                cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
                transaction.set_rollback(True)
            print(f"{name:20s} {size} events: cpu {cpu:6.1f} ms  wall {wall:6.1f} ms", flush=True)


if __name__ == "__main__":
    main()
