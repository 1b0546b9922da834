"""Input and output of the recommendation, routine and ingredient-compatibility endpoints. The
output serializers document the answers the ``*_payload`` functions below build."""

from rest_framework import serializers

from ml.ingredients import MAX_PRODUCTS
from ml.models import InteractionSeverity
from ml.routines import STEPS
from ml.serializers import ID_PATTERN
from ml.serving import ALGORITHMS
from shop.accounts.models import SkinConcern, SkinType
from shop.catalog.models import shop_currency
from shop.catalog.serializers import ProductListOutputSerializer, product_list_item, product_list_item_absolute
from skincare.api.fields import CurrencyField

RECOMMENDATION_TYPES = ["for_you", "similar", "bought_together", "popular", "trending", "skin_based",
                        "feedback_based", "routine"]  # fmt: skip
PAGE_TYPES = ["homepage", "product_page", "cart", "order", "routine", "app"]
SOURCES = ["request", "routine", "cart", "recent_order"]


class RecommendationOutput(serializers.Serializer):
    product = ProductListOutputSerializer()
    score = serializers.FloatField(min_value=0, max_value=1, help_text="0-1; the best of a list is close to 1.")
    algorithm = serializers.ChoiceField(choices=ALGORITHMS)
    reason = serializers.CharField(help_text="Why, in the request's language.")

    class Meta:
        ref_name = "Recommendation"


def recommendation_payload(item, request):
    return {
        "product": product_list_item_absolute(product_list_item(item.product), request),
        "score": item.score,
        "algorithm": item.algorithm,
        "reason": item.reason,
    }


def _concerns(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=SkinConcern.choices), max_length=10, required=False, **kwargs
    )


class PopularFilter(serializers.Serializer):
    skin_type = serializers.ChoiceField(
        choices=SkinType.choices, required=False, help_text="Popular with this skin type."
    )


class SkinProfileInput(serializers.Serializer):
    skin_type = serializers.ChoiceField(choices=SkinType.choices)
    concerns = _concerns(default=list)
    sensitive = serializers.BooleanField(default=False, help_text="Only products made for sensitive skin.")


class FeedbackInput(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1)
    interaction_type = serializers.ChoiceField(
        choices=["click", "ignore"], help_text='"ignore" ("not interested") hides the product from your lists.'
    )
    recommendation_type = serializers.ChoiceField(choices=RECOMMENDATION_TYPES, required=False)
    page_type = serializers.ChoiceField(choices=PAGE_TYPES, required=False)
    position = serializers.IntegerField(min_value=1, max_value=100, required=False)
    session_id = serializers.RegexField(ID_PATTERN, max_length=64, required=False)


class FeedbackOutput(serializers.Serializer):
    interaction_type = serializers.ChoiceField(choices=["click", "ignore"])
    product_id = serializers.IntegerField()
    hidden = serializers.BooleanField(help_text="Whether the product is now hidden from your recommendations.")

    class Meta:
        ref_name = "RecommendationFeedbackRecorded"


class RoutineFilter(serializers.Serializer):
    skin_type = serializers.ChoiceField(
        choices=SkinType.choices, required=False, help_text="Required unless signed in (your profile's is used)."
    )
    concerns = _concerns(help_text="Repeat the parameter (concerns=acne&concerns=pores).")
    sensitive = serializers.BooleanField(required=False, allow_null=True, default=None)
    budget = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=1, required=False, help_text="Most the whole routine may cost."
    )


class CheckedProductOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    source = serializers.ChoiceField(choices=SOURCES)


class ConflictSideOutput(CheckedProductOutput):
    routine = serializers.ChoiceField(choices=["morning", "evening", "both", ""], allow_blank=True)
    ingredients = serializers.ListField(child=serializers.CharField())
    family = serializers.CharField()


class ConflictOutput(serializers.Serializer):
    severity = serializers.ChoiceField(choices=InteractionSeverity.choices)
    first = ConflictSideOutput()
    second = ConflictSideOutput()
    explanation = serializers.CharField()
    advice = serializers.CharField()

    class Meta:
        ref_name = "IngredientConflict"


def _side(product, names, family, routine):
    return {
        "id": product.id,
        "name": product.name,
        "slug": product.slug,
        "source": product.source,
        "routine": routine,
        "ingredients": names,
        "family": family,
    }


def conflict_payload(conflict):
    return {
        "severity": conflict.severity,
        "first": _side(conflict.first, conflict.first_ingredients, conflict.families[0], conflict.first_routine),
        "second": _side(conflict.second, conflict.second_ingredients, conflict.families[1], conflict.second_routine),
        "explanation": conflict.explanation,
        "advice": conflict.advice,
    }


def checked_payload(product):
    return {"id": product.id, "name": product.name, "slug": product.slug, "source": product.source}


class CompatibilityInput(serializers.Serializer):
    product_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_PRODUCTS
    )
    include_cart = serializers.BooleanField(default=False, help_text="Also check against your cart.")
    include_recent_orders = serializers.BooleanField(
        default=False, help_text="Also check against your orders of the last 90 days (signed in)."
    )


class CompatibilityOutput(serializers.Serializer):
    compatible = serializers.BooleanField()
    checked = CheckedProductOutput(many=True)
    conflicts = ConflictOutput(many=True)

    class Meta:
        ref_name = "IngredientCompatibility"


class RoutineStepOutput(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(STEPS["morning"]))
    label = serializers.CharField()
    product = ProductListOutputSerializer()
    score = serializers.FloatField(min_value=0, max_value=1)
    reason = serializers.CharField()


class MissingStepOutput(serializers.Serializer):
    routine = serializers.ChoiceField(choices=list(STEPS))
    step = serializers.ChoiceField(choices=list(STEPS["morning"]))


class RoutineOutput(serializers.Serializer):
    skin_type = serializers.ChoiceField(choices=SkinType.choices)
    concerns = serializers.ListField(child=serializers.ChoiceField(choices=SkinConcern.choices))
    sensitive = serializers.BooleanField()
    budget = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    total = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = CurrencyField()
    morning = RoutineStepOutput(many=True)
    evening = RoutineStepOutput(many=True)
    missing_steps = MissingStepOutput(many=True)
    conflicts = ConflictOutput(many=True, help_text="With your cart and orders of the last 90 days.")

    class Meta:
        ref_name = "Routine"


def _steps(steps, request):
    return [
        {
            "step": s.step,
            "label": str(s.label),
            "product": product_list_item_absolute(product_list_item(s.product), request),
            "score": s.score,
            "reason": s.reason,
        }
        for s in steps
    ]


def routine_payload(plan, request):
    return RoutineOutput(
        {
            "skin_type": plan.skin_type,
            "concerns": plan.concerns,
            "sensitive": plan.sensitive,
            "budget": plan.budget,
            "total": plan.total,
            "currency": plan.currency or shop_currency(),
            "morning": [],
            "evening": [],
            "missing_steps": [{"routine": r, "step": s} for r, s in plan.missing],
            "conflicts": [],
        }
    ).data | {
        "morning": _steps(plan.morning, request),
        "evening": _steps(plan.evening, request),
        "conflicts": [conflict_payload(c) for c in plan.conflicts],
    }


class AvoidedIngredientOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_km = serializers.CharField()
    slug = serializers.CharField()

    class Meta:
        ref_name = "AvoidedIngredient"


class AvoidedIngredientsInput(serializers.Serializer):
    ingredient_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=100, help_text="The whole list; [] clears it."
    )
