"""Where numbers come from: registries that goals and achievements name by key.

``GOAL_METRICS``: readings over time, every one read "higher is healthier" — the ten skin-analysis
scores and the overall score (0-100, finished analyses only) and the progress journal's 1-5
ratings (skin improvement, satisfaction). ``ACHIEVEMENT_METRICS``: one count per user. A new
source is one more entry here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ml.skin_analysis.models import METRICS as ANALYSIS_METRICS
from ml.skin_analysis.models import SkinAnalysis, SkinAnalysisStatus
from reviews.models import ContentStatus, ProgressEntry, Review, ReviewVote, VoteType

ANALYSIS = "analysis"
JOURNAL = "journal"


@dataclass(frozen=True)
class GoalMetric:
    key: str
    label: str
    source: str  # ANALYSIS or JOURNAL: what the user must do to get a new reading
    scale_max: int
    readings: Callable  # (user, since=None) -> queryset of (moment, value), oldest first


def _analysis_readings(field):
    def readings(user, since=None):
        rows = SkinAnalysis.objects.filter(user=user, status=SkinAnalysisStatus.DONE)
        if since is not None:
            rows = rows.filter(created_at__gte=since)
        return rows.order_by("created_at", "id").values_list("created_at", field)

    return readings


def _journal_readings(field):
    def readings(user, since=None):
        rows = ProgressEntry.objects.filter(journal__user=user)
        if since is not None:
            rows = rows.filter(created_at__gte=since)
        return rows.order_by("created_at", "id").values_list("created_at", field)

    return readings


ANALYSIS_LABELS = {
    "overall_score": _("Overall skin health"),
    "hydration": _("Hydration"),
    "oil_balance": _("Oil balance"),
    "redness": _("Calm skin (redness)"),
    "blemishes": _("Clear skin (blemishes)"),
    "pores": _("Pores"),
    "fine_lines": _("Smooth skin (fine lines)"),
    "pigmentation": _("Even tone (dark spots)"),
    "texture": _("Texture"),
    "eye_area": _("Eye area"),
    "radiance": _("Radiance"),
}

GOAL_METRICS = {
    **{
        key: GoalMetric(key, ANALYSIS_LABELS[key], ANALYSIS, 100, _analysis_readings(key))
        for key in ("overall_score", *ANALYSIS_METRICS)
    },
    "journal_skin_improvement": GoalMetric(
        "journal_skin_improvement", _("Skin improvement (journal, 1-5)"), JOURNAL, 5,
        _journal_readings("skin_improvement"),
    ),
    "journal_satisfaction": GoalMetric(
        "journal_satisfaction", _("Satisfaction (journal, 1-5)"), JOURNAL, 5,
        _journal_readings("overall_satisfaction"),
    ),
}  # fmt: skip


def latest_reading(metric_key, user, since=None):
    """``(moment, value)`` of the newest reading, or ``None``."""
    rows = GOAL_METRICS[metric_key].readings(user, since)
    return rows.reverse().first()


# --- Achievement counts --------------------------------------------------------------------------


def longest_week_streak(user):
    """The longest run of consecutive journal weeks in any one of the user's journals."""
    best, previous = 0, None
    run = 0
    rows = ProgressEntry.objects.filter(journal__user=user).order_by("journal_id", "week_number")
    for journal_id, week in rows.values_list("journal_id", "week_number"):
        if previous is not None and previous == (journal_id, week - 1):
            run += 1
        elif previous != (journal_id, week):
            run = 1
        previous = (journal_id, week)
        best = max(best, run)
    return best


@dataclass(frozen=True)
class AchievementMetric:
    key: str
    label: str
    count: Callable  # (user) -> int


def _goals_reached(user):
    from ml.goals.models import Goal

    return Goal.objects.filter(user=user, reached_at__isnull=False).count()


ACHIEVEMENT_METRICS = {
    metric.key: metric
    for metric in (
        AchievementMetric(
            "skin_analyses", _("Finished skin analyses"),
            lambda user: SkinAnalysis.objects.filter(user=user, status=SkinAnalysisStatus.DONE).count(),
        ),
        AchievementMetric(
            "reviews_with_photos", _("Published reviews with photos"),
            lambda user: Review.objects.filter(user=user, status=ContentStatus.APPROVED, has_photos=True).count(),
        ),
        AchievementMetric(
            "helpful_votes", _("Helpful votes on your reviews"),
            lambda user: ReviewVote.objects.filter(
                review__user=user, review__status=ContentStatus.APPROVED, vote_type=VoteType.HELPFUL
            ).count(),
        ),
        AchievementMetric("journal_week_streak", _("Journal weeks in a row"), longest_week_streak),
        AchievementMetric("goals_reached", _("Goals reached"), _goals_reached),
    )
}  # fmt: skip
