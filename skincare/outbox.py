"""Tasks are never lost to a broker outage (docs/operations.md, "Broker down").

Every task's ``apply_async`` (and so ``delay``) goes through ``skincare.celery.OutboxTask``: when the
broker refuses the message, the task's name and arguments are stored as a ``PendingTask`` row instead of
the error reaching the caller (a checkout whose confirmation e-mail could not be queued still answers
201). ``outbox_flush`` (beat, every minute, and ``manage.py`` callers) publishes the rows in order once
the broker answers again and deletes each one it published. Delivery is at least once: a row published
just before its delete fails is published again, so tasks stay idempotent, as ``acks_late`` already needs.
"""

import logging

from django.db import transaction

from skincare.models import PendingTask

logger = logging.getLogger(__name__)

# apply_async options kept with the row (JSON-able ones; an ``eta`` becomes its ISO text).
KEPT_OPTIONS = ("countdown", "expires", "queue", "priority", "eta")


def outbox_store(*, name, args, kwargs, options, error):
    kept = {key: options[key] for key in KEPT_OPTIONS if options.get(key) is not None}
    if "eta" in kept and hasattr(kept["eta"], "isoformat"):
        kept["eta"] = kept["eta"].isoformat()
    row = PendingTask.objects.create(
        name=name, args=list(args or ()), kwargs=dict(kwargs or {}), options=kept, error=str(error)[:2000]
    )
    logger.warning("Broker unavailable: task %s kept in the outbox as #%s (%s)", name, row.pk, error)
    return row


def outbox_flush(*, limit=500):
    """Publish up to ``limit`` pending tasks, oldest first; stops at the first refusal. Returns
    ``{"published": n, "left": m}``."""
    from kombu.exceptions import OperationalError

    from skincare.celery import app

    published = 0
    with transaction.atomic():
        rows = list(PendingTask.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
        for row in rows:
            try:
                app.send_task(row.name, args=row.args, kwargs=row.kwargs, **row.options)
            except OperationalError as exc:
                PendingTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, error=str(exc)[:2000])
                logger.warning("Outbox: broker still unavailable (%s); %s tasks wait", exc, len(rows) - published)
                break
            row.delete()
            published += 1
    return {"published": published, "left": PendingTask.objects.count()}
