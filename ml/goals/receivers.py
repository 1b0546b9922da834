"""Events that move goals and unlock achievements (connected in ``GoalsConfig.ready``).

Each receiver defers its work to ``transaction.on_commit`` so it reads what the triggering
transaction wrote (approved reviews, vote counters, the new journal entry or analysis), and never
breaks the flow that triggered it: a failure is logged.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_save

from ml.goals import services
from ml.skin_analysis.models import SkinAnalysisStatus
from reviews.models import ProgressEntry, Review, ReviewVote, VoteType
from skincare import events

logger = logging.getLogger(__name__)


def _later(work, what):
    def run():
        try:
            work()
        except Exception:  # noqa: BLE001 - goals and achievements never break the triggering flow
            logger.exception("Goals/achievements update after %s failed", what)

    transaction.on_commit(run)


def on_moderation_decided(sender, item=None, decision="", **kwargs):
    """A review or its photo approved: photo-review achievements (``has_photos`` counts approved photos)."""
    if decision != "approved" or item is None or item.user_id is None:
        return
    user = item.user
    _later(lambda: services.achievements_evaluate(user=user, metrics=["reviews_with_photos"]), "a moderation decision")


def on_review_vote(sender, instance, **kwargs):
    if instance.vote_type != VoteType.HELPFUL:
        return
    review_id = instance.review_id

    def work():
        review = Review.objects.select_related("user").filter(pk=review_id).first()
        if review is not None and review.user is not None:
            services.achievements_evaluate(user=review.user, metrics=["helpful_votes"])

    _later(work, "a review vote")


def on_progress_entry(sender, instance, created, **kwargs):
    if not created:
        return
    user = instance.journal.user

    def work():
        services.achievements_evaluate(user=user, metrics=["journal_week_streak"])
        services.goals_refresh_for(user=user, metric_source="journal")

    _later(work, "a journal entry")


def on_skin_analysis_done(sender, analysis, **kwargs):
    if analysis.status != SkinAnalysisStatus.DONE:
        return
    user = analysis.user

    def work():
        services.achievements_evaluate(user=user, metrics=["skin_analyses"])
        services.goals_refresh_for(user=user, metric_source="analysis")

    _later(work, "a skin analysis")


def connect():
    events.moderation_decided.connect(on_moderation_decided, dispatch_uid="goals-moderation-decided")
    post_save.connect(on_review_vote, sender=ReviewVote, dispatch_uid="goals-review-vote")
    post_save.connect(on_progress_entry, sender=ProgressEntry, dispatch_uid="goals-progress-entry")
    events.skin_analysis_done.connect(on_skin_analysis_done, dispatch_uid="goals-skin-analysis-done")
