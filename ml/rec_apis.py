"""Recommendation, routine and ingredient-compatibility endpoints (thin: ``ml.serving``,
``ml.routines``, ``ml.ingredients`` and ``ml.rec_services`` do the work)."""

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ml import ingredients, rec_services, routines, serving, tracking
from ml import rec_serializers as s
from ml.error_codes import AnalyticsErrorCode
from ml.models import AvoidedIngredient
from shop.accounts.models import SkinType
from shop.catalog.error_codes import CatalogErrorCode
from shop.catalog.models import Ingredient
from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import raises
from skincare.api.pagination import PagePagination, paginated_response
from skincare.errors import ApplicationError

TAGS = ["recommendations"]
LIST = s.RecommendationOutput(many=True)


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _page(view, request, items):
    return paginated_response(view, request, [s.recommendation_payload(item, request) for item in items])


def _user(request):
    return request.user if request.user.is_authenticated else None


class RecommendationsForMeApi(APIView):
    """Your personal list: precomputed nightly and after each purchase or review; from your skin
    type and concerns until you have bought or rated something."""

    pagination_class = PagePagination

    @raises()
    @extend_schema(tags=TAGS, operation_id="recommendations_for_me", responses=LIST, summary="Recommended for me")
    def get(self, request):
        return _page(self, request, serving.recommendations_for_user(user=request.user))


class RecommendationsSimilarApi(APIView):
    """Products like this one (ingredients, concerns, skin types, category, brand, text)."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(tags=TAGS, operation_id="recommendations_similar", responses=LIST, summary="Similar products")
    def get(self, request, product_id):
        return _page(self, request, serving.recommendations_similar(product_id=product_id, user=_user(request)))


class RecommendationsBoughtTogetherApi(APIView):
    """Products most often in the same order as this one."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(tags=TAGS, operation_id="recommendations_bought_together", responses=LIST, summary="Bought together")
    def get(self, request, product_id):
        from shop.catalog.selectors import product_active_get

        product = product_active_get(product_id=product_id)
        return _page(self, request, serving.bought_together(product_ids=[product.pk], user=_user(request)))


class RecommendationsPopularApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises()
    @extend_schema(
        tags=TAGS,
        operation_id="recommendations_popular",
        parameters=[s.PopularFilter],
        responses=LIST,
        summary="Popular products (overall or with one skin type)",
    )
    def get(self, request):
        filters = _valid(s.PopularFilter, request.query_params)
        items = serving.recommendations_popular(skin_type=filters.get("skin_type"), user=_user(request))
        return _page(self, request, items)


class RecommendationsTrendingApi(APIView):
    """Time-decayed popularity among shoppers of this skin type (purchases and 4-5 star reviews,
    each halved in weight every 7 days)."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises(CatalogErrorCode.INVALID_SKIN_TYPE)
    @extend_schema(
        tags=TAGS,
        operation_id="recommendations_trending",
        parameters=[OpenApiParameter("skin_type", str, OpenApiParameter.PATH, enum=SkinType.values)],
        responses=LIST,
        summary="Trending with a skin type",
    )
    def get(self, request, skin_type):
        if skin_type not in SkinType.values:
            raise ApplicationError(
                CatalogErrorCode.INVALID_SKIN_TYPE,
                gettext("Unknown skin type. Expected one of: %(values)s.") % {"values": ", ".join(SkinType.values)},
            )
        return _page(self, request, serving.recommendations_trending(skin_type=skin_type, user=_user(request)))


class RecommendationsSkinBasedApi(APIView):
    """For a skin profile sent in the body (no account needed): the skin type's list re-ranked
    by the concerns. Pages with ``?page=&per_page=``."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @raises()
    @extend_schema(
        tags=TAGS,
        operation_id="recommendations_skin_based",
        request=s.SkinProfileInput,
        responses=LIST,
        summary="Recommendations for a skin profile",
    )
    def post(self, request):
        profile = _valid(s.SkinProfileInput, request.data)
        items = serving.recommendations_for_skin(
            skin_type=profile["skin_type"],
            concerns=profile["concerns"],
            sensitive=profile["sensitive"],
            user=_user(request),
        )
        return _page(self, request, items)


class RecommendationsFeedbackBasedApi(APIView):
    """From shoppers who rate products the way you do (similar users): what they gave 4-5 stars
    that you have not bought or rated. Empty until you have an approved review."""

    pagination_class = PagePagination

    @raises()
    @extend_schema(
        tags=TAGS,
        operation_id="recommendations_feedback_based",
        responses=LIST,
        summary="Liked by shoppers with ratings like yours",
    )
    def get(self, request):
        return _page(self, request, serving.recommendations_feedback_based(user=request.user))


