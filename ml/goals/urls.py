from django.urls import path

from ml.goals import apis

urlpatterns = [
    path("goals", apis.GoalListApi.as_view(), name="goals"),
    path("goals/suggestions", apis.GoalSuggestionsApi.as_view(), name="goal-suggestions"),
    path("goals/<int:goal_id>", apis.GoalDetailApi.as_view(), name="goal-detail"),
    path("achievements", apis.AchievementListApi.as_view(), name="achievements"),
]
