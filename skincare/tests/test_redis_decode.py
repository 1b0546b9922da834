"""The Redis client's ``decode`` (``skincare.observability.cache.RedisClient``): django-redis's values, without
its ``int()`` attempt on a pickled value."""

from unittest import mock

import pytest
from django_redis.client import DefaultClient
from django_redis.compressors.identity import IdentityCompressor
from django_redis.compressors.zlib import ZlibCompressor
from django_redis.serializers.pickle import PickleSerializer

from skincare.observability.cache import RedisClient

VALUES = [0, -7, 2**70, "12", "text", b"\x80raw", 1.5, None, ((3, 20), '"etag"', 1.0, b"x" * 22_000), {"a": [1, 2]}]


def client(cls, compressor):
    made = object.__new__(cls)  # no connection: decode and encode only use these two
    made._serializer, made._compressor = PickleSerializer({}), compressor({})
    return made


@pytest.mark.parametrize("compressor", [IdentityCompressor, ZlibCompressor])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_values_decode_as_django_redis_decodes_them(compressor, value):
    ours, theirs = client(RedisClient, compressor), client(DefaultClient, compressor)
    encoded = theirs.encode(value)
    stored = str(encoded).encode() if isinstance(encoded, int) else encoded  # Redis answers an int as its digits
    assert ours.decode(stored) == theirs.decode(stored) == value


def test_a_pickled_value_is_not_parsed_as_an_integer_first():
    ours = client(RedisClient, IdentityCompressor)
    stored = ours.encode(((3, 20), '"etag"', 1.0, b"x" * 22_000))
    with mock.patch.object(DefaultClient, "decode", side_effect=AssertionError("django-redis's int() attempt")):
        assert ours.decode(stored)[3] == b"x" * 22_000
        with pytest.raises(AssertionError):
            ours.decode(b"12")  # an integer's digits still go to django-redis
