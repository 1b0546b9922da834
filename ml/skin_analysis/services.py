"""Skin analysis flow: store the photo privately, analyse it in a task, record the result.

``skin_analysis_start`` is the one door for a new scan (API and pages), so the subscription
quota belongs there: check before the upload, count only analyses that end ``done`` (a failed one
has ``status="failed"`` and a ``failure_code``, and must not count).
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ml.skin_analysis import advice, analyzer, external, ingredients
from ml.skin_analysis.error_codes import SkinAnalysisErrorCode
from ml.skin_analysis.models import METRICS, FailureCode, SkinAnalysis, SkinAnalysisStatus
from ml.skin_analysis.selectors import skin_analysis_get
from reviews.models import ProgressStatus
from reviews.selectors import journals_for_user
from shop.catalog.models import Product, ProductStatus
from shop.catalog.selectors import products_for_skin_type
from shop.files.models import FileStatus, UploadContext
from shop.files.services import file_attach, file_delete, file_upload
from shop.subscriptions.error_codes import SubscriptionErrorCode
from shop.subscriptions.models import QuotaKind
from shop.subscriptions.services import quota_check, quota_consume
from skincare import events
from skincare.errors import ApplicationError

logger = logging.getLogger(__name__)

PRODUCTS_PER_ANALYSIS = 6
SEVERITY_WEIGHT = {"severe": 3, "moderate": 2, "mild": 1}
ENTITY_TYPE = "skin_analysis"


def skin_analysis_start(*, user, upload) -> SkinAnalysis:
    """Validate and store the photo (private ``skin`` context), create the pending analysis, queue the work."""
    quota_check(user=user, kind=QuotaKind.SKIN_SCAN)  # refused before any upload or work
    # Temporary until attached below: a photo whose analysis was never created expires by itself.
    [photo] = file_upload(owner=user, context=UploadContext.SKIN, uploads=[upload], temporary=True)
    from ml.skin_analysis.tasks import skin_analysis_run_task

    with transaction.atomic():
        analysis = SkinAnalysis.objects.create(user=user, photo=photo)
        file_attach(file=photo, entity_type=ENTITY_TYPE, entity_id=analysis.pk)
        transaction.on_commit(partial(skin_analysis_run_task.delay, analysis.pk))
    return analysis


def _fail(analysis, code, reason) -> None:
    SkinAnalysis.objects.filter(pk=analysis.pk, status=SkinAnalysisStatus.PENDING).update(
        status=SkinAnalysisStatus.FAILED, failure_code=code, failure_reason=reason[:300], completed_at=timezone.now()
    )


def _photo_bytes(photo):
    if photo is None or photo.status != FileStatus.ACTIVE:
        return None
    with storages[photo.storage_alias].open(photo.file, "rb") as handle:
        return handle.read()


def _external_result(content, builtin, mime_type):
    """The external service's scores when configured and usable; ``None`` means keep the built-in ones."""
    if not (settings.SKIN_ANALYSIS_API_KEY and settings.SKIN_ANALYSIS_API_URL):
        return None
    try:
        answer = external.analyze_external(
            content,
            url=settings.SKIN_ANALYSIS_API_URL,
            key=settings.SKIN_ANALYSIS_API_KEY,
            timeout=settings.SKIN_ANALYSIS_API_TIMEOUT,
            mime_type=mime_type,
        )
    except external.ExternalUnavailable as exc:
        logger.warning("external skin analysis unavailable, using the built-in analyzer: %s", exc)
        return None
    metrics = answer["metrics"]
    skin_type, confidence = answer["skin_type"], answer["confidence"]
    if not skin_type:
        skin_type, confidence = analyzer.skin_type_for(metrics)
    return {
        "analyzer": "external",
        "metrics": metrics,
        "overall": int(round(sum(metrics.values()) / len(metrics))),
        "concerns": analyzer.concerns_for(metrics),
        "acne_severity": analyzer.severity_for(metrics["blemishes"]),
        "skin_type": skin_type,
        "confidence": confidence,
        "measurements": builtin.measurements,
    }


