"""skincare.deferred: work deferred inside a batch is flushed once per key when the batch ends."""

import pytest

from skincare import deferred


def _collector(log, name):
    return lambda items: log.append((name, list(items)))


def test_outside_a_batch_each_item_is_flushed_at_once():
    log = []
    deferred.defer("a", 1, flush=_collector(log, "a"))
    deferred.defer("a", 2, flush=_collector(log, "a"))
    assert log == [("a", [1]), ("a", [2])]


def test_a_batch_flushes_each_key_once_at_its_end_in_first_use_order():
    log = []
    with deferred.batch():
        deferred.defer("notices", 1, flush=_collector(log, "notices"))
        deferred.defer("mails", "x", flush=_collector(log, "mails"))
        deferred.defer("notices", 2, flush=_collector(log, "notices"))
        assert log == []
    assert log == [("notices", [1, 2]), ("mails", ["x"])]


def test_a_nested_batch_leaves_the_flush_to_the_outermost():
    log = []
    with deferred.batch():
        with deferred.batch():
            deferred.defer("a", 1, flush=_collector(log, "a"))
        assert log == []
        deferred.defer("a", 2, flush=_collector(log, "a"))
    assert log == [("a", [1, 2])]
    deferred.defer("a", 3, flush=_collector(log, "a"))  # the batch is over
    assert log[-1] == ("a", [3])


def test_work_deferred_while_flushing_runs_at_once():
    log = []

    def flush(items):
        log.append(("first", items))
        deferred.defer("second", "y", flush=_collector(log, "second"))

    with deferred.batch():
        deferred.defer("first", "x", flush=flush)
    assert log == [("first", ["x"]), ("second", ["y"])]


def test_an_exception_still_flushes_what_was_deferred_and_propagates():
    log = []
    with pytest.raises(ValueError, match="payment"):
        with deferred.batch():
            deferred.defer("a", 1, flush=_collector(log, "a"))
            raise ValueError("payment failed after the order committed")
    assert log == [("a", [1])]


def test_a_failing_flush_does_not_drop_the_others_and_is_raised_after_them():
    log = []

    def broken(items):
        raise RuntimeError("broker refused")

    with pytest.raises(RuntimeError, match="broker refused"):
        with deferred.batch():
            deferred.defer("broken", 1, flush=broken)
            deferred.defer("b", 2, flush=_collector(log, "b"))
    assert log == [("b", [2])]
