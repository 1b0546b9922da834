"""This process's events pushed to the buffer together (``ml.buffer.ProcessBatch``): once each, in order, by
size, by the clock, at exit and before a flush; a forked child never pushes its parent's events."""

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from ml import buffer
from ml.models import AnalyticsDocument
from shop.cart.tests.factories import ProductFactory
from skincare.testing import redis_only, round_trips


def batch_of(size, seconds=3600.0):
    pushed = []
    return buffer.ProcessBatch(push=pushed.append, size=lambda: size, seconds=lambda: seconds), pushed


def test_a_full_batch_is_pushed_once_in_order():
    batch, pushed = batch_of(3)
    for n in range(7):
        batch.add(f"e{n}")
    assert pushed == [["e0", "e1", "e2"], ["e3", "e4", "e5"]]
    batch.flush()
    batch.flush()  # nothing left: no push
    assert pushed[2:] == [["e6"]]


def test_a_batch_of_one_pushes_each_event_at_once_without_a_thread():
    batch, pushed = batch_of(1)
    before = threading.active_count()
    batch.add("a")
    batch.add("b")
    assert pushed == [["a"], ["b"]]
    assert threading.active_count() == before


def test_the_clock_pushes_what_waits():
    batch, pushed = batch_of(100, seconds=0.05)
    batch.add("a")
    batch.add("b")
    deadline = time.monotonic() + 5
    while not pushed and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pushed == [["a", "b"]]


def test_threads_adding_at_once_push_every_event_once_in_each_threads_order():
    batch, pushed = batch_of(7)

    def add(name):
        for n in range(500):
            batch.add((name, n))

    threads = [threading.Thread(target=add, args=(name,)) for name in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    batch.flush()

    events = [event for items in pushed for event in items]
    assert len(events) == len(set(events)) == 8 * 500
    for name in range(8):
        assert [n for who, n in events if who == name] == list(range(500))
    assert all(len(items) == 7 for items in pushed[:-1])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_pushes_its_own_events_only():
    batch, pushed = batch_of(10)
    batch.add("parent 1")
    batch.add("parent 2")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: what it pushes goes to the pipe
        try:
            batch.add("child")
            batch.flush()
            os.write(write, repr(pushed).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child_pushed = pipe.read()
    os.waitpid(pid, 0)

    assert child_pushed == repr([["child"]])
    batch.flush()
    assert pushed == [["parent 1", "parent 2"]]


EXITING = """
import os, signal, sys
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
import django
django.setup()
from ml import buffer
batch = buffer.ProcessBatch(push=lambda items: print(*items, flush=True), size=lambda: 50, seconds=lambda: 3600)
batch.add("a")
batch.add("b")
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # what a gunicorn worker does on SIGTERM
{ending}
"""


@pytest.mark.parametrize(
    "ending", ["pass", "os.kill(os.getpid(), signal.SIGTERM); signal.pause()", "os.kill(os.getpid(), signal.SIGKILL)"]
)
def test_what_waits_is_pushed_when_the_process_exits_but_not_on_a_hard_kill(ending):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = textwrap.dedent(EXITING).format(root=root, ending=ending)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout == ("" if "SIGKILL" in ending else "a b\n"), done.stderr


@pytest.mark.django_db
def test_with_the_buffer_down_a_batch_goes_to_the_store(api_client, search_batched, monkeypatch, relational_store):
    def refuse(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(buffer, "push", refuse)
    ProductFactory(name="Vitamin C Serum")
    ids = [api_client.get("/api/v1/products/search/", {"q": "vitamin"})["X-Search-Id"] for _ in range(3)]

    searches = AnalyticsDocument.objects.filter(collection="search_analytics").values_list("doc", flat=True)
    assert sorted(doc["search_id"] for doc in searches) == sorted(ids)


@pytest.mark.django_db
def test_a_cached_search_is_one_round_trip_but_the_one_that_fills_the_batch(api_client, search_batched):
    redis_only()
    ProductFactory(name="Vitamin C Serum")
    for _ in range(2):  # built twice, kept the second time (shop.catalog.apis); their events wait
        api_client.get("/api/v1/products/search/", {"q": "vitamin"})
    trips = []
    for _ in range(4):
        sent, counting = round_trips()
        with counting:
            assert api_client.get("/api/v1/products/search/", {"q": "vitamin"}).status_code == 200
        trips.append(len(sent))
    assert trips == [2, 1, 1, 2]  # the throttle's call; the 3rd and 6th searches also push a batch of 3
    assert buffer.length() == 6
