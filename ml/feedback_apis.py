"""Feedback intelligence endpoints (seed 001 ``/ml/v1/feedback/...``, here under ``/api/v1/ml/``)."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ml import feedback_intelligence, prediction_services
from ml.error_codes import AnalyticsErrorCode
from ml.freshness import read_or_last_good
from ml.sentiment import ASPECTS, BANDS, LABELS
from ml.staff_apis import FreshnessOutput
from skincare.api.error_docs import raises
from skincare.api.permissions import HasStaffPermission
from skincare.errors import ApplicationError

TAGS = ["ml"]


class SentimentInput(serializers.Serializer):
    text = serializers.CharField(max_length=10_000, help_text="Review or feedback text, 1..10000 characters")

    class Meta:
        ref_name = "SentimentAnalyzeInput"


class SentimentThemeFoundOutput(serializers.Serializer):
    name = serializers.CharField(help_text='e.g. "fast_results", "caused_irritation"')
    polarity = serializers.ChoiceField(choices=["positive", "negative"])
    sentiment = serializers.FloatField(help_text="Score of the clause that raised it, -1..1")
    phrase = serializers.CharField(help_text="That clause")


SentimentAspectScoresOutput = type(
    "SentimentAspectScoresOutput",
    (serializers.Serializer,),
    {
        name: serializers.FloatField(required=False, help_text="-1..1; absent when the text does not speak of it")
        for name in ASPECTS
    },
)


class SentimentOutput(serializers.Serializer):
    score = serializers.FloatField(help_text="-1..1")
    label = serializers.ChoiceField(choices=LABELS, help_text="neutral is -0.1..0.1")
    band = serializers.ChoiceField(choices=BANDS, help_text="very_* beyond ±0.5")
    aspects = SentimentAspectScoresOutput()
    themes = SentimentThemeFoundOutput(many=True)
    safety_terms = serializers.ListField(
        child=serializers.CharField(), help_text="Words naming a possible injury (burning, rash, swelling...)"
    )
    needs_attention = serializers.BooleanField(help_text="Negative and naming a possible injury")
    model_version = serializers.CharField()


class AnalyzeSentimentApi(APIView):
    """Sentiment of a text as reviews get it on approval: score, label, aspects, themes, safety words.

    Blends the skincare lexicon with the model learnt from the shop's rated reviews when one has
    been trained (``model_version`` says which). English text; other languages score near 0.
    """

    permission_classes = [IsAuthenticated]

    @raises()
    @extend_schema(
        tags=TAGS,
        operation_id="ml_feedback_analyze_sentiment",
        summary="Analyze the sentiment of a text",
        request=SentimentInput,
        responses=SentimentOutput,
    )
    def post(self, request):
        data = SentimentInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(SentimentOutput(feedback_intelligence.text_sentiment(text=data.validated_data["text"])).data)


class ProductIdInput(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

    class Meta:
        ref_name = "PredictionInput"


class SatisfactionOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    predicted_rating = serializers.FloatField(help_text="Stars 1..5 you would likely give it")
    predicted_satisfaction = serializers.FloatField(help_text="The same on 0..1 ((stars - 1) / 4)")
    algorithm = serializers.ChoiceField(
        choices=["gradient_boosting", "product_mean"],
        help_text="product_mean (its smoothed mean rating) until a model has been trained",
    )
    model_version = serializers.CharField(allow_null=True)


class RepurchaseOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    times_bought = serializers.IntegerField(help_text="Your paid order lines of it so far")
    horizon_days = serializers.IntegerField()
    likelihood = serializers.FloatField(
        allow_null=True, help_text="0..1 that you order it again within horizon_days; null before any training"
    )
    algorithm = serializers.ChoiceField(choices=["gradient_boosting"], allow_null=True)
    model_version = serializers.CharField(allow_null=True)


def _predict_for_product(request, predict, output):
    """``predict`` (a prediction service) for the signed-in shopper and the posted product, as ``output``."""
    data = ProductIdInput(data=request.data)
    data.is_valid(raise_exception=True)
    product = prediction_services.prediction_product(product_id=data.validated_data["product_id"])
    return Response(output(predict(user=request.user, product=product)).data)


class PredictSatisfactionApi(APIView):
    """The rating the signed-in shopper would likely give a product (their skin type, concerns and
    history against how people like them rated it)."""

    permission_classes = [IsAuthenticated]

    @raises(AnalyticsErrorCode.ML_PRODUCT_NOT_FOUND)
    @extend_schema(
        tags=TAGS,
        operation_id="ml_feedback_predict_satisfaction",
        summary="Predict my satisfaction with a product",
        request=ProductIdInput,
        responses=SatisfactionOutput,
    )
    def post(self, request):
        return _predict_for_product(request, prediction_services.satisfaction_predict, SatisfactionOutput)


class RepurchaseLikelihoodApi(APIView):
    """How likely the signed-in shopper orders a product again within the model's horizon."""

    permission_classes = [IsAuthenticated]

    @raises(AnalyticsErrorCode.ML_PRODUCT_NOT_FOUND)
    @extend_schema(
        tags=TAGS,
        operation_id="ml_predictions_repurchase_likelihood",
        summary="Predict whether I will buy a product again",
        request=ProductIdInput,
        responses=RepurchaseOutput,
    )
    def post(self, request):
        return _predict_for_product(request, prediction_services.repurchase_predict, RepurchaseOutput)


