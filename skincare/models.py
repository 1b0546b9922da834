from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class FailedTask(models.Model):
    """A Celery task run that failed for good (after its retries), written by the ``task_failure`` signal."""

    task_id = models.CharField(_("task id"), max_length=255, db_index=True)
    task_name = models.CharField(_("task"), max_length=255, db_index=True)
    args = models.TextField(_("arguments"), blank=True)
    kwargs = models.TextField(_("keyword arguments"), blank=True)
    exception_type = models.CharField(_("exception"), max_length=255, blank=True)
    exception_message = models.TextField(_("message"), blank=True)
    traceback = models.TextField(_("traceback"), blank=True)
    retries = models.PositiveIntegerField(_("retries"), default=0)
    request_id = models.CharField(_("request id"), max_length=128, blank=True, db_index=True)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-failed_at", "-id")
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")

    def __str__(self):
        return f"{self.task_name} {self.task_id}"


class PendingTask(models.Model):
    """A Celery task that could not be published (broker down): kept here until ``skincare.outbox_flush``
    publishes it once the broker is back (skincare/outbox.py, docs/operations.md)."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    options = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} (pending since {self.created_at:%Y-%m-%d %H:%M:%S})"


class DeferredBatch(models.Model):
    """The Celery tasks of one operation (a checkout's notices and e-mails), written after its last commit
    instead of a message of their own: ``skincare.deferred_drain`` runs those of many operations together
    and deletes them (skincare/deferred.py). ``claimed_until``: a drain is running them; past it (the drain
    died), another takes them again."""

    tasks = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"deferred batch #{self.pk} ({len(self.tasks)} tasks)"
