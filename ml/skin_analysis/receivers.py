"""A saved progress-journal week gets its personal feedback (connected in ``SkinAnalysisConfig.ready``).

Queued after the commit, so the task reads what the entry's transaction wrote; the LLM call (when
one is set up) never holds up the request that saved the week."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save

from reviews.models import ProgressEntry


def on_progress_entry_saved(sender, instance, **kwargs):
    from ml.skin_analysis.tasks import journal_week_feedback_task

    transaction.on_commit(partial(journal_week_feedback_task.delay, instance.pk))


def connect():
    post_save.connect(on_progress_entry_saved, sender=ProgressEntry, dispatch_uid="skin-analysis-week-feedback")
