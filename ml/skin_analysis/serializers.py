"""Request and response shapes of the skin analysis API (the output serializers build the answers)."""

from rest_framework import serializers

from ml.skin_analysis.analyzer import AREAS
from ml.skin_analysis.models import METRICS, FailureCode, Severity, SkinAnalysisStatus
from shop.accounts.models import SkinConcern, SkinType
from shop.catalog.serializers import ProductListOutputSerializer, product_list_item_absolute
from shop.files.services import file_url

SEVERITIES = [(value, label) for value, label in Severity.choices if value != Severity.NONE]


class SkinAnalysisStartInput(serializers.Serializer):
    photo = serializers.FileField(
        allow_empty_file=True, use_url=False, help_text="A face photo (JPEG, PNG or WebP), front-facing, in daylight."
    )


class MetricsOutput(serializers.Serializer):
    """The ten scores, 0-100, higher is always healthier; null until the analysis is done."""

    hydration = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    oil_balance = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    redness = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    blemishes = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    pores = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    fine_lines = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    pigmentation = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    texture = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    eye_area = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    radiance = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)


class MetricDeltasOutput(serializers.Serializer):
    """Each metric's change (later minus earlier): positive is healthier."""

    hydration = serializers.IntegerField()
    oil_balance = serializers.IntegerField()
    redness = serializers.IntegerField()
    blemishes = serializers.IntegerField()
    pores = serializers.IntegerField()
    fine_lines = serializers.IntegerField()
    pigmentation = serializers.IntegerField()
    texture = serializers.IntegerField()
    eye_area = serializers.IntegerField()
    radiance = serializers.IntegerField()


class ConcernOutput(serializers.Serializer):
    concern = serializers.ChoiceField(choices=SkinConcern.choices)
    metric = serializers.ChoiceField(choices=[(m, m) for m in METRICS])
    severity = serializers.ChoiceField(choices=SEVERITIES)
    areas = serializers.ListField(child=serializers.ChoiceField(choices=[(a, a) for a in AREAS]))


class PhotoOutput(serializers.Serializer):
    """The private photo: its URLs answer only to the owner and staff."""

    id = serializers.UUIDField()
    url = serializers.CharField()
    thumbnail = serializers.CharField()
    thumbnails = serializers.DictField(child=serializers.CharField())


class SkinAnalysisOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SkinAnalysisStatus.choices)
    failure_code = serializers.ChoiceField(
        choices=FailureCode.choices, allow_null=True, help_text="Why it failed (failed analyses are not counted)."
    )
    failure_reason = serializers.CharField(help_text="What to do about it, for the person.")
    analyzer = serializers.CharField(help_text="builtin-v1 or external; empty until done.")
    photo = PhotoOutput(allow_null=True)
    overall_score = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    metrics = MetricsOutput()
    acne_severity = serializers.ChoiceField(choices=Severity.choices, allow_null=True)
    concerns = ConcernOutput(many=True)
    skin_type = serializers.ChoiceField(choices=SkinType.choices, allow_null=True)
    skin_type_confidence = serializers.FloatField(allow_null=True, min_value=0, max_value=1)
    recommended_ingredients = serializers.ListField(child=serializers.CharField())
    avoid_ingredients = serializers.ListField(child=serializers.CharField())
    products = ProductListOutputSerializer(many=True, help_text="Catalog products for the concerns, best first.")
    feedback = serializers.CharField(help_text="Personal feedback: an estimate, never medical advice.")
    feedback_source = serializers.CharField(help_text="template or llm; empty until done.")
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


def photo_output(photo, request):
    if photo is None or photo.status != "active":
        return None
    return {
        "id": photo.public_id,
        "url": file_url(file=photo, request=request),
        "thumbnail": file_url(file=photo, size="small", request=request),
        "thumbnails": {name: file_url(file=photo, size=name, request=request) for name in photo.thumbnails},
    }


def skin_analysis_output(analysis, request, products_by_id):
    """The answer for one analysis; ``products_by_id`` holds ``product_list_item`` rows of the suggested products.

    The products are the catalog's list items (``product_list_item``: what ``ProductListOutputSerializer``
    renders), added after the rest is serialized.
    """
    data = SkinAnalysisOutput(
        {
            "id": analysis.pk,
            "status": analysis.status,
            "failure_code": analysis.failure_code or None,
            "failure_reason": analysis.failure_reason,
            "analyzer": analysis.analyzer,
            "photo": photo_output(analysis.photo, request),
            "overall_score": analysis.overall_score,
            "metrics": analysis.metrics,
            "acne_severity": analysis.acne_severity or None,
            "concerns": analysis.concerns,
            "skin_type": analysis.skin_type or None,
            "skin_type_confidence": None
            if analysis.skin_type_confidence is None
            else float(analysis.skin_type_confidence),
            "recommended_ingredients": analysis.recommended_ingredients,
            "avoid_ingredients": analysis.avoid_ingredients,
            "products": [],
            "feedback": analysis.feedback,
            "feedback_source": analysis.feedback_source,
            "created_at": analysis.created_at,
            "completed_at": analysis.completed_at,
        }
    ).data
    data["products"] = [
        product_list_item_absolute(products_by_id[pk], request) for pk in analysis.product_ids if pk in products_by_id
    ]
    return data


class CompareQuery(serializers.Serializer):
    from_ = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The earlier analysis id.")
    to = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The later analysis id.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class CompareDeltasOutput(serializers.Serializer):
    overall_delta = serializers.IntegerField(help_text="Overall score change (to minus from).")
    deltas = MetricDeltasOutput()
    days_between = serializers.IntegerField()


class CompareOutput(CompareDeltasOutput):
    """The deltas with both analyses (each built by ``skin_analysis_output``)."""

    from_ = SkinAnalysisOutput()
    to = SkinAnalysisOutput()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class TrendPointOutput(serializers.Serializer):
    """One finished analysis on the timeline (oldest first): what charts, goals and journals read."""

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    overall_score = serializers.IntegerField(min_value=0, max_value=100)
    metrics = MetricsOutput()
    acne_severity = serializers.ChoiceField(choices=Severity.choices)
