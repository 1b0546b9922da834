"""A cached answer in one Redis round trip (``skincare.api.cache_prefetch`` + ``DefaultRateThrottle``)."""

import pytest
from django.core.cache import cache
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from skincare.api import cache_prefetch
from skincare.observability.metrics import CACHE_GETS
from skincare.testing import redis_only, round_trips


class PrefetchingView(APIView):
    """Reads ``greeting:<name>`` and ``shared`` from the cache, as a cached API answer does."""

    permission_classes = [AllowAny]

    def cache_prefetch_keys(self, request):
        return [f"greeting:{request.query_params['name']}", "shared"]

    def get(self, request):
        found = cache_prefetch.get_many(request, [f"greeting:{request.query_params['name']}", "shared"])
        extra = cache_prefetch.get_many(request, ["shared"])  # a second read goes to the cache
        return Response({"found": found, "extra": extra})


class PlainView(PrefetchingView):
    cache_prefetch_keys = None  # declares nothing: reads as before


class CountingView(APIView):
    """Increments ``counter`` with the throttle's call while ``answer`` exists, and the usual way when that
    was not done (as the product detail does with its view count)."""

    permission_classes = [AllowAny]

    def cache_prefetch_incr(self, request):
        return cache_prefetch.JoinedIncr(key="counter", guard_key="answer")

    def get(self, request):
        joined = cache_prefetch.incremented(request)
        if joined is None:
            cache.add("counter", 0, None)
            cache.incr("counter", 1000)  # told apart from a joined increment
        return Response({"joined": joined})


urlpatterns = [
    path("prefetch", PrefetchingView.as_view()),
    path("plain", PlainView.as_view()),
    path("count", CountingView.as_view()),
]


@pytest.fixture(autouse=True)
def routes(settings):
    settings.ROOT_URLCONF = __name__
    cache.clear()
    yield
    cache.clear()


def hits_and_misses():
    return CACHE_GETS.labels("default", "hit")._value.get(), CACHE_GETS.labels("default", "miss")._value.get()


def warmed_client(path):
    """A client on Redis, after a first request to ``path`` (which loads the throttle's script)."""
    redis_only()
    client = APIClient()
    client.get(path)
    return client


def data_and_trips(client, path):
    """The answer's ``data`` for ``path`` and the round trips to Redis it took."""
    sent, counting = round_trips()
    with counting:
        data = client.get(path).json()["data"]
    return data, len(sent)


def test_cached_answer_is_one_round_trip_and_follows_changes():
    cache.set("greeting:ada", {"text": "hello"})
    cache.set("shared", 7)
    client = warmed_client("/prefetch?name=ada")
    before = hits_and_misses()
    body, trips = data_and_trips(client, "/prefetch?name=ada")
    assert body == {"found": {"greeting:ada": {"text": "hello"}, "shared": 7}, "extra": {"shared": 7}}
    # The throttle's call (with the two keys) and the view's second read; without the prefetch: three.
    assert trips == 2
    after = hits_and_misses()
    assert (after[0] - before[0], after[1] - before[1]) == (3, 0)  # prefetched reads are counted too

    cache.set("greeting:ada", {"text": "changed"})
    cache.delete("shared")
    assert client.get("/prefetch?name=ada").json()["data"] == {
        "found": {"greeting:ada": {"text": "changed"}},
        "extra": {},
    }
    assert client.get("/prefetch?name=bob").json()["data"]["found"] == {}


def test_a_view_without_keys_reads_as_before():
    cache.set("greeting:ada", "hi")
    body, trips = data_and_trips(warmed_client("/plain?name=ada"), "/plain?name=ada")
    assert body["found"] == {"greeting:ada": "hi"}
    assert trips == 3  # throttle, then the view's two reads


@pytest.mark.django_db
def test_refused_requests_still_answer_429(throttle_rates):
    throttle_rates(anon="1/min")
    client = APIClient()
    cache.set("greeting:ada", "hi")
    assert client.get("/prefetch?name=ada").status_code == 200
    assert client.get("/prefetch?name=ada").status_code == 429


def test_without_a_prefetch_get_many_is_the_cache():
    """Local-memory cache, Redis down, other throttles: nothing was kept, the view reads the cache."""
    cache.set("shared", 3)

    class Request:
        pass

    assert cache_prefetch.get_many(Request(), ["shared", "absent"]) == {"shared": 3}


def test_keys_that_were_not_prefetched_are_read_from_the_cache():
    redis_only()
    cache.set("shared", 3)
    cache.set("other", 4)

    class Request:
        pass

    request = Request()
    cache_prefetch.keep(request, cache, {"shared": cache.client.encode(3)})
    assert cache_prefetch.get_many(request, ["shared", "other"]) == {"shared": 3, "other": 4}


# --- A counter joined to the throttle's call (``cache_prefetch.JoinedIncr``) ---------------------------


def test_a_joined_increment_is_made_by_the_throttle_call_while_its_guard_exists():
    cache.set("answer", "cached")
    client = warmed_client("/count")  # counted once
    assert data_and_trips(client, "/count") == ({"joined": "counter"}, 1)  # the throttle's call did the increment
    assert cache.get("counter") == 2
    assert cache.ttl("counter") is None  # no expiry, as cache.add(key, 1, timeout=None) made it

    cache.delete("answer")  # e.g. the product's cached answers dropped: the view counts the usual way
    assert client.get("/count").json()["data"] == {"joined": None}
    assert cache.get("counter") == 1002


def test_the_script_tells_a_fitting_request_as_the_throttle_decides():
    """The script's gate and ``_decide`` use the same arithmetic: they agree at every boundary."""
    redis_only()
    from skincare.api.throttling import AnonRateThrottle, count_windows

    throttle = AnonRateThrottle()
    throttle.num_requests, throttle.duration = 5, 60
    for seconds in (0.0, 0.5, 12.0, 29.999, 30.0, 45.25, 59.9):
        for previous in range(0, 9):
            for already in range(0, 7):
                cache.clear()
                throttle.now = 6_000_000.0 + seconds
                cache.set("w:prev", previous)
                cache.set("w:cur", already)
                cache.set("answer", 1)
                incr = (cache_prefetch.JoinedIncr(key="counter", guard_key="answer"), [throttle._gate()])
                counted = count_windows(cache, [("w:cur", "w:prev", 121)], prefetch=["answer"], incr=incr)
                (current, seen_previous) = counted.counts[0]
                assert (current, seen_previous) == (already + 1, previous)
                assert counted.raw == {"answer": b"1"}
                decided = throttle._decide("w:cur", current, seen_previous)
                assert bool(counted.incremented) == decided, (seconds, previous, already)
                assert cache.get("counter") == (1 if decided else None)


@pytest.mark.django_db
def test_a_refused_request_increments_nothing(throttle_rates):
    redis_only()
    throttle_rates(anon="2/min")
    client = APIClient()
    cache.set("answer", "cached")
    assert [client.get("/count").status_code for _ in range(4)] == [200, 200, 429, 429]
    assert cache.get("counter") == 2


def test_without_redis_the_view_is_not_asked_for_a_joined_increment():
    """Local-memory cache (the embedded default): the view counts the usual way."""
    if hasattr(cache, "client") and hasattr(cache.client, "get_client"):
        pytest.skip("the embedded default cache only")
    cache.set("answer", "cached")
    assert APIClient().get("/count").json()["data"] == {"joined": None}
    assert cache.get("counter") == 1000
