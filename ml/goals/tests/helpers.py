from django.db import transaction
from django.utils import timezone

from ml.skin_analysis.models import METRICS, SkinAnalysis, SkinAnalysisStatus
from skincare import events


def analysis_done(user, *, overall=50, **scores):
    """A finished analysis with every score 50 unless given, announced with ``skin_analysis_done``
    after commit as the analysis task does."""
    values = {name: scores.get(name, 50) for name in METRICS}
    analysis = SkinAnalysis.objects.create(
        user=user, status=SkinAnalysisStatus.DONE, overall_score=overall, completed_at=timezone.now(), **values
    )
    transaction.on_commit(lambda: events.skin_analysis_done.send(sender=SkinAnalysis, analysis=analysis))
    return analysis