class RecommendationFeedbackApi(APIView):
    """Record a click on, or an "ignore" of, a recommended product (``recommendation_feedback``).
    Anonymous clicks count too; an ignore by a signed-in shopper hides the product from their
    recommendations."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "analytics"

    @raises()
    @extend_schema(
        tags=TAGS,
        operation_id="recommendations_feedback_record",
        request=s.FeedbackInput,
        responses={201: s.FeedbackOutput},
        summary="Click or ignore a recommendation",
    )
    def post(self, request):
        data = _valid(s.FeedbackInput, request.data)
        hidden = rec_services.recommendation_feedback_record(
            user=request.user,
            product_id=data["product_id"],
            interaction_type=data["interaction_type"],
            recommendation_type=data.get("recommendation_type", ""),
            page_type=data.get("page_type", "app"),
            position=data.get("position"),
            session_id=data.get("session_id") or tracking.session_header(request),
            device_info=tracking.device_info(request),
        )
        body = {"interaction_type": data["interaction_type"], "product_id": data["product_id"], "hidden": hidden}
        return Response(s.FeedbackOutput(body).data, status=status.HTTP_201_CREATED)


class RoutineApi(APIView):
    """A morning and an evening routine, one product per step, within an optional budget, with no
    two products in one routine whose ingredients clash; ``conflicts`` lists clashes with your
    cart and recent orders (signed in)."""

    permission_classes = [AllowAny]

    @raises(AnalyticsErrorCode.ROUTINE_OVER_BUDGET)
    @extend_schema(
        tags=TAGS,
        operation_id="recommendations_routine",
        parameters=[s.RoutineFilter],
        responses=s.RoutineOutput,
        summary="Build a skincare routine",
    )
    def get(self, request):
        filters = _valid(s.RoutineFilter, request.query_params)
        user = _user(request)
        skin_type = filters.get("skin_type") or (user.skin_type if user else None)
        if not skin_type:
            raise ApplicationError(
                ApiErrorCode.VALIDATION_ERROR,
                gettext("skin_type is required when not signed in."),
                errors={"skin_type": [gettext("This field is required.")]},
            )
        concerns = filters.get("concerns") or (
            list(user.skin_concerns or ()) if user and "skin_type" not in filters else []
        )
        sensitive = filters.get("sensitive")
        if sensitive is None:
            sensitive = skin_type == SkinType.SENSITIVE
        plan = routines.routine_build(
            skin_type=skin_type,
            concerns=concerns,
            sensitive=sensitive,
            budget=filters.get("budget"),
            user=user,
            cart_product_ids=_cart_product_ids(request),
        )
        return Response(s.routine_payload(plan, request))


def _cart_product_ids(request):
    from shop.cart import services as cart_services

    cart = cart_services.cart_resolve(request=request, create=False)
    if cart is None:
        return []
    return list(cart.lines.order_by("pk").values_list("product_id", flat=True))


class IngredientCompatibilityApi(APIView):
    """Which of these products should not be used together, optionally also against your cart
    and your orders of the last 90 days: the products, the ingredients, why, and what to do."""

    permission_classes = [AllowAny]

    @raises()
    @extend_schema(
        tags=["ingredients"],
        operation_id="ingredients_compatibility",
        request=s.CompatibilityInput,
        responses=s.CompatibilityOutput,
        summary="Check ingredient compatibility",
    )
    def post(self, request):
        data = _valid(s.CompatibilityInput, request.data)
        product_ids = list(dict.fromkeys(data["product_ids"]))
        unknown = sorted(set(product_ids) - ingredients.active_product_ids(product_ids))
        if unknown:
            raise ApplicationError(
                ApiErrorCode.VALIDATION_ERROR,
                gettext("Some products do not exist."),
                errors={"product_ids": [f"Unknown product: {pid}." for pid in unknown]},
            )
        checked, conflicts = ingredients.compatibility_check(
            product_ids=product_ids,
            cart_product_ids=_cart_product_ids(request) if data["include_cart"] else (),
            recent_product_ids=ingredients.recent_order_product_ids(user=request.user)
            if data["include_recent_orders"]
            else (),
        )
        body = {
            "compatible": not conflicts,
            "checked": [s.checked_payload(p) for p in checked],
            "conflicts": [s.conflict_payload(c) for c in conflicts],
        }
        return Response(s.CompatibilityOutput(body).data)


class AvoidedIngredientsApi(APIView):
    """Ingredients you react to: products containing any of them are never recommended to you
    nor put in your routines."""

    pagination_class = PagePagination

    @staticmethod
    def _rows(user):
        return list(
            Ingredient.objects.filter(pk__in=AvoidedIngredient.objects.filter(user=user).values("ingredient_id"))
            .order_by("name", "pk")
            .values("id", "name", "name_km", "slug")
        )

    @raises()
    @extend_schema(
        tags=TAGS,
        operation_id="recommendations_avoided_ingredients_list",
        responses=s.AvoidedIngredientOutput(many=True),
        summary="My ingredients to avoid",
    )
    def get(self, request):
        return paginated_response(self, request, self._rows(request.user))

    @raises()
    @extend_schema(
        tags=TAGS,
        operation_id="recommendations_avoided_ingredients_set",
        request=s.AvoidedIngredientsInput,
        responses=s.AvoidedIngredientOutput(many=True),
        summary="Replace my ingredients to avoid",
    )
    def put(self, request):
        data = _valid(s.AvoidedIngredientsInput, request.data)
        rec_services.avoided_ingredients_set(user=request.user, ingredient_ids=data["ingredient_ids"])
        # The new list, paged like the GET (the schema documents both answers as the same page).
        return paginated_response(self, request, self._rows(request.user))
