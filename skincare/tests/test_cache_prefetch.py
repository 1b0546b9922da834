"""A cached answer in one Redis round trip (``skincare.api.cache_prefetch`` + ``DefaultRateThrottle``)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from skincare.api import cache_prefetch
from skincare.observability.metrics import CACHE_GETS


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


urlpatterns = [path("prefetch", PrefetchingView.as_view()), path("plain", PlainView.as_view())]


@pytest.fixture(autouse=True)
def routes(settings):
    settings.ROOT_URLCONF = __name__
    cache.clear()
    yield
    cache.clear()


def redis_only():
    if not hasattr(cache, "client") or not hasattr(cache.client, "get_client"):
        pytest.skip("the prefetch needs the Redis cache (REDIS_URL)")


def round_trips():
    from redis.connection import AbstractConnection

    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    return sent, mock.patch.object(AbstractConnection, "send_packed_command", counting)


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
