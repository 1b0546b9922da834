"""Community: feedback dashboard, stats, impact, reputation, leaders; staff expert promotion."""

from django.db import transaction
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from feedback import services as feedback_services
from feedback.models import NotificationType
from reviews import error_codes, selectors
from reviews import serializers as s
from reviews.community import community_score_recalculate, reputation
from reviews.error_codes import ReviewErrorCode
from shop.accounts.models import Role, SkinType, User
from shop.accounts.services import user_set_role
from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import raises
from skincare.api.output import output
from skincare.api.pagination import PagePagination, paginated_response
from skincare.api.permissions import HasStaffPermission
from skincare.errors import ApplicationError

TAGS = ["community"]
STAFF_TAGS = ["community (staff)"]


def _reputation(user):
    return {**reputation(user), "rank": selectors.community_rank(user=user)}


class FeedbackDashboardApi(APIView):
    @raises()
    @extend_schema(
        tags=TAGS,
        responses=s.FeedbackDashboardOutput,
        summary="My feedback dashboard: stats, impact, reputation, recent reviews",
    )
    def get(self, request):
        user = User.objects.get(pk=request.user.pk)
        recent = list(selectors.user_reviews(user=user)[:5])
        dashboard = {
            "stats": selectors.user_feedback_stats(user=user),
            "impact": selectors.user_feedback_impact(user=user),
            "reputation": _reputation(user),
            "recent_reviews": recent,
        }
        return Response(output(s.FeedbackDashboardOutput, dashboard, request, own=True))


class FeedbackStatsApi(APIView):
    @raises()
    @extend_schema(
        tags=TAGS, responses=s.FeedbackStatsOutput, summary="Counts of my reviews, questions, answers, journals"
    )
    def get(self, request):
        return Response(output(s.FeedbackStatsOutput, selectors.user_feedback_stats(user=request.user), request))


class FeedbackImpactApi(APIView):
    @raises()
    @extend_schema(
        tags=TAGS,
        responses=s.FeedbackImpactOutput,
        summary="How many people found my reviews and answers helpful",
    )
    def get(self, request):
        return Response(output(s.FeedbackImpactOutput, selectors.user_feedback_impact(user=request.user), request))


class FeedbackReputationApi(APIView):
    @raises()
    @extend_schema(tags=TAGS, responses=s.RankedReputationOutput, summary="My score, level, badges and rank")
    def get(self, request):
        return Response(output(s.RankedReputationOutput, _reputation(User.objects.get(pk=request.user.pk)), request))


class LeadersFilter(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=20)
    skin_type = serializers.ChoiceField(choices=SkinType.choices, required=False)


class CommunityLeadersApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination
    output = s.CommunityLeaderOutput

    @raises()
    @extend_schema(
        tags=TAGS,
        parameters=[LeadersFilter],
        responses=s.CommunityLeaderOutput(many=True),
        summary="Top community contributors",
    )
    def get(self, request):
        params = LeadersFilter(data=request.query_params)
        params.is_valid(raise_exception=True)
        leaders = selectors.community_leaders(**params.validated_data)
        rows = [s.CommunityLeader(rank=rank, user=user) for rank, user in enumerate(leaders, start=1)]
        return paginated_response(self, request, rows, lambda page: output(self.output, page, request, many=True))


@extend_schema_view(
    get=extend_schema(
        tags=STAFF_TAGS,
        parameters=[LeadersFilter],
        responses=s.StaffCommunityLeaderOutput(many=True),
        summary="Top community contributors, with e-mail and role",
    )
)
class StaffCommunityLeadersApi(CommunityLeadersApi):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "accounts.view_user"}
    output = s.StaffCommunityLeaderOutput


def _user_or_404(user_id):
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ApplicationError(error_codes.USER_NOT_FOUND, gettext("User not found."))
    return user


class PromoteExpertInput(serializers.Serializer):
    expertise_areas = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=20)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)


@transaction.atomic
def expert_promote(*, user, by, expertise_areas=None, bio=None):
    """Staff promote a shopper to expert: expert badge on future answers, notification to the user."""
    if user.role == Role.EXPERT:
        raise ApplicationError(error_codes.ALREADY_EXPERT, gettext("This user is already an expert."))
    if user.role in (Role.ADMIN, Role.MODERATOR) or user.is_superuser:
        raise ApplicationError(
            ApiErrorCode.VALIDATION_ERROR,
            gettext("Staff accounts cannot be made experts."),
            errors={"role": [gettext("Staff.")]},
        )
    user_set_role(user=user, role=Role.EXPERT)
    fields = []
    if expertise_areas is not None:
        user.expertise_areas, fields = expertise_areas, [*fields, "expertise_areas"]
    if bio is not None:
        user.bio, fields = bio, [*fields, "bio"]
    if fields:
        user.save(update_fields=fields)
    feedback_services.notification_create(
        user=user,
        type=NotificationType.COMMUNITY,
        title="You are now a skincare expert",
        message="Your answers now carry the expert badge. Thank you for helping the community!",
        related_type="user",
        related_id=user.pk,
    )
    return user


class StaffPromoteExpertApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "accounts.change_user"}

    @raises(ReviewErrorCode.USER_NOT_FOUND, ReviewErrorCode.ALREADY_EXPERT)
    @extend_schema(
        tags=STAFF_TAGS,
        request=PromoteExpertInput,
        responses=s.PromotedExpertOutput,
        summary="Make a shopper an expert (409 ALREADY_EXPERT if they are one)",
    )
    def post(self, request, user_id):
        params = PromoteExpertInput(data=request.data)
        params.is_valid(raise_exception=True)
        user = expert_promote(user=_user_or_404(user_id), by=request.user, **params.validated_data)
        return Response(output(s.PromotedExpertOutput, user, request))


class StaffCommunityScoreApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "accounts.moderate_user"}

    @raises(ReviewErrorCode.USER_NOT_FOUND)
    @extend_schema(
        tags=STAFF_TAGS,
        request=None,
        responses=s.CommunityScoreOutput,
        summary="Recalculate a user's counters and score",
    )
    def post(self, request, user_id):
        user = community_score_recalculate(user=_user_or_404(user_id))
        return Response(output(s.CommunityScoreOutput, {**reputation(user), "user": user}, request))


class StaffFeedbackHistoryApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises(ReviewErrorCode.USER_NOT_FOUND)
    @extend_schema(
        tags=STAFF_TAGS,
        # The page envelope itself: meta carries the user's stats and reputation besides the totals.
        responses=s.FeedbackHistoryPageOutput,
        parameters=[
            OpenApiParameter("page", int, description="Page number (from 1)."),
            OpenApiParameter("per_page", int, description="Items per page, 1..100."),
        ],
        summary="A user's reviews (all states) with stats",
    )
    def get(self, request, user_id):
        user = _user_or_404(user_id)
        paginator = PagePagination()
        page = paginator.paginate_queryset(selectors.user_reviews(user=user), request, view=self)
        response = paginator.get_paginated_response(output(s.ReviewOutput, page, request, many=True, own=True))
        response.data["meta"]["stats"] = selectors.user_feedback_stats(user=user)
        response.data["meta"]["reputation"] = reputation(user)
        return response
