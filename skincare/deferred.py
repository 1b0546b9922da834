"""Follow-up work of one operation, handed on once when the operation ends.

Checkout commits twice (the order, then the payment) and each commit has work queued behind it
(``transaction.on_commit``): e-mails, in-app notices, the recommendation refresh, analytics. Inside
``batch()`` a receiver may ``defer`` an item instead of handing it on at once: the items deferred under
one key during the batch go to that key's ``flush`` once, as one list, when the outermost batch ends
(after the operation's last commit), so the three notices of a checkout become one task and one bulk
insert. Outside a batch ``defer`` flushes at once (a list of one), so callers need not care whether one
is open.

``publish`` hands on a Celery task the same way. Celery eager (no broker), or outside a batch, each is sent
at once, as ``delay`` / ``apply_async`` would. With a broker, the tasks published during a batch are written
as one ``DeferredBatch`` row once the batch ends (one INSERT, in autocommit), and ``deferred_drain`` runs the
rows of every operation of the last ``DEFERRED_DRAIN_SECONDS`` together in the worker: one message, one task
run, one INSERT of all their notices, one e-mail connection for a window's checkouts instead of one each. The
drain is triggered by a message sent with that countdown: with Redis at most once per window for the whole
deployment (a ``SET NX PX`` key taken by the process that sends it; the others leave their rows to that drain
until the key expires, and each remembers for how long, so it asks Redis once per window), without it at most
once per window by each process (its own clock); and every minute by beat in case a trigger was lost (also a
process that took the key and died before sending: the next operation after the key expires sends one). The
rows are durable from their INSERT: a broker outage keeps them (and the trigger, in the outbox) until it ends.
A row whose INSERT fails is sent as one ``deferred_run`` message, as ``DEFERRED_DRAIN_SECONDS = 0`` sends every
batch. E-mails and notices of a checkout so leave up to a window (plus the drain's run) later than with a
message of their own.

Each task the worker runs from a batch or a drain runs on its own (``_run``), as its own message would, except
the tasks that name a list argument (``deferred_merge``, e.g. the notices task's ``notices``): the calls of
one drain are run as one call with the lists put together, in a transaction; when it fails, each call runs
again on its own, so a broken item does not drop the others.

``redis_after_commit`` does the same for the Redis commands written after a commit (a cart's version, a product's
cached detail, the analytics event, the refresh's pending set, a list page's version): inside a batch they are
queued on one pipeline sent when the batch ends (one round trip for a checkout's five, after its last commit and
before the answer leaves); outside one they are sent at once. Without Redis (the embedded locmem cache) each
caller's ``plain`` cache calls run at once.

The items are only ever deferred from work that runs after a commit, so a batch ended by an exception
still flushes what was deferred: it belongs to transactions that committed. A flush that fails is logged
and does not stop the others; it reaches the caller only when no other exception is on its way.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from celery import current_app, shared_task, states
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import RedisError

from skincare import mail
from skincare.observability import celery_hooks
from skincare.prepared import rows_insert

logger = logging.getLogger(__name__)

_pending = ContextVar("skincare_deferred", default=None)
TASKS = "skincare.deferred.tasks"  # the key of the published tasks: flushed after every other key


@contextmanager
def batch():
    """Collect ``defer`` calls until the outermost ``batch`` ends, then flush each key once (in the
    order the keys were first deferred)."""
    if in_batch():  # nested: the outermost batch flushes
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


def in_batch():
    """Whether a ``batch`` is open (its work is handed on when it ends)."""
    return _pending.get() is not None


def defer(key, item, *, flush):
    """Hand ``item`` to ``flush([... items])`` once per batch for ``key`` (at once outside a batch)."""
    groups = _pending.get()
    if groups is None:
        flush([item])
        return
    if key not in groups:
        groups[key] = (flush, [])
    groups[key][1].append(item)


REDIS = "skincare.deferred.redis"  # the key of the after-commit Redis commands: one pipeline per batch


def redis_after_commit(commands, *, plain, replies=None, failed=None):
    """Redis commands that follow a commit: ``commands(pipe)`` queues them on a redis-py pipeline (keys through
    ``cache.make_key``, values through the cache's ``client.encode``); inside a batch they join the batch's one
    pipeline, sent when it ends, outside one they are sent at once. ``replies(list)`` gets their replies;
    ``failed(error)`` is called instead when Redis cannot be reached (default: as the cache's own errors, logged
    when the cache ignores them, else raised). Without Redis ``plain()`` makes the same change through the
    cache API, at once. Call it only after the commit (an ``on_commit`` callback): a batch sends it later."""
    if not _uses_redis():
        plain()
        return
    defer(REDIS, (commands, replies, failed), flush=_redis_send)


def _uses_redis():
    return settings.CACHES["default"]["BACKEND"].startswith("django_redis")


def redis_connection():
    """The default cache's Redis client (django-redis), or None (the embedded locmem cache)."""
    if not _uses_redis():
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _redis_send(items):
    """One pipeline (not a transaction: each caller's commands are independent of the others') for ``items``;
    each caller's replies (``raise_on_error=False``: a command's error is its own reply) go to its ``replies``,
    or Redis's failure to its ``failed``. One callback that raises does not stop the others; the first error
    is raised at the end."""
    sizes = []
    try:
        pipe = redis_connection().pipeline(transaction=False)
        for commands, _, _ in items:
            before = len(pipe.command_stack)
            commands(pipe)
            sizes.append(len(pipe.command_stack) - before)
        results = pipe.execute(raise_on_error=False)
    except (RedisError, OSError) as exc:
        calls = [(failed or _redis_failed, exc) for _, _, failed in items]
    else:
        calls, start = [], 0
        for (_, replies, _), size in zip(items, sizes, strict=True):
            if replies is not None:
                calls.append((replies, results[start : start + size]))
            start += size
    error = None
    for call, argument in calls:
        try:
            call(argument)
        except Exception as exc:  # noqa: BLE001 - one caller's failure must not drop the others'
            logger.exception("After-commit Redis work failed")
            error = error or exc
    if error is not None:
        raise error


def _redis_failed(exc):
    """A lost after-commit write, as the cache's own errors: logged when it ignores them, else raised."""
    if not getattr(cache, "_ignore_exceptions", False):
        raise exc
    logger.warning("After-commit cache writes not sent: %s", exc)


def publish(task, *, args=(), kwargs=None, **options):
    """``task.apply_async(args, kwargs, **options)``, or ``task.delay(*args, **kwargs)`` without options;
    with a broker and inside a batch, once the batch ends, in one message with the batch's other tasks."""
    item = (task.name, list(args), kwargs or {}, options)
    if not in_batch() or task.app.conf.task_always_eager:
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
    window = settings.DEFERRED_DRAIN_SECONDS
    if window > 0:
        try:
            _store(items)
        except DatabaseError:  # the operation's work goes as a message of its own, as without a drain
            logger.exception("Deferred tasks %s not stored; sent as a message", sorted({item[0] for item in items}))
        else:
            _drain_soon(window)
            return
    if len(items) == 1:
        _send(current_app.tasks[items[0][0]], items[0])
        return
    deferred_run.apply_async(kwargs={"tasks": items}, kwargsrepr=repr(sorted({item[0] for item in items})))


def _store(items):
    """One ``DeferredBatch`` row: one INSERT in autocommit, prepared where statements are
    (``skincare.prepared.rows_insert``)."""
    from skincare.models import DeferredBatch

    rows_insert(DeferredBatch, [DeferredBatch(tasks=items)], signals=False)


_drain_due = 0.0  # time.monotonic() until which a drain sent (by any process) has not started
DRAIN_KEY = "deferred:drain"  # set (cache key) while a drain sent by some process has not started


def _drain_soon(window):
    """Send a drain to start ``window`` seconds from now, unless one sent by this process or (with Redis) any
    other is still to start: it will find the row just written (committed before this check). A quarter of the
    window is left for the clocks of the web and worker hosts; a drain always runs what it finds, so at worst
    one runs early. With Redis the deployment's processes share one trigger per window (``_drain_claim``), so
    adding web processes does not add drains, each of them a task run of fixed cost for fewer rows."""
    global _drain_due
    now = time.monotonic()
    if now < _drain_due:
        return
    hold = window * 0.75
    remaining = _drain_claim(hold)
    if remaining is not None:  # another process's drain starts after our row's commit
        _drain_due = now + remaining
        return
    _drain_due = now + hold
    try:
        deferred_drain.apply_async(countdown=window)
    except Exception:
        _drain_due = 0.0
        _drain_release()  # the next operation sends one; until then the row waits for beat's drain
        raise


def _drain_claim(hold):
    """Take the deployment's drain trigger for ``hold`` seconds (``SET NX PX``, one round trip with the
    ``PTTL`` read): None when taken, here, else the seconds the other process's claim still holds. Without
    Redis, or when it fails, None: each process sends its own drains, as before (a lost trigger is worse than
    a spare one)."""
    client = redis_connection()
    if client is None:
        return None
    key = cache.make_key(DRAIN_KEY)
    try:
        pipe = client.pipeline(transaction=True)
        pipe.set(key, b"1", nx=True, px=max(1, int(hold * 1000)))
        pipe.pttl(key)
        taken, left = pipe.execute()
    except (RedisError, OSError) as exc:
        logger.warning("Drain trigger not shared (Redis): %s", exc)
        return None
    if taken or left <= 0:
        return None
    return left / 1000


def _drain_release():
    client = redis_connection()
    if client is None:
        return
    try:
        client.delete(cache.make_key(DRAIN_KEY))
    except (RedisError, OSError) as exc:
        logger.warning("Drain trigger not released (Redis): %s", exc)


@shared_task(name="skincare.deferred_run", bind=True)
def deferred_run(self, *, tasks):
    """The tasks of one batch, run here one after the other, each as its own message would (``_run``)."""
    _run(tasks, run_id=self.request.id or "")


DRAIN_ROWS = 100  # rows claimed at a time (a checkout's row holds three or four tasks)


@shared_task(name="skincare.deferred_drain", bind=True)
def deferred_drain(self):
    """Run the stored batches, oldest first, ``DRAIN_ROWS`` at a time, until none is left, and delete each
    claim's rows once its tasks ran (at least once, as a message with ``acks_late`` is: a drain that dies
    leaves its claimed rows to the next one after the claim's time). Drains running at once take
    different rows. Returns the number of rows run."""
    done = 0
    while True:
        rows = _claim(limit=DRAIN_ROWS)
        if not rows:
            return done
        _run([item for _, tasks in rows for item in tasks], run_id=f"{self.request.id or ''}:{done}")
        _delete([pk for pk, _ in rows])
        done += len(rows)
        if len(rows) < DRAIN_ROWS:
            return done


def _claim(*, limit):
    """Up to ``limit`` rows no live drain holds, as ``[(pk, tasks)]``, claimed for longer than a task may run."""
    from skincare.models import DeferredBatch

    now = timezone.now()
    with transaction.atomic():
        rows = list(
            DeferredBatch.objects.select_for_update(skip_locked=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("pk")
            .values_list("pk", "tasks")[:limit]
        )
        if rows:
            until = now + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
            DeferredBatch.objects.filter(pk__in=[pk for pk, _ in rows]).update(claimed_until=until)
    return rows


def _delete(pks):
    from skincare.models import DeferredBatch

    DeferredBatch.objects.filter(pk__in=pks).delete()


def _run(tasks, *, run_id):
    """Each task run one after the other, as its own message would: one that fails is logged and does not
    stop the others; when its task retries that error (``autoretry_for``) it is sent again on its own, to
    retry as it would have, else it leaves its own ``FailedTask`` row. Each run has its log context, outcome
    and duration under its own task name (the signal receivers of ``celery_hooks``, called here), its id
    being ``run_id`` and its place in the list. A task with a ``countdown`` or ``eta`` is sent on its own (its
    time has not come). The calls of a task with ``deferred_merge`` run as one (``_run_merged``). The
    e-mails share one connection."""
    runs, merged = [], {}  # runs: (task, item or None, the merged calls or None)
    for item in tasks:
        name, args, kwargs, options = item
        task = current_app.tasks.get(name)
        if task is None:  # not known to this worker (a deploy under way): a message of its own, for one that is
            logger.warning("Task %s of a deferred batch is not registered here: sent on its own", name)
            current_app.send_task(name, args=args, kwargs=kwargs, **options)
            continue
        key = getattr(task, "deferred_merge", None)
        if key is not None and not args and not options and list(kwargs) == [key]:
            if name not in merged:
                merged[name] = []
                runs.append((task, None, merged[name]))
            merged[name].append(item)
        else:
            runs.append((task, item, None))
    with mail.one_connection():
        for index, (task, item, calls) in enumerate(runs):
            if calls is None:
                _run_one(task, item, run_id=f"{run_id}:{index}")
            else:
                _run_merged(task, calls, run_id=f"{run_id}:{index}")


def _run_merged(task, items, *, run_id):
    """Calls of ``task`` that each give only its list argument ``task.deferred_merge``, run as one call with
    the lists put together, in a transaction; when it fails (nothing of it written), each runs on its own."""
    if len(items) == 1:
        _run_one(task, items[0], run_id=run_id)
        return
    key = task.deferred_merge
    item = (task.name, [], {key: [value for _, _, kwargs, _ in items for value in kwargs[key]]}, {})
    celery_hooks.task_started(task_id=run_id, task=task)
    state = states.RETRY
    try:
        with transaction.atomic():
            task(**item[2])
        state = states.SUCCESS
    except Exception:  # noqa: BLE001 - each call again on its own, below
        logger.exception("Task %s of %d calls at once failed; each runs on its own", task.name, len(items))
    finally:
        celery_hooks.task_finished(task_id=run_id, task=task, state=state)
    if state != states.SUCCESS:
        for index, single in enumerate(items):
            _run_one(task, single, run_id=f"{run_id}.{index}")


def _run_one(task, item, *, run_id):
    _, args, kwargs, options = item
    if "countdown" in options or "eta" in options:
        _send(task, item)
        return
    celery_hooks.task_started(task_id=run_id, task=task)
    state = states.FAILURE
    try:
        task(*args, **kwargs)
        state = states.SUCCESS
    except Exception as exc:  # noqa: BLE001 - one failing task must not drop the others
        logger.exception("Task %s of a deferred batch failed", task.name)
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
        # The Redis commands after the other keys (their flushes may add some), the tasks last (a reply may publish).
        key = next((key for key in groups if key not in (REDIS, TASKS)), REDIS if REDIS in groups else TASKS)
        flush, items = groups.pop(key)
        try:
            flush(items)
        except Exception as exc:  # noqa: BLE001 - one failing flush must not drop the others
            logger.exception("Deferred work %s failed (%d items)", key, len(items))
            error = error or exc
    return error
