from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


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
