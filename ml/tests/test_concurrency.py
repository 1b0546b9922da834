"""Real concurrency: flush workers appending to the same search document (PostgreSQL row lock), and
requests pushing while a flush drains the Redis buffer. Each thread has its own connection."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from ml import buffer
from ml.store.relational import RelationalAnalyticsStore

THREADS = 12


def run_together(func, count=THREADS):
    barrier = threading.Barrier(count)
    errors = []

    def worker(n):
        try:
            barrier.wait()
            func(n)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_pushes_to_one_document_lose_nothing():
    store = RelationalAnalyticsStore()
    store.upsert("search_analytics", "s1", {"clicked_products": [], "conversion_data": {"added_to_cart": []}})

    def click(n):
        for i in range(5):
            assert store.push("search_analytics", "s1", "clicked_products", [{"product_id": n * 100 + i}])
            assert store.push("search_analytics", "s1", "conversion_data.added_to_cart", [n * 100 + i])

    run_together(click)

    doc = store.get("search_analytics", "s1")
    expected = sorted(n * 100 + i for n in range(THREADS) for i in range(5))
    assert sorted(c["product_id"] for c in doc["clicked_products"]) == expected
    assert sorted(doc["conversion_data"]["added_to_cart"]) == expected


@pytest.mark.skipif(not settings.CACHES["default"]["BACKEND"].startswith("django_redis"), reason="needs Redis")
def test_concurrent_pushes_and_drains_of_the_redis_buffer_lose_and_repeat_nothing():
    drained, lock = [], threading.Lock()

    def work(n):
        if n % 2:
            for i in range(50):
                buffer.push([{"n": n, "i": i}])
        else:
            for _ in range(40):
                events = buffer.drain(7)
                with lock:
                    drained.extend(events)

    run_together(work)
    drained.extend(buffer.drain(10**6))

    expected = sorted((n, i) for n in range(1, THREADS, 2) for i in range(50))
    assert sorted((e["n"], e["i"]) for e in drained) == expected
