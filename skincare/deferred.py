"""Follow-up work of one operation, handed on once when the operation ends.

Checkout commits twice (the order, then the payment) and each commit has work queued behind it
(``transaction.on_commit``): e-mails, in-app notices, the recommendation refresh, analytics. Inside
``batch()`` a receiver may ``defer`` an item instead of handing it on at once: the items deferred under
one key during the batch go to that key's ``flush`` once, as one list, when the outermost batch ends
(after the operation's last commit), so the three notices of a checkout become one task and one bulk
insert. Outside a batch ``defer`` flushes at once (a list of one), so callers need not care whether one
is open.

The items are only ever deferred from work that runs after a commit, so a batch ended by an exception
still flushes what was deferred: it belongs to transactions that committed. A flush that fails is logged
and does not stop the others; it reaches the caller only when no other exception is on its way.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

logger = logging.getLogger(__name__)

_pending = ContextVar("skincare_deferred", default=None)


@contextmanager
def batch():
    """Collect ``defer`` calls until the outermost ``batch`` ends, then flush each key once (in the
    order the keys were first deferred)."""
    if _pending.get() is not None:  # nested: the outermost batch flushes
        yield
        return
    groups = {}
    token = _pending.set(groups)
    failed = True
    try:
        yield
        failed = False
    finally:
        _pending.reset(token)
        error = _flush(groups)
        if error is not None and not failed:
            raise error


def defer(key, item, *, flush):
    """Hand ``item`` to ``flush([... items])`` once per batch for ``key`` (at once outside a batch)."""
    groups = _pending.get()
    if groups is None:
        flush([item])
        return
    if key not in groups:
        groups[key] = (flush, [])
    groups[key][1].append(item)


def _flush(groups):
    error = None
    while groups:
        key = next(iter(groups))
        flush, items = groups.pop(key)
        try:
            flush(items)
        except Exception as exc:  # noqa: BLE001 - one failing flush must not drop the others
            logger.exception("Deferred work %s failed (%d items)", key, len(items))
            error = error or exc
    return error