class AspectComparisonOutput(serializers.Serializer):
    aspect = serializers.ChoiceField(choices=ASPECTS)
    product_sentiment = serializers.FloatField(allow_null=True, help_text="Mean over its reviews, -1..1")
    category_sentiment = serializers.FloatField(allow_null=True, help_text="Other products of its category")
    difference = serializers.FloatField(allow_null=True)
    evidence_count = serializers.IntegerField(help_text="Its reviews speaking of the aspect")
    category_evidence_count = serializers.IntegerField()


AspectComparisonsOutput = type(
    "AspectComparisonsOutput", (serializers.Serializer,), {name: AspectComparisonOutput() for name in ASPECTS}
)


class IntelligenceThemeOutput(serializers.Serializer):
    theme = serializers.CharField()
    frequency = serializers.IntegerField()
    avg_sentiment = serializers.FloatField()
    example_phrases = serializers.ListField(child=serializers.CharField())


class ProductIntelligenceOutput(FreshnessOutput):
    product_id = serializers.IntegerField()
    category_id = serializers.IntegerField()
    analyzed_reviews = serializers.IntegerField()
    category_analyzed_reviews = serializers.IntegerField()
    avg_rating = serializers.FloatField()
    category_avg_rating = serializers.FloatField(allow_null=True)
    avg_sentiment = serializers.FloatField()
    category_avg_sentiment = serializers.FloatField(allow_null=True)
    aspects = AspectComparisonsOutput()
    strengths = AspectComparisonOutput(
        many=True, help_text="Aspects at least 0.1 above the category, 3+ reviews each side; largest first"
    )
    weaknesses = AspectComparisonOutput(many=True, help_text="At least 0.1 below the category; largest first")
    positive_themes = IntelligenceThemeOutput(many=True)
    negative_themes = IntelligenceThemeOutput(many=True)
    analysis_date = serializers.DateTimeField()
    model_version = serializers.CharField()


def _intelligence(*, product_id):
    return feedback_intelligence.product_intelligence(product_id=product_id) or {}


class StaffProductIntelligenceApi(APIView):
    """A product's feedback intelligence (nightly ``product_intelligence`` document): aspect sentiment
    against its category, strengths and weaknesses with evidence counts, recurring themes."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises(AnalyticsErrorCode.ANALYTICS_NOT_FOUND)
    @extend_schema(tags=["staff: analytics"], responses=ProductIntelligenceOutput)
    def get(self, request, product_id):
        # While the store is down, the last good copy (``stale: true``) — as every staff analytics answer.
        report = read_or_last_good("product_intelligence", _intelligence, empty=dict, product_id=product_id)
        if "product_id" not in report:
            raise ApplicationError(
                AnalyticsErrorCode.ANALYTICS_NOT_FOUND,
                gettext("The analytics store did not answer and keeps no earlier copy; try again later.")
                if report["stale"]
                else gettext("No feedback intelligence for this product yet."),
            )
        return Response(ProductIntelligenceOutput(report).data)
