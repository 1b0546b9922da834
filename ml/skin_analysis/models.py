"""Photo skin analyses: one row per scan, its ten scores and what was read from them.

Every score is 0-100 where higher is always healthier, so charts and goals read one way.
"""

from django.conf import settings
from django.db import models

# The ten metrics, in the order charts show them (the pure analyzer uses the same names).
METRICS = (
    "hydration",
    "oil_balance",
    "redness",
    "blemishes",
    "pores",
    "fine_lines",
    "pigmentation",
    "texture",
    "eye_area",
    "radiance",
)


class SkinAnalysisStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class FailureCode(models.TextChoices):
    """Why an analysis failed: the photo's fault (retake it) or ours. Failed scans never count."""

    TOO_DARK = "too_dark", "Too dark"
    TOO_BRIGHT = "too_bright", "Overexposed"
    BLURRED = "blurred", "Blurred"
    NO_FACE = "no_face", "No face or skin found"
    UNREADABLE = "unreadable", "Photo unreadable"
    PHOTO_UNAVAILABLE = "photo_unavailable", "Photo deleted"
    ANALYZER_ERROR = "analyzer_error", "Analyzer error"
    QUOTA_EXCEEDED = "quota_exceeded", "Plan limit reached"  # parallel scans passed the check; this one came last
    TIMEOUT = "timeout", "Not finished in time"  # left pending (a lost worker, a dropped task): failed by beat


class Severity(models.TextChoices):
    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


def _score_field():
    return models.PositiveSmallIntegerField(null=True, blank=True)


class SkinAnalysis(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skin_analyses")
    photo = models.ForeignKey(
        "files.UploadedFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="skin_analyses"
    )
    status = models.CharField(max_length=10, choices=SkinAnalysisStatus.choices, default=SkinAnalysisStatus.PENDING)
    failure_code = models.CharField(max_length=20, choices=FailureCode.choices, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    analyzer = models.CharField(max_length=40, blank=True, help_text="Which analyzer produced the scores.")

    overall_score = _score_field()
    hydration = _score_field()
    oil_balance = _score_field()
    redness = _score_field()
    blemishes = _score_field()
    pores = _score_field()
    fine_lines = _score_field()
    pigmentation = _score_field()
    texture = _score_field()
    eye_area = _score_field()
    radiance = _score_field()

    acne_severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    concerns = models.JSONField(
        default=list, blank=True, help_text='[{"concern": "redness", "severity": "mild", "areas": ["cheeks"]}]'
    )
    skin_type = models.CharField(max_length=20, blank=True)
    skin_type_confidence = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    recommended_ingredients = models.JSONField(default=list, blank=True)
    avoid_ingredients = models.JSONField(default=list, blank=True)
    product_ids = models.JSONField(default=list, blank=True, help_text="Catalog products suggested, best first.")
    measurements = models.JSONField(default=dict, blank=True, help_text="Image-quality figures the analyzer read.")
    feedback = models.TextField(blank=True)
    feedback_source = models.CharField(max_length=20, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "skin analyses"
        indexes = [models.Index(fields=["user", "status", "-created_at"])]
        constraints = [
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__lte": 100}) | models.Q(**{f"{name}__isnull": True}),
                    name=f"skin_analysis_{name}_0_100",
                )
                for name in ("overall_score", *METRICS)
            ),
            # A finished analysis has every score; a failed one says why.
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | models.Q(overall_score__isnull=False, **{f"{name}__isnull": False for name in METRICS}),
                name="skin_analysis_done_has_scores",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(failure_code=""),
                name="skin_analysis_failed_has_code",
            ),
        ]

    def __str__(self):
        return f"Skin analysis {self.pk} ({self.status})"

    @property
    def metrics(self) -> dict:
        return {name: getattr(self, name) for name in METRICS}
