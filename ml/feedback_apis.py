"""Feedback intelligence endpoints (seed 001 ``/ml/v1/feedback/...``, here under ``/api/v1/ml/``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ml import feedback_intelligence
from ml.sentiment import ASPECTS, BANDS, LABELS
from skincare.api.error_docs import raises

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
