from django.utils import timezone

from ml.skin_analysis.models import METRICS, SkinAnalysis, SkinAnalysisStatus


def analysis_done(user, *, overall=50, **scores):
    """A finished analysis with every score 50 unless given; saved like the analyzer's task does."""
    values = {name: scores.get(name, 50) for name in METRICS}
    return SkinAnalysis.objects.create(
        user=user, status=SkinAnalysisStatus.DONE, overall_score=overall, completed_at=timezone.now(), **values
    )
