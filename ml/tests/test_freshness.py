"""The last good copy of a store-backed report is kept per parameters, under a key every cache accepts."""

import warnings

import pytest
from django.core.cache import CacheKeyWarning, cache

from ml.freshness import read_or_last_good
from ml.store import StoreError


def _down(**params):
    raise StoreError("store down")


def _empty(**params):
    return {"rows": []}


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_parameters_with_spaces_and_tuples_make_a_valid_key_and_the_copy_is_served():
    def read(*, product_ids, period):
        return {"rows": [list(product_ids), period]}

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        fresh = read_or_last_good("sales", read, empty=_empty, product_ids=(1, 2), period="last 7 days")
        stale = read_or_last_good("sales", _down, empty=_empty, product_ids=(1, 2), period="last 7 days")

    assert fresh["stale"] is False
    assert stale["stale"] is True
    assert stale["rows"] == [[1, 2], "last 7 days"]
    assert stale["as_of"] == fresh["as_of"]


def test_each_set_of_parameters_keeps_its_own_copy():
    read_or_last_good("sales", lambda **p: {"rows": ["a"]}, empty=_empty, product_ids=(1, 2))

    other = read_or_last_good("sales", _down, empty=_empty, product_ids=(1, 3))
    same = read_or_last_good("sales", _down, empty=_empty, product_ids=(1, 2))
    other_report = read_or_last_good("refunds", _down, empty=_empty, product_ids=(1, 2))

    assert other == {"rows": [], "stale": True, "as_of": None}
    assert same["rows"] == ["a"]
    assert other_report["as_of"] is None
