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


class PushingView(APIView):
    """Appends ``?value=`` to the list ``pushed`` with the throttle's call while ``guard`` holds ``expected``,
    and to ``pushed`` the usual way when that was not done (as the search API does with its event)."""

    permission_classes = [AllowAny]
    flags = []

    def cache_prefetch_push(self, request):
        join = cache_prefetch.JoinedPush(guard_key="guard", guard_value="expected")
        join.push(
            key="pushed", values=[request.query_params["value"]], flag_key="flag", flag_at=3, flag_ttl=30,
            then=self.flags.append,
        )  # fmt: skip
        return join

    def get(self, request):
        joined = cache_prefetch.pushed(request)
        if not joined:
            pushed_list().rpush(cache.make_key("pushed"), f"late:{request.query_params['value']}")
        return Response({"joined": joined})


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


def pushed_list():
    return cache.client.get_client(write=True)


def pushed_values():
    return [value.decode() for value in pushed_list().lrange(cache.make_key("pushed"), 0, -1)]


urlpatterns = [
    path("prefetch", PrefetchingView.as_view()),
    path("plain", PlainView.as_view()),
    path("push", PushingView.as_view()),
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


def test_cached_answer_is_one_round_trip_and_follows_changes():
    redis_only()
    client = APIClient()
    cache.set("greeting:ada", {"text": "hello"})
    cache.set("shared", 7)
    client.get("/prefetch?name=ada")  # the throttle's script is loaded
    sent, counting = round_trips()
    before = hits_and_misses()
    with counting:
        body = client.get("/prefetch?name=ada").json()["data"]
    assert body == {"found": {"greeting:ada": {"text": "hello"}, "shared": 7}, "extra": {"shared": 7}}
    # The throttle's call (with the two keys) and the view's second read; without the prefetch: three.
    assert len(sent) == 2
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
    redis_only()
    client = APIClient()
    cache.set("greeting:ada", "hi")
    client.get("/plain?name=ada")
    sent, counting = round_trips()
    with counting:
        assert client.get("/plain?name=ada").json()["data"]["found"] == {"greeting:ada": "hi"}
    assert len(sent) == 3  # throttle, then the view's two reads


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


# --- A list write joined to the throttle's call (``cache_prefetch.JoinedPush``) --------------------


def test_a_joined_push_is_appended_by_the_throttle_call_while_its_guard_holds():
    redis_only()
    client = APIClient()
    cache.set("guard", "expected")
    client.get("/push?value=warm-up")  # the throttle's script is loaded
    sent, counting = round_trips()
    with counting:
        assert client.get("/push?value=a").json()["data"] == {"joined": True}
    assert len(sent) == 1  # the throttle's call did the write
    assert pushed_values() == ["warm-up", "a"]

    cache.set("guard", "changed")  # e.g. a new catalog version: the write is made after the answer instead
    assert client.get("/push?value=b").json()["data"] == {"joined": False}
    assert pushed_values() == ["warm-up", "a", "late:b"]


def test_a_joined_push_sets_its_flag_once_the_list_is_long_enough():
    redis_only()
    client = APIClient()
    cache.set("guard", "expected")
    PushingView.flags.clear()
    for value in "abcd":
        client.get(f"/push?value={value}")
    assert PushingView.flags == [False, False, True, False]  # the 3rd value set it; the 4th found it set (NX)
    assert pushed_list().ttl(cache.make_key("flag")) > 0
    cache.delete("flag")  # what the flush does
    client.get("/push?value=e")
    assert PushingView.flags[4:] == [True]


@pytest.mark.django_db
def test_a_refused_request_appends_nothing(throttle_rates):
    redis_only()
    throttle_rates(anon="2/min")
    client = APIClient()
    cache.set("guard", "expected")
    assert [client.get(f"/push?value={n}").status_code for n in range(4)] == [200, 200, 429, 429]
    assert pushed_values() == ["0", "1"]


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
                cache.set("guard", "expected")
                cache.set("answer", 1)
                join = cache_prefetch.JoinedPush(guard_key="guard", guard_value="expected")
                join.push(key="pushed", values=["x"], flag_key="flag", flag_at=100, flag_ttl=30, then=lambda _: None)
                bump = cache_prefetch.JoinedIncr(key="counter", guard_key="answer")
                gates = [throttle._gate()]
                # Alternately the push alone, the increment alone and both (the script's three layouts).
                case = (previous + already) % 3
                push = (join, gates) if case != 1 else None
                incr = (bump, gates) if case != 0 else None
                counted = count_windows(cache, [("w:cur", "w:prev", 121)], push=push, incr=incr, prefetch=["answer"])
                (current, seen_previous) = counted.counts[0]
                assert (current, seen_previous) == (already + 1, previous)
                assert counted.raw == {"answer": b"1"}
                decided = throttle._decide("w:cur", current, seen_previous)
                if push:
                    assert bool(counted.pushed[0]) == decided, (seconds, previous, already)
                if incr:
                    assert bool(counted.incremented) == decided, (seconds, previous, already)
                    assert cache.get("counter") == (1 if decided else None)


def test_without_redis_the_view_is_not_asked_for_a_joined_write():
    """Local-memory cache (the embedded default): the view makes its write the usual way."""
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from skincare.api.throttling import DefaultRateThrottle

    if hasattr(cache, "client") and hasattr(cache.client, "get_client"):
        pytest.skip("the embedded default cache only")

    class View:
        throttle_classes = [DefaultRateThrottle]

        def cache_prefetch_push(self, request):
            raise AssertionError("asked for a joined write without Redis")

    request = Request(APIRequestFactory().get("/push"))
    request.user = AnonymousUser()
    assert DefaultRateThrottle().allow_request(request, View())
    assert cache_prefetch.pushed(request) is False


# --- A counter joined to the throttle's call (``cache_prefetch.JoinedIncr``) ---------------------------


def test_a_joined_increment_is_made_by_the_throttle_call_while_its_guard_exists():
    redis_only()
    client = APIClient()
    cache.set("answer", "cached")
    client.get("/count")  # the throttle's script is loaded (and counts once)
    sent, counting = round_trips()
    with counting:
        assert client.get("/count").json()["data"] == {"joined": "counter"}
    assert len(sent) == 1  # the throttle's call did the increment
    assert cache.get("counter") == 2
    assert cache.ttl("counter") is None  # no expiry, as cache.add(key, 1, timeout=None) made it

    cache.delete("answer")  # e.g. the product's cached answers dropped: the view counts the usual way
    assert client.get("/count").json()["data"] == {"joined": None}
    assert cache.get("counter") == 1002


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
