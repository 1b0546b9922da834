"""Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process."""

import os

from celery import Celery, Task
from celery.fixups import django as celery_django
from kombu.exceptions import OperationalError

from skincare.service_outage import broker_outage

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Prefork pool processes write their task metrics there; /metrics merges what shares the directory.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


class OutboxTask(Task):
    """A task whose message is kept in the database when the broker cannot take it (skincare/outbox.py),
    and, while the broker is known to be down (``skincare.service_outage``), without asking it."""

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, **options):
        if broker_outage.known() and not self.app.conf.task_always_eager:
            return self._keep(args, kwargs, options, broker_outage.not_asked())
        try:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, **options)
        except OperationalError as exc:
            if self.app.conf.task_always_eager:
                raise
            broker_outage.seen()
            return self._keep(args, kwargs, options, exc)

    def _keep(self, args, kwargs, options, error):
        from skincare.outbox import outbox_store

        outbox_store(name=self.name, args=args, kwargs=kwargs, options=options, error=error)


class WorkerFixup(celery_django.DjangoWorkerFixup):
    """A task starts and ends as a Django request does (``close_old_connections``): a database connection
    is closed when it is older than ``DB_CONN_MAX_AGE`` or broken, and kept otherwise. Celery's own fixup
    closes every connection around every task whatever ``CONN_MAX_AGE`` says (Celery 5.6 reverted honouring
    it), so each message opened a new PostgreSQL connection. With the default ``DB_CONN_MAX_AGE=0`` both close
    every time. A kept connection is checked at the task's first query (``SELECT 1``, Django's health check):
    one dead since the last task (a database restart) is replaced instead of failing the task. The rest
    (closing what a forked pool process inherited, the caches) is Celery's."""

    def on_task_prerun(self, sender, **kwargs):
        if not getattr(sender.request, "is_eager", False):
            self._db.close_old_connections()
            for connection in self._db.connections.all(initialized_only=True):
                connection.health_check_enabled = True  # until it reconnects (then CONN_HEALTH_CHECKS again)

    def on_task_postrun(self, sender, **kwargs):
        if not getattr(sender.request, "is_eager", False):
            self._db.close_old_connections()
            self.close_cache()


class DjangoFixup(celery_django.DjangoFixup):
    """Celery's Django fix-up, with ``WorkerFixup`` on the worker side."""

    @property
    def worker_fixup(self):
        if self._worker_fixup is None:
            self._worker_fixup = WorkerFixup(self.app)
        return self._worker_fixup


def django_fixup(app):
    return DjangoFixup(app).install()


app = Celery("skincare", task_cls=OutboxTask, fixups=[django_fixup])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def warm_up():
    """Celery's lazy set-up, done once when a web process starts instead of inside the first request that queues
    a task (``skincare.wsgi``). That first call would import the apps' task modules, bind every task to the app
    (``finalize``), load the result backend (a scan of the installed packages' entry points) and, with eager
    tasks, make the producer pool: some 50 ms of CPU in the request that fills the analytics buffer or places the
    process's first order. A Celery worker does the same at its own start."""
    app.autodiscover_tasks(force=True)
    app.finalize(auto=True)
    _ = app.backend
    if app.conf.task_always_eager:  # with a broker the pool's first connection is opened by the first message
        from celery.app import trace  # noqa: F401 - imported by the first task run in process

        with app.producer_or_acquire():
            pass
