"""Follow-up work of one operation, handed on once when the operation ends.

Checkout commits twice (the order, then the payment) and each commit has work queued behind it
(``transaction.on_commit``): e-mails, in-app notices, the recommendation refresh, analytics. Inside
``batch()`` a receiver may ``defer`` an item instead of handing it on at once: the items deferred under
one key during the batch go to that key's ``flush`` once, as one list, when the outermost batch ends
(after the operation's last commit), so the three notices of a checkout become one task and one bulk
insert. Outside a batch ``defer`` flushes at once (a list of one), so callers need not care whether one
is open.

``publish`` hands on a Celery task the same way: with a broker, the tasks published during a batch leave
as one message (``deferred_run``), which runs each of them in the worker, on its own; the request pays
for one publish instead of one per task. Celery eager (no broker), or outside a batch, each is sent at
once, as ``delay`` / ``apply_async`` would.

The items are only ever deferred from work that runs after a commit, so a batch ended by an exception
still flushes what was deferred: it belongs to transactions that committed. A flush that fails is logged
and does not stop the others; it reaches the caller only when no other exception is on its way.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from celery import current_app, shared_task, states

from skincare.observability import celery_hooks

logger = logging.getLogger(__name__)

_pending = ContextVar("skincare_deferred", default=None)
TASKS = "skincare.deferred.tasks"  # the key of the published tasks: flushed after every other key


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
        try:
            error = _flush(groups)  # still open: a flush that publishes joins the batch's one message
        finally:
            _pending.reset(token)
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


def publish(task, *, args=(), kwargs=None, **options):
    """``task.apply_async(args, kwargs, **options)``, or ``task.delay(*args, **kwargs)`` without options;
    with a broker and inside a batch, once the batch ends, in one message with the batch's other tasks."""
    item = (task.name, list(args), kwargs or {}, options)
    if _pending.get() is None or task.app.conf.task_always_eager:
        _send(task, item)
        return
    defer(TASKS, item, flush=_publish)


def _send(task, item):
    _, args, kwargs, options = item
    if options:
        task.apply_async(args, kwargs, **options)
    else:
        task.delay(*args, **kwargs)


def _publish(items):
    if len(items) == 1:
        _send(current_app.tasks[items[0][0]], items[0])
        return
    deferred_run.apply_async(kwargs={"tasks": items}, kwargsrepr=repr(sorted({item[0] for item in items})))


@shared_task(name="skincare.deferred_run", bind=True)
def deferred_run(self, *, tasks):
    """The tasks of one batch, run here one after the other, each as its own message would: one that
    fails is logged and does not stop the others; when its task retries that error (``autoretry_for``)
    it is sent again on its own, to retry as it would have, else it leaves its own ``FailedTask`` row.
    Each run has its log context, outcome and duration under its own task name (the signal receivers of
    ``celery_hooks``, called here), its id being the message's id and its place in the batch. A task with
    a ``countdown`` or ``eta`` is sent on its own (its time has not come)."""
    for index, item in enumerate(tasks):
        name, args, kwargs, options = item
        task = current_app.tasks[name]
        if "countdown" in options or "eta" in options:
            _send(task, item)
            continue
        run_id = f"{self.request.id or ''}:{index}"
        celery_hooks.task_started(task_id=run_id, task=task)
        state = states.FAILURE
        try:
            task(*args, **kwargs)
            state = states.SUCCESS
        except Exception as exc:  # noqa: BLE001 - one failing task must not drop the others
            logger.exception("Task %s of a deferred batch failed", name)
            if isinstance(exc, tuple(getattr(task, "autoretry_for", ()) or ())):
                state = states.RETRY
                _send(task, item)
            else:
                celery_hooks.task_failed(sender=task, task_id=run_id, exception=exc, args=args, kwargs=kwargs)
        finally:
            celery_hooks.task_finished(task_id=run_id, task=task, state=state)


def _flush(groups):
    error = None
    while groups:
        key = next((key for key in groups if key != TASKS), TASKS)
        flush, items = groups.pop(key)
        try:
            flush(items)
        except Exception as exc:  # noqa: BLE001 - one failing flush must not drop the others
            logger.exception("Deferred work %s failed (%d items)", key, len(items))
            error = error or exc
    return error
