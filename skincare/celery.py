"""Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process."""

import os

from celery import Celery, Task
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Prefork pool processes write their task metrics there; /metrics merges what shares the directory.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


class OutboxTask(Task):
    """A task whose message is kept in the database when the broker cannot take it (skincare/outbox.py)."""

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, **options):
        try:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, **options)
        except OperationalError as exc:
            if self.app.conf.task_always_eager:
                raise
            from skincare.outbox import outbox_store

            outbox_store(name=self.name, args=args, kwargs=kwargs, options=options, error=exc)
            return None


app = Celery("skincare", task_cls=OutboxTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
