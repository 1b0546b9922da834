from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from ml.goals import error_codes, selectors, services
from ml.goals.error_codes import GoalErrorCode
from ml.goals.models import GoalSource
from ml.goals.serializers import (
    AchievementOutput,
    GoalFilter,
    GoalInput,
    GoalOutput,
    GoalSuggestionOutput,
)
from skincare.api.error_docs import raises
from skincare.api.pagination import PagePagination, paginated_response
from skincare.errors import ApplicationError

GOAL_TAGS = ["goals"]
ACHIEVEMENT_TAGS = ["achievements"]


class GoalListApi(APIView):
    pagination_class = PagePagination

    @raises()
    @extend_schema(
        tags=GOAL_TAGS, summary="My goals, newest first", parameters=[GoalFilter], responses=GoalOutput(many=True)
    )
    def get(self, request):
        filters = GoalFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        goals = selectors.goal_list(user=request.user, state=filters.validated_data.get("state"))
        return paginated_response(self, request, goals, render=lambda page: GoalOutput(page, many=True).data)

    @raises(
        GoalErrorCode.GOAL_METRIC_NO_DATA, GoalErrorCode.GOAL_TARGET_NOT_ABOVE_START, GoalErrorCode.GOAL_LIMIT_REACHED
    )
    @extend_schema(
        tags=GOAL_TAGS,
        summary="Set a goal: a metric, a target above its latest reading, a deadline",
        request=GoalInput,
        responses={201: GoalOutput},
    )
    def post(self, request):
        data = GoalInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        source = GoalSource.SUGGESTION if values.pop("from_suggestion") else GoalSource.USER
        goal = services.goal_create(user=request.user, source=source, **values)
        return Response(
            GoalOutput(selectors.goal_get(user=request.user, goal_id=goal.pk)).data, status=status.HTTP_201_CREATED
        )


class GoalDetailApi(APIView):
    @raises(GoalErrorCode.GOAL_NOT_FOUND)
    @extend_schema(tags=GOAL_TAGS, summary="One of my goals", responses=GoalOutput)
    def get(self, request, goal_id):
        goal = selectors.goal_get(user=request.user, goal_id=goal_id)
        if goal is None:
            raise ApplicationError(error_codes.GOAL_NOT_FOUND)
        return Response(GoalOutput(goal).data)

    @raises(GoalErrorCode.GOAL_NOT_FOUND)
    @extend_schema(tags=GOAL_TAGS, operation_id="goals_delete", summary="Delete a goal", responses={204: None})
    def delete(self, request, goal_id):
        services.goal_delete(user=request.user, goal_id=goal_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GoalSuggestionsApi(APIView):
    pagination_class = PagePagination

    @raises()
    @extend_schema(
        tags=GOAL_TAGS,
        summary="Goals suggested from my latest skin analysis (or journal)",
        description="Create one with POST /api/v1/goals and `from_suggestion: true`.",
        responses=GoalSuggestionOutput(many=True),
    )
    def get(self, request):
        suggestions = services.goal_suggestions(user=request.user)
        return paginated_response(
            self, request, suggestions, render=lambda page: GoalSuggestionOutput(page, many=True).data
        )


class AchievementListApi(APIView):
    pagination_class = PagePagination

    @raises()
    @extend_schema(
        tags=ACHIEVEMENT_TAGS,
        summary="Every achievement with my unlock time or progress",
        responses=AchievementOutput(many=True),
    )
    def get(self, request):
        statuses = selectors.achievement_list(user=request.user)
        return paginated_response(
            self, request, statuses,
            render=lambda page: AchievementOutput(page, many=True, context={"request": request}).data,
        )  # fmt: skip
