"""Reads of skin analyses: always scoped to their owner."""

from django.db.models import QuerySet

from ml.skin_analysis.models import SkinAnalysis, SkinAnalysisStatus


def skin_analysis_history(*, user) -> QuerySet[SkinAnalysis]:
    """The user's analyses, newest first, failed and pending ones included (they show why)."""
    return SkinAnalysis.objects.filter(user=user).select_related("photo").order_by("-created_at", "-id")


def skin_analysis_latest(*, user) -> SkinAnalysis | None:
    """The user's newest finished analysis (what goals and suggestions start from)."""
    return (
        SkinAnalysis.objects.filter(user=user, status=SkinAnalysisStatus.DONE)
        .select_related("photo")
        .order_by("-created_at", "-id")
        .first()
    )


def skin_analysis_get(*, user, analysis_id) -> SkinAnalysis | None:
    """One of the user's own analyses; ``None`` for anyone else's (the API answers 404)."""
    return SkinAnalysis.objects.filter(user=user, pk=analysis_id).select_related("photo").first()