def products_for_concerns(*, concerns, skin_type, limit=PRODUCTS_PER_ANALYSIS) -> list[int]:
    """Active catalog products for the concerns (weighted by severity) that suit the skin type, best first.

    The recommender (``ml.recommendations``) ranks per user from purchases; it has no by-concern
    path, so this reads the catalog's own ``concerns`` and ``skin_types`` labels.
    """
    weights = {}
    for concern in concerns:
        weights[concern["concern"]] = max(weights.get(concern["concern"], 0), SEVERITY_WEIGHT[concern["severity"]])
    if not weights:
        return []
    queryset = Product.objects.filter(status=ProductStatus.ACTIVE, concerns__contains_any=list(weights))
    if skin_type:
        queryset = products_for_skin_type(queryset, skin_type)
    rows = queryset.values_list("pk", "concerns", "rating_avg", "review_count")
    ranked = sorted(rows, key=lambda row: (-sum(weights.get(c, 0) for c in row[1] or []), -row[2], -row[3], row[0]))
    return [row[0] for row in ranked[:limit]]


def _previous_done(analysis):
    previous = (
        SkinAnalysis.objects.filter(user_id=analysis.user_id, status=SkinAnalysisStatus.DONE, pk__lt=analysis.pk)
        .order_by("-created_at", "-id")
        .first()
    )
    if previous is None:
        return None
    return {"metrics": previous.metrics, "overall": previous.overall_score, "date": previous.created_at}


def _products_in_use(user):
    return tuple(j.product.name for j in journals_for_user(user=user, status=ProgressStatus.ONGOING)[:3])


def skin_analysis_run(*, analysis_id) -> SkinAnalysis | None:
    """Analyse a pending analysis' photo and record the outcome; anything else is left alone (idempotent)."""
    analysis = SkinAnalysis.objects.select_related("photo", "user").filter(pk=analysis_id).first()
    if analysis is None or analysis.status != SkinAnalysisStatus.PENDING:
        return analysis
    content = _photo_bytes(analysis.photo)
    if content is None:
        _fail(analysis, FailureCode.PHOTO_UNAVAILABLE, "The photo was deleted before it could be analysed.")
        analysis.refresh_from_db()
        return analysis
    try:
        builtin = analyzer.analyze(content)
    except analyzer.AnalysisFailed as exc:
        _fail(analysis, exc.code, exc.reason)
        analysis.refresh_from_db()
        return analysis
    except Exception:  # noqa: BLE001 - any analyzer bug must end the analysis, not leave it pending
        logger.exception("skin analyzer failed on analysis %s", analysis.pk)
        _fail(analysis, FailureCode.ANALYZER_ERROR, "The analysis could not be completed. Please try again.")
        analysis.refresh_from_db()
        return analysis

    result = _external_result(content, builtin, analysis.photo.mime_type) or {
        "analyzer": builtin.analyzer,
        "metrics": builtin.metrics,
        "overall": builtin.overall,
        "concerns": builtin.concerns,
        "acne_severity": builtin.acne_severity,
        "skin_type": builtin.skin_type,
        "confidence": builtin.skin_type_confidence,
        "measurements": builtin.measurements,
    }
    concerns = [
        {"concern": c.concern, "metric": c.metric, "severity": c.severity, "areas": list(c.areas)}
        for c in result["concerns"]
    ]
    recommended, avoid = ingredients.ingredients_for([c["concern"] for c in concerns])
    product_ids = products_for_concerns(concerns=concerns, skin_type=result["skin_type"])
    facts = advice.Facts(
        metrics=result["metrics"],
        overall=result["overall"],
        concerns=concerns,
        recommended_ingredients=recommended,
        previous=_previous_done(analysis),
        products_in_use=_products_in_use(analysis.user),
    )
    text, source = advice.feedback_write(facts, language=analysis.user.language or "en")
    try:
        with transaction.atomic():
            done = SkinAnalysis.objects.filter(pk=analysis.pk, status=SkinAnalysisStatus.PENDING).update(
                status=SkinAnalysisStatus.DONE,
                analyzer=result["analyzer"],
                overall_score=result["overall"],
                **{name: result["metrics"][name] for name in METRICS},
                acne_severity=result["acne_severity"],
                concerns=concerns,
                skin_type=result["skin_type"],
                skin_type_confidence=result["confidence"],
                recommended_ingredients=recommended,
                avoid_ingredients=avoid,
                product_ids=product_ids,
                measurements=result["measurements"],
                feedback=text,
                feedback_source=source,
                completed_at=timezone.now(),
            )
            if done:  # only a finished scan counts; a repeated delivery changes nothing
                quota_consume(user=analysis.user, kind=QuotaKind.SKIN_SCAN)
    except ApplicationError as exc:
        if exc.code != SubscriptionErrorCode.QUOTA_EXCEEDED:
            raise
        _fail(analysis, FailureCode.QUOTA_EXCEEDED, str(exc.message))
        analysis.refresh_from_db()
        return analysis
    analysis.refresh_from_db()
    if done:
        transaction.on_commit(partial(events.skin_analysis_done.send, sender=SkinAnalysis, analysis=analysis))
    return analysis


