"""Default rate limits (``skincare.api.throttling``): a sliding-window counter, one cache round trip."""

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from skincare.api.throttling import AnonRateThrottle, DefaultRateThrottle, UserRateThrottle


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def anon_request(address="10.0.0.1"):
    request = Request(APIRequestFactory().get("/api/v1/products", REMOTE_ADDR=address))
    request.user = AnonymousUser()
    return request


def throttle_at(cls, seconds, rate):
    throttle = cls()
    throttle.rate = rate
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    throttle.timer = lambda: 6_000_000.0 + seconds  # a window boundary (divisible by 60)
    return throttle


def allowed(cls, seconds, rate="3/min", request=None):
    throttle = throttle_at(cls, seconds, rate)
    ok = throttle.allow_request(request or anon_request(), None)
    return ok, (None if ok else throttle.wait())


def test_refuses_over_the_rate_and_the_previous_window_fades():
    assert [allowed(AnonRateThrottle, t)[0] for t in (0, 1, 2)] == [True, True, True]
    assert allowed(AnonRateThrottle, 3) == (False, 57 + 20)  # rest of the window + 60 s / 3
    # Next window: the previous 3 still weigh fully at its start, 2/3 of them 20 s in.
    assert allowed(AnonRateThrottle, 60) == (False, 20)
    assert allowed(AnonRateThrottle, 80)[0] is True
    assert allowed(AnonRateThrottle, 81)[0] is False  # 3 * 39/60 + 2 > 3


def test_refused_requests_are_not_counted():
    for t in range(3):
        assert allowed(AnonRateThrottle, t)[0]
    for t in range(3, 30):
        assert not allowed(AnonRateThrottle, t)[0]
    assert allowed(AnonRateThrottle, 80)[0] is True  # as if the refusals never happened


def test_clients_are_counted_apart(django_user_model):
    for t in range(3):
        assert allowed(AnonRateThrottle, t, request=anon_request("10.0.0.1"))[0]
    assert not allowed(AnonRateThrottle, 3, request=anon_request("10.0.0.1"))[0]
    assert allowed(AnonRateThrottle, 3, request=anon_request("10.0.0.2"))[0]


@pytest.mark.django_db
def test_users_are_counted_per_user(django_user_model):
    alice = django_user_model.objects.create_user(email="alice@example.com", password="x")  # noqa: S106
    bob = django_user_model.objects.create_user(email="bob@example.com", password="x")  # noqa: S106

    def as_user(user):
        request = anon_request()
        request.user = user
        return request

    assert [allowed(UserRateThrottle, 0, "2/min", as_user(alice))[0] for _ in range(3)] == [True, True, False]
    assert allowed(UserRateThrottle, 0, "2/min", as_user(bob))[0] is True


@pytest.mark.django_db
def test_the_api_answers_429_with_retry_after(api_client, throttle_rates):
    throttle_rates(anon="2/min")
    codes = [api_client.get("/api/v1/categories").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = api_client.get("/api/v1/categories")
    assert response.json()["code"] == "THROTTLED" and 0 < int(response["Retry-After"]) <= 90


def test_redis_down_lets_requests_through_instead_of_failing():
    """With Redis unreachable the cache API ignores the error (IGNORE_EXCEPTIONS); the counter's own
    pipeline must too, or every API request would answer 500 during a Redis outage."""
    from django_redis.cache import RedisCache

    down = RedisCache(
        "redis://127.0.0.1:1/0",  # nothing listens on port 1
        {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True}},
    )
    throttle = throttle_at(AnonRateThrottle, 0, "1/min")
    throttle.cache = down
    assert [throttle.allow_request(anon_request(), None) for _ in range(3)] == [True, True, True]


# --- DefaultRateThrottle: the API's "anon" and "user" rates in one round trip ---------------------


def default_at(seconds, *, anon, user, cache=None):
    throttle = DefaultRateThrottle()
    throttle.throttles = [throttle_at(AnonRateThrottle, seconds, anon), throttle_at(UserRateThrottle, seconds, user)]
    if cache is not None:
        for part in throttle.throttles:
            part.cache = cache
    return throttle


def test_default_throttle_counts_the_same_windows_as_the_two_throttles():
    """An anonymous client is counted under both rates, under DRF's keys: the separate classes see
    the requests the combined one counted."""
    for t in range(2):
        assert default_at(t, anon="2/min", user="5/min").allow_request(anon_request(), None)
    assert allowed(AnonRateThrottle, 2, "2/min") == (False, 58 + 30)  # the anon window holds the 2
    assert allowed(UserRateThrottle, 2, "3/min")[0] is True  # the user window holds 2: a third fits
    assert allowed(UserRateThrottle, 3, "3/min")[0] is False


