"""Celery signal receivers: the request id travels with each task, task runs are measured, and a
task that fails for good leaves a ``FailedTask`` row for staff.

Publishing (web or beat process): ``before_task_publish`` copies the current request id and user id
into the message headers. Running (worker): ``task_prerun`` binds them, with the task id and name,
as the log context of the run; ``task_postrun`` records the outcome and duration and unbinds.
"""

import logging
import time
import traceback as traceback_module

from django.core.cache import cache
from django.db import DatabaseError

from skincare.observability import context as log_context
from skincare.observability.metrics import CELERY_TASK_DURATION, CELERY_TASKS, TASK_OUTCOMES

logger = logging.getLogger(__name__)

HEARTBEAT_TASK = "skincare.heartbeat"
BEAT_HEARTBEAT_KEY = "health:beat:heartbeat"
WORKER_HEARTBEAT_KEY = "health:worker:heartbeat"
HEARTBEAT_KEY_TIMEOUT = 24 * 3600

REQUEST_ID_HEADER = "request_id"
USER_ID_HEADER = "request_user_id"

# task id -> (context token, start time) of the runs in progress in this process.
_running = {}


def task_publish_headers(sender=None, headers=None, **kwargs):
    context = log_context.current()
    if headers is not None and context is not None:
        if context.request_id:
            headers.setdefault(REQUEST_ID_HEADER, context.request_id)
        user_id = context.current_user_id()
        if user_id is not None:
            headers.setdefault(USER_ID_HEADER, user_id)
    if sender == HEARTBEAT_TASK:
        # Only beat schedules the heartbeat: its publishing proves beat is alive and ticking.
        _cache_time(BEAT_HEARTBEAT_KEY)


def task_started(sender=None, task_id=None, task=None, **kwargs):
    request = task.request
    outer = log_context.current()  # set when the task runs eagerly inside a request
    context = log_context.LogContext(
        request_id=getattr(request, REQUEST_ID_HEADER, None) or (outer.request_id if outer else None),
        user_id=getattr(request, USER_ID_HEADER, None) or (outer.current_user_id() if outer else None),
        route=outer.route if outer else None,
        task_id=task_id,
        task_name=task.name,
    )
    _running[task_id] = (log_context.bind(context), time.perf_counter())


def task_finished(sender=None, task_id=None, task=None, state=None, **kwargs):
    token, started = _running.pop(task_id, (None, None))
    if started is not None:
        CELERY_TASK_DURATION.labels(task.name).observe(time.perf_counter() - started)
    CELERY_TASKS.labels(task.name, TASK_OUTCOMES.get(state, (state or "unknown").lower())).inc()
    if token is not None:
        try:
            log_context.unbind(token)
        except ValueError:  # bound in another context (should not happen): leave it to be dropped
            pass


def task_failed(sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **extra):
    """Record the failure; never raise (the database may be what failed)."""
    from skincare.models import FailedTask

    request = getattr(sender, "request", None)
    context = log_context.current()
    if einfo is not None:
        trace = str(einfo.traceback)
    elif exception is not None:
        trace = "".join(traceback_module.format_exception(exception))
    else:
        trace = ""
    try:
        if (
            type(exception).__name__ == "TimeLimitExceeded"
            and FailedTask.objects.filter(task_id=task_id or "", exception_type="TimeLimitExceeded").exists()
        ):
            # Celery 5.7 sends task_failure twice for a hard time limit: from Request.on_timeout and
            # again when the pool reports the killed job (tools/celery_time_limit_drill.sh showed both).
            return
        FailedTask.objects.create(
            task_id=task_id or "",
            task_name=getattr(sender, "name", "") or "",
            args=_short(args),
            kwargs=_short(kwargs),
            exception_type=type(exception).__name__ if exception is not None else "",
            exception_message=str(exception)[:2000] if exception is not None else "",
            traceback=trace[-20000:],
            retries=getattr(request, "retries", 0) or 0,
            request_id=(getattr(request, REQUEST_ID_HEADER, None) or (context and context.request_id) or "")[:128],
        )
    except DatabaseError:
        logger.exception("could not record the failed task %s", task_id)


def _short(value, limit=4000):
    text = repr(value) if value is not None else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cache_time(key):
    try:
        cache.set(key, time.time(), timeout=HEARTBEAT_KEY_TIMEOUT)
    except Exception:  # noqa: BLE001 - a down cache shows up in /health/ready on its own
        logger.warning("could not write %s", key, exc_info=True)


def worker_heartbeat_record():
    _cache_time(WORKER_HEARTBEAT_KEY)


def connect():
    from celery import signals

    signals.before_task_publish.connect(task_publish_headers, weak=False, dispatch_uid="skincare.obs.publish")
    signals.task_prerun.connect(task_started, weak=False, dispatch_uid="skincare.obs.prerun")
    signals.task_postrun.connect(task_finished, weak=False, dispatch_uid="skincare.obs.postrun")
    signals.task_failure.connect(task_failed, weak=False, dispatch_uid="skincare.obs.failure")