def skin_analyses_fail_stuck(*, older_than=None) -> int:
    """Fail the analyses still pending ``older_than`` (default ``SKIN_ANALYSIS_STUCK_MINUTES``) after
    they were created: their task was lost (a worker died, the broker dropped it). One conditional
    UPDATE, so a task finishing at the same moment wins or loses cleanly (both write only while
    pending); a failed scan is never counted against the plan. Returns how many were failed."""
    if older_than is None:
        older_than = timedelta(minutes=settings.SKIN_ANALYSIS_STUCK_MINUTES)
    now = timezone.now()
    failed = SkinAnalysis.objects.filter(status=SkinAnalysisStatus.PENDING, created_at__lt=now - older_than).update(
        status=SkinAnalysisStatus.FAILED,
        failure_code=FailureCode.TIMEOUT,
        failure_reason="The analysis did not finish in time. Please take the photo again.",
        completed_at=now,
    )
    if failed:
        logger.warning("failed %s skin analyses left pending for over %s", failed, older_than)
    return failed


def skin_analysis_delete(*, user, analysis_id) -> None:
    """Delete one's own analysis and its photo (the file registry's soft delete, blobs purged by cleanup)."""
    analysis = skin_analysis_get(user=user, analysis_id=analysis_id)
    if analysis is None:
        raise ApplicationError(SkinAnalysisErrorCode.SKIN_ANALYSIS_NOT_FOUND)
    with transaction.atomic():
        photo = analysis.photo
        analysis.delete()
        if photo is not None and photo.status == FileStatus.ACTIVE and not photo.skin_analyses.exists():
            file_delete(file=photo)


def skin_analysis_compare(*, user, from_id, to_id) -> dict:
    """Metric deltas (to minus from; positive is healthier) between two of one's own finished analyses."""
    found = {a.pk: a for a in SkinAnalysis.objects.filter(user=user, pk__in=[from_id, to_id])}
    missing = [field for field, pk in (("from", from_id), ("to", to_id)) if pk not in found]
    if missing:
        raise ApplicationError(
            SkinAnalysisErrorCode.SKIN_ANALYSIS_NOT_FOUND,
            gettext("Skin analysis not found."),
            errors={field: ["Skin analysis not found."] for field in missing},
        )
    first, second = found[from_id], found[to_id]
    not_done = [field for field, a in (("from", first), ("to", second)) if a.status != SkinAnalysisStatus.DONE]
    if not_done:
        raise ApplicationError(
            SkinAnalysisErrorCode.SKIN_ANALYSIS_NOT_DONE,
            gettext("Only finished analyses can be compared."),
            errors={field: ["This analysis has no scores."] for field in not_done},
        )
    return {
        "from": first,
        "to": second,
        "overall_delta": second.overall_score - first.overall_score,
        "deltas": {name: getattr(second, name) - getattr(first, name) for name in METRICS},
        "days_between": (second.created_at - first.created_at).days,
    }