def test_default_throttle_refuses_on_either_rate_with_the_longer_wait():
    for t in range(2):
        assert default_at(t, anon="5/min", user="2/min").allow_request(anon_request(), None)
    throttle = default_at(2, anon="5/min", user="2/min")
    assert throttle.allow_request(anon_request(), None) is False
    assert throttle.wait() == 58 + 30  # the user rate's wait (the anon one has room)
    # As with DRF's two classes: the anon rate let it through (counted, 3 of 5), the user refusal was
    # taken back (still 2).
    assert allowed(UserRateThrottle, 3, "3/min")[0] is True
    assert [allowed(AnonRateThrottle, 3, "5/min")[0] for _ in range(3)] == [True, True, False]
    throttle = default_at(4, anon="1/min", user="1/min")
    assert throttle.allow_request(anon_request(), None) is False
    assert throttle.wait() == max(part.wait() for part in throttle.throttles)


@pytest.mark.django_db
def test_default_throttle_counts_a_signed_in_user_by_user_only(django_user_model):
    alice = django_user_model.objects.create_user(email="alice@example.com", password="x")  # noqa: S106
    request = anon_request()
    request.user = alice
    assert [default_at(0, anon="1/min", user="2/min").allow_request(request, None) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert allowed(AnonRateThrottle, 0, "1/min")[0] is True  # the address was not counted


@pytest.fixture
def redis_store():
    """A django-redis cache on REDIS_URL (the round-trip tests need the real client)."""
    import os

    import redis
    from django_redis.cache import RedisCache

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL")
    store = RedisCache(url, {"KEY_PREFIX": "throttle-test", "OPTIONS": {}})
    try:
        store.client.get_client(write=True).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis not reachable")
    store.clear()
    yield store
    store.clear()


def test_default_throttle_is_one_redis_round_trip(redis_store):
    """Both rates' windows are counted in one call (DRF's two throttle classes made two round trips)."""
    from redis.connection import AbstractConnection

    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    default_at(0, anon="2/min", user="3/min", cache=redis_store).allow_request(anon_request(), None)  # script loaded
    with mock.patch.object(AbstractConnection, "send_packed_command", counting):
        outcomes = [
            default_at(0, anon="2/min", user="3/min", cache=redis_store).allow_request(anon_request(), None)
            for _ in range(2)
        ]
    assert outcomes == [True, False]  # the 2nd and 3rd request of the anon rate's 2/min
    assert len(sent) == 3  # one call for each request, plus the DECR taking the refused one back
    raw = redis_store.client.get_client(write=True)
    anon_window = redis_store.make_key(
        f"{default_at(0, anon='2/min', user='3/min').throttles[0].get_cache_key(anon_request(), None)}:w100000"
    )
    assert int(raw.get(anon_window)) == 2 and 0 < raw.ttl(anon_window) <= 121


def test_default_throttle_survives_a_script_flush(redis_store):
    raw = redis_store.client.get_client(write=True)
    assert default_at(0, anon="2/min", user="3/min", cache=redis_store).allow_request(anon_request(), None)
    raw.script_flush()
    assert default_at(0, anon="2/min", user="3/min", cache=redis_store).allow_request(anon_request(), None)
    assert not default_at(0, anon="2/min", user="3/min", cache=redis_store).allow_request(anon_request(), None)


def test_default_throttle_replaces_a_dropped_connection(redis_store):
    """Its own connection, killed by the server (as by a Redis restart), is replaced; the request is counted once."""
    from skincare.api.throttling import _connection

    raw = redis_store.client.get_client(write=True)
    assert default_at(0, anon="2/min", user="3/min", cache=redis_store).allow_request(anon_request(), None)
    own = _connection(raw)
    own.send_command("CLIENT", "ID")
    assert raw.client_kill_filter(_id=own.read_response()) == 1
    assert default_at(0, anon="2/min", user="3/min", cache=redis_store).allow_request(anon_request(), None)
    assert not default_at(0, anon="2/min", user="3/min", cache=redis_store).allow_request(anon_request(), None)


def test_the_api_uses_the_default_throttle():
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_THROTTLE_CLASSES == [DefaultRateThrottle]


def test_the_script_connections_of_many_threads_never_use_up_the_pool(redis_store):
    """Each thread's own connection is made outside the client's pool: threads that come and go (a
    threaded server, Celery) never count against ``max_connections``, so requests stay counted."""
    import threading

    import redis

    from skincare.api.throttling import _run_script

    raw = redis_store.client.get_client(write=True)
    tight = redis.Redis(
        connection_pool=redis.ConnectionPool(**raw.connection_pool.connection_kwargs, max_connections=1)
    )
    key = redis_store.make_key("throttle-threads")
    replies, errors = [], []

    def count_once():
        try:
            replies.append(_run_script(tight, [key, key + ":previous"], [1, 60, 0]))
        except Exception as exc:  # noqa: BLE001 - the assertion below names it
            errors.append(exc)

    for _ in range(4):  # one after the other: each thread's connection outlives the thread's call
        thread = threading.Thread(target=count_once)
        thread.start()
        thread.join()
    assert errors == []
    assert [int(reply[0]) for reply in replies] == [1, 2, 3, 4]
